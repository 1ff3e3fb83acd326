package jira

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

var projectKeyPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]+$`)

func createIssueAction() *connectors.Action {
	return &connectors.Action{
		Name:  "create_issue",
		Title: "Create an issue",
		Description: "Create an issue in a project (POST /rest/api/3/issue). The description is plain text, sent as " +
			"Atlassian Document Format. Jira has no idempotency keys: a step retried after a lost response may create " +
			"the issue twice.",
		Input: []connectors.Field{
			{Name: "project_key", Title: "Project key", Type: connectors.TypeString, Required: true, Example: "PROJ",
				Pattern: projectKeyPattern.String(), PatternHelp: "a project key is upper-case letters and digits, e.g. PROJ"},
			{Name: "summary", Title: "Summary", Type: connectors.TypeString, Required: true, Example: "Checkout fails for EUR orders",
				Help: "One line, up to 255 characters."},
			{Name: "issue_type", Title: "Issue type", Type: connectors.TypeString, Default: "Task", Example: "Bug",
				Help: "The issue type's name as the project shows it: Task, Bug, Story…"},
			{Name: "description", Title: "Description", Type: connectors.TypeString, Example: "Reported on GitHub: …",
				Help: "Plain text; blank lines separate paragraphs."},
			{Name: "labels", Title: "Labels", Type: connectors.TypeArray, Example: []any{"github"}, Help: "Labels cannot contain spaces."},
			{Name: "priority", Title: "Priority", Type: connectors.TypeString, Example: "High"},
			{Name: "assignee_account_id", Title: "Assignee account id", Type: connectors.TypeString, Example: "5b10ac8d82e05b22cc7d4ef5"},
			{Name: "fields", Title: "Other fields", Type: connectors.TypeObject, Example: map[string]any{"customfield_10010": "value"},
				Help: "More fields by id, sent as they are (custom fields, components…); they win over the fields above."},
		},
		OutputSample: json.RawMessage(`{"id":"10000","key":"PROJ-24","self":"https://acme.atlassian.net/rest/api/3/issue/10000","url":"https://acme.atlassian.net/browse/PROJ-24"}`),
		Run:          runCreateIssue,
	}
}

// IssueOutput is what create_issue returns; url is the issue's page.
type IssueOutput struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Self string `json:"self"`
	URL  string `json:"url"`
}

func runCreateIssue(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	project := strings.TrimSpace(in.String("project_key"))
	if !projectKeyPattern.MatchString(project) {
		return nil, connectors.InputError("project_key", fmt.Sprintf("%q is not a project key such as PROJ", project))
	}
	summary := strings.TrimSpace(in.String("summary"))
	switch {
	case summary == "":
		return nil, connectors.InputError("summary", "empty")
	case strings.ContainsAny(summary, "\r\n"):
		return nil, connectors.InputError("summary", "must be one line")
	case len([]rune(summary)) > 255:
		return nil, connectors.InputError("summary", "longer than 255 characters")
	}
	issueType := in.String("issue_type")
	if issueType == "" {
		issueType = "Task"
	}
	fields := map[string]any{
		"project":   map[string]any{"key": project},
		"summary":   summary,
		"issuetype": map[string]any{"name": issueType},
	}
	if d := in.String("description"); strings.TrimSpace(d) != "" {
		fields["description"] = ADF(d)
	}
	if raw, ok := in["labels"].([]any); ok && len(raw) > 0 {
		labels := make([]string, 0, len(raw))
		for i, l := range raw {
			s, ok := l.(string)
			s = strings.TrimSpace(s)
			switch {
			case !ok || s == "":
				return nil, connectors.InputError(fmt.Sprintf("labels[%d]", i), "want a non-empty string")
			case strings.ContainsAny(s, " \t"):
				return nil, connectors.InputError(fmt.Sprintf("labels[%d]", i), fmt.Sprintf("%q: a Jira label cannot contain spaces", s))
			}
			labels = append(labels, s)
		}
		fields["labels"] = labels
	}
	if p := in.String("priority"); p != "" {
		fields["priority"] = map[string]any{"name": p}
	}
	if a := in.String("assignee_account_id"); a != "" {
		fields["assignee"] = map[string]any{"accountId": a}
	}
	if more, ok := in["fields"].(map[string]any); ok {
		for k, v := range more {
			fields[k] = v
		}
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var out IssueOutput
	if err := a.do(ctx, http.MethodPost, "/issue", map[string]any{"fields": fields}, &out); err != nil {
		return nil, fmt.Errorf("creating issue in %s: %w", project, err)
	}
	out.URL = a.base + "/browse/" + out.Key
	return out, nil
}
