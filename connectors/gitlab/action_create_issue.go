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
		Description: "Open an issue in a project (POST /projects/:id/issues). GitLab has no idempotency keys for the " +
			"API: a step retried after a lost response may open a second issue.",
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
			`"web_url":"https://gitlab.com/my-group/my-project/-/issues/42","labels":["bug"]}`),
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
}

func runCreateIssue(ctx context.Context, call *connectors.Call) (any, error) {
	proj, err := project(call.Input)
	if err != nil {
		return nil, err
	}
	title := strings.TrimSpace(call.Input.String("title"))
	if title == "" {
		return nil, connectors.InputError("title", "empty")
	}
	body := map[string]any{"title": title}
	if d := call.Input.String("description"); d != "" {
		body["description"] = d
	}
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
	var out IssueOutput
	if err := a.do(ctx, http.MethodPost, "/projects/"+proj+"/issues", body, &out); err != nil {
		return nil, fmt.Errorf("creating issue: %w", err)
	}
	if out.Labels == nil {
		out.Labels = []string{}
	}
	return out, nil
}
