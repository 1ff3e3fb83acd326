package gitlab

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestCreateIssue(t *testing.T) {
	f := newFake(t)
	out, err := f.InvokeJSON("create_issue", connectors.Values{"project": "my-group/my-project", "title": "Checkout fails",
		"description": "From Jira", "labels": []any{"bug", "jira"}, "assignee_ids": []any{12, "13"}, "confidential": true, "due_date": "2024-06-30"})
	if err != nil {
		t.Fatal(err)
	}
	connectortest.CheckOutputShape(t, New(), "create_issue", out)
	reqs := f.Requests()
	if len(reqs) != 2 || reqs[0].Method != "GET" || reqs[1].Method != "POST" || reqs[1].Path != "/api/v4/projects/my-group/my-project/issues" {
		t.Fatalf("requests = %+v, want the lookup then the creation", reqs)
	}
	if got := reqs[0].Query.Encode(); got != "order_by=created_at&per_page=50&scope=all&sort=desc" {
		t.Errorf("lookup query = %s", got)
	}
	mark := "<!-- hookflow-idempotency-key: " + connectors.IdempotencyKey("run-1", "create_issue") + " -->"
	want := map[string]any{"title": "Checkout fails", "description": "From Jira\n\n" + mark, "labels": "bug,jira",
		"assignee_ids": []any{float64(12), float64(13)}, "confidential": true, "due_date": "2024-06-30"}
	if !reflect.DeepEqual(reqs[1].JSON(), want) {
		t.Errorf("body = %v\nwant %v", reqs[1].JSON(), want)
	}
	if out["iid"] != float64(43) || out["state"] != "opened" || !reflect.DeepEqual(out["labels"], []any{"bug", "jira"}) || out["created"] != true {
		t.Errorf("output = %v", out)
	}
}

// A step retried after GitLab created the issue but the answer was lost
// finds that issue by its marker instead of opening a second.
func TestCreateIssueRetryAfterLostResponse(t *testing.T) {
	f := newFake(t)
	f.loseCreate = true
	in := connectors.Values{"project": 3, "title": "Checkout fails"}
	if _, err := f.Invoke("create_issue", in); err == nil || connectors.ClassOf(err) != connectors.ClassRetryable {
		t.Fatalf("first attempt: err = %v, want a retryable 502", err)
	}
	out, err := f.InvokeJSON("create_issue", in)
	if err != nil {
		t.Fatal(err)
	}
	if out["iid"] != float64(43) || out["created"] != false || len(f.issues) != 2 {
		t.Fatalf("retry output = %v with %d issues, want issue 43 found again", out, len(f.issues))
	}
	connectortest.CheckOutputShape(t, New(), "create_issue", out)
}

func TestCreateIssueErrors(t *testing.T) {
	tests := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"project not a path", connectors.Values{"project": "my project", "title": "x"}, "input.project: \"my project\" is not a project id"},
		{"project not a number", connectors.Values{"project": -4, "title": "x"}, "input.project: want a project id"},
		{"blank title", connectors.Values{"project": 3, "title": " "}, "input.title: empty"},
		{"label with comma", connectors.Values{"project": 3, "title": "x", "labels": []any{"a,b"}}, "input.labels[0]: a GitLab label cannot contain a comma"},
		{"assignee not numeric", connectors.Values{"project": 3, "title": "x", "assignee_ids": []any{"root"}}, "input.assignee_ids[0]: want a numeric GitLab user id"},
		{"bad due date", connectors.Values{"project": 3, "title": "x", "due_date": "30/06/2024"}, "input.due_date: \"30/06/2024\" is not a date"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("create_issue", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.want)
			}
			if len(f.Requests()) != 0 {
				t.Error("GitLab was called with bad input")
			}
		})
	}
	f := newFake(t)
	_, err := f.Invoke("create_issue", connectors.Values{"project": 99, "title": "x"})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "404 Project Not Found") {
		t.Fatalf("unknown project: err = %v", err)
	}
}
