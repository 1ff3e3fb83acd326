package jira

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func transitionIssueAction() *connectors.Action {
	return &connectors.Action{
		Name:  "transition_issue",
		Title: "Transition an issue",
		Description: "Move an issue through its workflow, e.g. to Done. The transition is named by its id, its name " +
			"(\"Close Issue\") or the status it leads to (\"Done\"): the action reads the issue's available transitions " +
			"(GET …/transitions) and posts the one that matches. An issue already in the named status is left alone, so a " +
			"retried step changes nothing twice.",
		Input: []connectors.Field{
			issueKeyField(),
			{Name: "transition", Title: "Transition", Type: connectors.TypeString, Required: true, Example: "Done",
				Help: "A transition id (\"31\"), a transition name or the target status name, compared case-insensitively."},
			{Name: "comment", Title: "Comment", Type: connectors.TypeString, Example: "Closed by hookflow.",
				Help: "Plain text added as a comment with the transition."},
			{Name: "fields", Title: "Fields", Type: connectors.TypeObject, Example: map[string]any{"resolution": map[string]any{"name": "Done"}},
				Help: "Fields the transition screen sets, such as the resolution."},
		},
		OutputSample: json.RawMessage(`{"issue_key":"PROJ-24","transition_id":"31","transition":"Done","status":"Done","changed":true}`),
		Run:          runTransitionIssue,
	}
}

// TransitionOutput is what transition_issue returns.
type TransitionOutput struct {
	IssueKey     string `json:"issue_key"`
	TransitionID string `json:"transition_id,omitempty"`
	Transition   string `json:"transition,omitempty"`
	Status       string `json:"status"`
	Changed      bool   `json:"changed"`
}

type transition struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	To   struct {
		Name string `json:"name"`
	} `json:"to"`
}

func runTransitionIssue(ctx context.Context, call *connectors.Call) (any, error) {
	key, err := issueKey(call.Input)
	if err != nil {
		return nil, err
	}
	want := strings.TrimSpace(call.Input.String("transition"))
	if want == "" {
		return nil, connectors.InputError("transition", "empty")
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var list struct {
		Transitions []transition `json:"transitions"`
	}
	if err := a.do(ctx, http.MethodGet, "/issue/"+key+"/transitions", nil, &list); err != nil {
		return nil, fmt.Errorf("reading transitions of %s: %w", key, err)
	}
	t := pick(list.Transitions, want)
	if t == nil {
		// A retried step finds the issue already moved: its status is the
		// one asked for, and nothing is left to do.
		var issue struct {
			Fields struct {
				Status struct {
					Name string `json:"name"`
				} `json:"status"`
			} `json:"fields"`
		}
		if err := a.do(ctx, http.MethodGet, "/issue/"+key+"?fields=status", nil, &issue); err != nil {
			return nil, fmt.Errorf("reading status of %s: %w", key, err)
		}
		if status := issue.Fields.Status.Name; strings.EqualFold(status, want) {
			return TransitionOutput{IssueKey: key, Status: status}, nil
		}
		names := make([]string, 0, len(list.Transitions))
		for _, t := range list.Transitions {
			names = append(names, fmt.Sprintf("%q (id %s, to %s)", t.Name, t.ID, t.To.Name))
		}
		return nil, connectors.InputError("transition", fmt.Sprintf("%s has no transition %q from status %q; available: %s",
			key, want, issue.Fields.Status.Name, strings.Join(names, ", ")))
	}
	body := map[string]any{"transition": map[string]any{"id": t.ID}}
	if f, ok := call.Input["fields"].(map[string]any); ok && len(f) > 0 {
		body["fields"] = f
	}
	if c := call.Input.String("comment"); strings.TrimSpace(c) != "" {
		body["update"] = map[string]any{"comment": []any{map[string]any{"add": map[string]any{"body": ADF(c)}}}}
	}
	if err := a.do(ctx, http.MethodPost, "/issue/"+key+"/transitions", body, nil); err != nil {
		return nil, fmt.Errorf("transitioning %s with %q: %w", key, t.Name, err)
	}
	return TransitionOutput{IssueKey: key, TransitionID: t.ID, Transition: t.Name, Status: t.To.Name, Changed: true}, nil
}

// pick finds the transition named by want: an exact id first, then a
// transition name, then a target status name.
func pick(ts []transition, want string) *transition {
	for i := range ts {
		if ts[i].ID == want {
			return &ts[i]
		}
	}
	for i := range ts {
		if strings.EqualFold(ts[i].Name, want) {
			return &ts[i]
		}
	}
	for i := range ts {
		if strings.EqualFold(ts[i].To.Name, want) {
			return &ts[i]
		}
	}
	return nil
}
