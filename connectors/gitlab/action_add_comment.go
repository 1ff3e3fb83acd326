package gitlab

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
		Description: "Add a comment (a note) to an issue (POST /projects/:id/issues/:issue_iid/notes).",
		Input: []connectors.Field{
			projectField(),
			iidField(),
			{Name: "body", Title: "Comment", Type: connectors.TypeString, Required: true, Example: "Tracked as PROJ-24.", Help: "Markdown, up to 1,000,000 characters."},
			{Name: "internal", Title: "Internal note", Type: connectors.TypeBoolean, Default: false,
				Help: "Visible only to project members with at least the Reporter role."},
		},
		OutputSample: json.RawMessage(`{"id":302,"body":"Tracked as PROJ-24.","created_at":"2024-05-01T10:00:00.000Z","noteable_iid":42,"internal":false}`),
		Run:          runAddComment,
	}
}

// NoteOutput is what add_comment returns.
type NoteOutput struct {
	ID          json.Number `json:"id"`
	Body        string      `json:"body"`
	CreatedAt   string      `json:"created_at"`
	NoteableIID json.Number `json:"noteable_iid"`
	Internal    bool        `json:"internal"`
}

// maxNoteLength is GitLab's limit on a note's body.
const maxNoteLength = 1_000_000

func runAddComment(ctx context.Context, call *connectors.Call) (any, error) {
	proj, err := project(call.Input)
	if err != nil {
		return nil, err
	}
	iid, err := issueIID(call.Input)
	if err != nil {
		return nil, err
	}
	text := call.Input.String("body")
	switch {
	case strings.TrimSpace(text) == "":
		return nil, connectors.InputError("body", "empty")
	case len([]rune(text)) > maxNoteLength:
		return nil, connectors.InputError("body", fmt.Sprintf("longer than %d characters", maxNoteLength))
	}
	body := map[string]any{"body": text}
	if in, _ := call.Input["internal"].(bool); in {
		body["internal"] = true
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var out NoteOutput
	if err := a.do(ctx, http.MethodPost, "/projects/"+proj+"/issues/"+iid+"/notes", body, &out); err != nil {
		return nil, fmt.Errorf("commenting on issue #%s: %w", iid, err)
	}
	return out, nil
}
