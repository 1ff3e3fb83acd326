package jira

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func addCommentAction() *connectors.Action {
	return &connectors.Action{
		Name:        "add_comment",
		Title:       "Comment on an issue",
		Description: "Add a comment to an issue (POST /rest/api/3/issue/{key}/comment). The text is plain text, sent as Atlassian Document Format.",
		Input: []connectors.Field{
			issueKeyField(),
			{Name: "body", Title: "Comment", Type: connectors.TypeString, Required: true, Example: "Fixed in https://github.com/octocat/hello-world/pull/1348",
				Help: "Plain text; blank lines separate paragraphs."},
		},
		OutputSample: json.RawMessage(`{"id":"10000","self":"https://acme.atlassian.net/rest/api/3/issue/10010/comment/10000","created":"2024-05-01T10:00:00.000+0000"}`),
		Run:          runAddComment,
	}
}

// CommentOutput is what add_comment returns.
type CommentOutput struct {
	ID      string `json:"id"`
	Self    string `json:"self"`
	Created string `json:"created"`
}

func runAddComment(ctx context.Context, call *connectors.Call) (any, error) {
	key, err := issueKey(call.Input)
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
	if err := a.do(ctx, http.MethodPost, "/issue/"+key+"/comment", map[string]any{"body": ADF(text)}, &out); err != nil {
		return nil, fmt.Errorf("commenting on %s: %w", key, err)
	}
	return out, nil
}
