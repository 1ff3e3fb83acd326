package gitlab

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func addLabelsAction() *connectors.Action {
	return &connectors.Action{
		Name:  "add_labels",
		Title: "Add labels to an issue",
		Description: "Add labels to an issue, keeping those it has (PUT /projects/:id/issues/:issue_iid with add_labels). " +
			"Adding a label twice changes nothing, so a retried step is harmless.",
		Input: []connectors.Field{
			projectField(),
			iidField(),
			{Name: "labels", Title: "Labels", Type: connectors.TypeArray, Required: true, Example: []any{"triaged"}},
		},
		OutputSample: json.RawMessage(`{"id":84,"iid":42,"project_id":3,"title":"Checkout fails for EUR orders","state":"opened",` +
			`"web_url":"https://gitlab.com/my-group/my-project/-/issues/42","labels":["bug","triaged"]}`),
		Run: runAddLabels,
	}
}

func runAddLabels(ctx context.Context, call *connectors.Call) (any, error) {
	proj, err := project(call.Input)
	if err != nil {
		return nil, err
	}
	iid, err := issueIID(call.Input)
	if err != nil {
		return nil, err
	}
	labels, err := labelList(call.Input)
	if err != nil {
		return nil, err
	}
	if len(labels) == 0 {
		return nil, connectors.InputError("labels", "needs at least one label")
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var out IssueOutput
	if err := a.do(ctx, http.MethodPut, "/projects/"+proj+"/issues/"+iid, map[string]any{"add_labels": strings.Join(labels, ",")}, &out); err != nil {
		return nil, fmt.Errorf("labelling issue #%s: %w", iid, err)
	}
	if out.Labels == nil {
		out.Labels = []string{}
	}
	return out, nil
}
