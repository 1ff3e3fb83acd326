package github

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hookflow/hookflow/connectors"
)

func addLabelsAction() *connectors.Action {
	return &connectors.Action{
		Name:  "add_labels",
		Title: "Add labels to an issue or pull request",
		Description: "Add labels, keeping those already set (POST /repos/{owner}/{repo}/issues/{issue_number}/labels). " +
			"Adding a label twice changes nothing, so a retried step is harmless.",
		Input: []connectors.Field{
			repoField(),
			numberField(),
			{Name: "labels", Title: "Labels", Type: connectors.TypeArray, Required: true, Example: []any{"triaged", "jira"}},
		},
		OutputSample: json.RawMessage(`{"labels":["bug","triaged","jira"]}`),
		Run:          runAddLabels,
	}
}

// LabelsOutput is what add_labels returns: every label the issue now has.
type LabelsOutput struct {
	Labels []string `json:"labels"`
}

func runAddLabels(ctx context.Context, call *connectors.Call) (any, error) {
	repo, err := repository(call.Input)
	if err != nil {
		return nil, err
	}
	number, err := issueNumber(call.Input)
	if err != nil {
		return nil, err
	}
	labels, err := stringList(call.Input, "labels")
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
	var resp []struct {
		Name string `json:"name"`
	}
	if err := a.post(ctx, "/repos/"+repo+"/issues/"+number+"/labels", map[string]any{"labels": labels}, &resp); err != nil {
		return nil, fmt.Errorf("labelling %s#%s: %w", repo, number, err)
	}
	out := LabelsOutput{Labels: make([]string, 0, len(resp))}
	for _, l := range resp {
		out.Labels = append(out.Labels, l.Name)
	}
	return out, nil
}
