package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func createIssueAction() *connectors.Action {
	return &connectors.Action{
		Name:  "create_issue",
		Title: "Create an issue",
		Description: "Open an issue in a repository (POST /repos/{owner}/{repo}/issues), with optional labels, assignees " +
			"and milestone. GitHub has no idempotency keys, so the body ends with an invisible marker holding the step's " +
			"idempotency key, and each attempt first looks for it among the repository's newest issues: a step retried " +
			"after a lost response finds the issue its earlier attempt opened (created is then false) instead of opening a second.",
		Input: []connectors.Field{
			repoField(),
			{Name: "title", Title: "Title", Type: connectors.TypeString, Required: true, Example: "Checkout fails for EUR orders"},
			{Name: "body", Title: "Body", Type: connectors.TypeString, Example: "Reported by support: …", Help: "Markdown."},
			{Name: "labels", Title: "Labels", Type: connectors.TypeArray, Example: []any{"bug"},
				Help: "Label names; a label the repository does not have yet is created by GitHub."},
			{Name: "assignees", Title: "Assignees", Type: connectors.TypeArray, Example: []any{"octocat"}, Help: "GitHub logins."},
			{Name: "milestone", Title: "Milestone number", Type: connectors.TypeInteger, Example: 1},
		},
		OutputSample: json.RawMessage(`{"id":1,"number":1347,"title":"Checkout fails for EUR orders","state":"open",` +
			`"html_url":"https://github.com/octocat/hello-world/issues/1347","url":"https://api.github.com/repos/octocat/hello-world/issues/1347","labels":["bug"],"created":true}`),
		Run: runCreateIssue,
	}
}

// IssueOutput is what create_issue returns.
type IssueOutput struct {
	ID      json.Number `json:"id"`
	Number  json.Number `json:"number"`
	Title   string      `json:"title"`
	State   string      `json:"state"`
	HTMLURL string      `json:"html_url"`
	URL     string      `json:"url"`
	Labels  []string    `json:"labels"`
	// Created is false when an earlier attempt of the step had already
	// opened the issue.
	Created bool `json:"created"`
}

// recentIssues is how many of a repository's newest issues an attempt
// looks through for its marker. An earlier attempt's issue is at most
// minutes old, so only a repository opening more issues than this in
// that time could hide it.
const recentIssues = 50

// issue is an issue as the REST API returns it.
type issue struct {
	ID      json.Number `json:"id"`
	Number  json.Number `json:"number"`
	Title   string      `json:"title"`
	State   string      `json:"state"`
	HTMLURL string      `json:"html_url"`
	URL     string      `json:"url"`
	Body    string      `json:"body"`
	Labels  []struct {
		Name string `json:"name"`
	} `json:"labels"`
	PullRequest json.RawMessage `json:"pull_request"`
}

func (i *issue) output(created bool) IssueOutput {
	out := IssueOutput{ID: i.ID, Number: i.Number, Title: i.Title, State: i.State, HTMLURL: i.HTMLURL, URL: i.URL,
		Labels: []string{}, Created: created}
	for _, l := range i.Labels {
		out.Labels = append(out.Labels, l.Name)
	}
	return out
}

func runCreateIssue(ctx context.Context, call *connectors.Call) (any, error) {
	repo, err := repository(call.Input)
	if err != nil {
		return nil, err
	}
	title := strings.TrimSpace(call.Input.String("title"))
	if title == "" {
		return nil, connectors.InputError("title", "empty")
	}
	mark := connectors.IdempotencyMarker(call.IdempotencyKey)
	text := connectors.WithIdempotencyMarker(call.Input.String("body"), call.IdempotencyKey)
	body := map[string]any{"title": title, "body": text}
	for _, name := range []string{"labels", "assignees"} {
		list, err := stringList(call.Input, name)
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			body[name] = list
		}
	}
	if m, ok := call.Input["milestone"]; ok && m != nil {
		body["milestone"] = m
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var recent []issue
	query := url.Values{"state": {"all"}, "sort": {"created"}, "direction": {"desc"}, "per_page": {fmt.Sprint(recentIssues)}}
	if _, err := a.http.DoJSON(ctx, http.MethodGet, a.base+"/repos/"+repo+"/issues?"+query.Encode(), a.header, nil, &recent); err != nil {
		return nil, fmt.Errorf("looking for an issue an earlier attempt opened in %s: %w", repo, err)
	}
	for i := range recent {
		if len(recent[i].PullRequest) == 0 && strings.Contains(recent[i].Body, mark) {
			return recent[i].output(false), nil
		}
	}
	var created issue
	if err := a.post(ctx, "/repos/"+repo+"/issues", body, &created); err != nil {
		return nil, fmt.Errorf("creating issue in %s: %w", repo, err)
	}
	return created.output(true), nil
}
