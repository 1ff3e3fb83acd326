package gitlab

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

func createIssueAction() *connectors.Action {
	return &connectors.Action{
		Name:  "create_issue",
		Title: "Create an issue",
		Description: "Open an issue in a project (POST /projects/:id/issues). GitLab's API has no idempotency keys, so the " +
			"description ends with an invisible marker holding the step's idempotency key, and each attempt first looks for " +
			"it among the project's newest issues: a step retried after a lost response finds the issue its earlier attempt " +
			"opened (created is then false) instead of opening a second.",
		Input: []connectors.Field{
			projectField(),
			{Name: "title", Title: "Title", Type: connectors.TypeString, Required: true, Example: "Checkout fails for EUR orders"},
			{Name: "description", Title: "Description", Type: connectors.TypeString, Example: "Reported by support: …", Help: "Markdown."},
			{Name: "labels", Title: "Labels", Type: connectors.TypeArray, Example: []any{"bug"},
				Help: "Label names; GitLab creates a label the project does not have yet."},
			{Name: "assignee_ids", Title: "Assignee user ids", Type: connectors.TypeArray, Example: []any{12}},
			{Name: "confidential", Title: "Confidential", Type: connectors.TypeBoolean, Default: false},
			{Name: "due_date", Title: "Due date", Type: connectors.TypeString, Example: "2024-06-30", Help: "YYYY-MM-DD."},
		},
		OutputSample: json.RawMessage(`{"id":84,"iid":42,"project_id":3,"title":"Checkout fails for EUR orders","state":"opened",` +
			`"web_url":"https://gitlab.com/my-group/my-project/-/issues/42","labels":["bug"],"created":true}`),
		Run: runCreateIssue,
	}
}

// IssueOutput is what create_issue and add_labels return.
type IssueOutput struct {
	ID        json.Number `json:"id"`
	IID       json.Number `json:"iid"`
	ProjectID json.Number `json:"project_id"`
	Title     string      `json:"title"`
	State     string      `json:"state"`
	WebURL    string      `json:"web_url"`
	Labels    []string    `json:"labels"`
	// Created is false when an earlier attempt of the step had already
	// opened the issue (create_issue only).
	Created *bool `json:"created,omitempty"`
}

// recentIssues is how many of a project's newest issues an attempt looks
// through for its marker. An earlier attempt's issue is at most minutes
// old, so only a project opening more issues than this in that time
// could hide it.
const recentIssues = 50

func runCreateIssue(ctx context.Context, call *connectors.Call) (any, error) {
	proj, err := project(call.Input)
	if err != nil {
		return nil, err
	}
	title := strings.TrimSpace(call.Input.String("title"))
	if title == "" {
		return nil, connectors.InputError("title", "empty")
	}
	mark := connectors.IdempotencyMarker(call.IdempotencyKey)
	desc := connectors.WithIdempotencyMarker(call.Input.String("description"), call.IdempotencyKey)
	body := map[string]any{"title": title, "description": desc}
	labels, err := labelList(call.Input)
	if err != nil {
		return nil, err
	}
	if len(labels) > 0 {
		body["labels"] = strings.Join(labels, ",")
	}
	if raw, ok := call.Input["assignee_ids"].([]any); ok && len(raw) > 0 {
		ids := make([]json.Number, 0, len(raw))
		for i, v := range raw {
			id, err := connectors.NumericID(v)
			if err != nil {
				return nil, connectors.InputError(fmt.Sprintf("assignee_ids[%d]", i), "want a numeric GitLab user id")
			}
			ids = append(ids, json.Number(id))
		}
		body["assignee_ids"] = ids
	}
	if c, _ := call.Input["confidential"].(bool); c {
		body["confidential"] = true
	}
	if d := call.Input.String("due_date"); d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, connectors.InputError("due_date", fmt.Sprintf("%q is not a date such as 2024-06-30", d))
		}
		body["due_date"] = d
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var recent []struct {
		IssueOutput
		Description string `json:"description"`
	}
	list := fmt.Sprintf("/projects/%s/issues?scope=all&order_by=created_at&sort=desc&per_page=%d", proj, recentIssues)
	if err := a.do(ctx, http.MethodGet, list, nil, &recent); err != nil {
		return nil, fmt.Errorf("looking for an issue an earlier attempt opened: %w", err)
	}
	created := true
	var out IssueOutput
	for _, r := range recent {
		if strings.Contains(r.Description, mark) {
			out, created = r.IssueOutput, false
			break
		}
	}
	if created {
		if err := a.do(ctx, http.MethodPost, "/projects/"+proj+"/issues", body, &out); err != nil {
			return nil, fmt.Errorf("creating issue: %w", err)
		}
	}
	if out.Labels == nil {
		out.Labels = []string{}
	}
	out.Created = &created
	return out, nil
}
