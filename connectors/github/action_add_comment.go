package github

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func addCommentAction() *connectors.Action {
	return &connectors.Action{
		Name:  "add_comment",
		Title: "Comment on an issue or pull request",
		Description: "Add a comment to an issue or a pull request's conversation " +
			"(POST /repos/{owner}/{repo}/issues/{issue_number}/comments).",
		Input: []connectors.Field{
			repoField(),
			numberField(),
			{Name: "body", Title: "Comment", Type: connectors.TypeString, Required: true, Example: "Tracked as PROJ-123.", Help: "Markdown."},
		},
		OutputSample: json.RawMessage(`{"id":1,"html_url":"https://github.com/octocat/hello-world/issues/1347#issuecomment-1",` +
			`"body":"Tracked as PROJ-123.","created_at":"2024-05-01T10:00:00Z"}`),
		Run: runAddComment,
	}
}

// CommentOutput is what add_comment returns.
type CommentOutput struct {
	ID        json.Number `json:"id"`
	HTMLURL   string      `json:"html_url"`
	Body      string      `json:"body"`
	CreatedAt string      `json:"created_at"`
}

func runAddComment(ctx context.Context, call *connectors.Call) (any, error) {
	repo, err := repository(call.Input)
	if err != nil {
		return nil, err
	}
	number, err := issueNumber(call.Input)
	if err != nil {
		return nil, err
	}
	text := call.Input.String("body")
	if strings.TrimSpace(text) == "" {
		return nil, connectors.InputError("body", "empty")
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var out CommentOutput
	if err := a.post(ctx, "/repos/"+repo+"/issues/"+number+"/comments", map[string]any{"body": text}, &out); err != nil {
		return nil, fmt.Errorf("commenting on %s#%s: %w", repo, number, err)
	}
	return out, nil
}
