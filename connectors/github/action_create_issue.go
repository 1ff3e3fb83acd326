package github

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func createIssueAction() *connectors.Action {
	return &connectors.Action{
		Name:  "create_issue",
		Title: "Create an issue",
		Description: "Open an issue in a repository (POST /repos/{owner}/{repo}/issues), with optional labels, assignees " +
			"and milestone. GitHub has no idempotency keys: a step retried after a lost response may open a second issue, " +
			"so keep the step's retries low or follow it with a filter on steps.<id>.number.",
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
			`"html_url":"https://github.com/octocat/hello-world/issues/1347","url":"https://api.github.com/repos/octocat/hello-world/issues/1347","labels":["bug"]}`),
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
	body := map[string]any{"title": title}
	if b := call.Input.String("body"); b != "" {
		body["body"] = b
	}
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
	var resp struct {
		ID      json.Number `json:"id"`
		Number  json.Number `json:"number"`
		Title   string      `json:"title"`
		State   string      `json:"state"`
		HTMLURL string      `json:"html_url"`
		URL     string      `json:"url"`
		Labels  []struct {
			Name string `json:"name"`
		} `json:"labels"`
	}
	if err := a.post(ctx, "/repos/"+repo+"/issues", body, &resp); err != nil {
		return nil, fmt.Errorf("creating issue in %s: %w", repo, err)
	}
	out := IssueOutput{ID: resp.ID, Number: resp.Number, Title: resp.Title, State: resp.State,
		HTMLURL: resp.HTMLURL, URL: resp.URL, Labels: []string{}}
	for _, l := range resp.Labels {
		out.Labels = append(out.Labels, l.Name)
	}
	return out, nil
}
