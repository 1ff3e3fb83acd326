package github

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestCreateIssue(t *testing.T) {
	f := newFake(t)
	out, err := f.InvokeJSON("create_issue", connectors.Values{"repository": "octocat/hello-world", "title": " Checkout fails for EUR ",
		"body": "From support", "labels": []any{"bug", "jira"}, "assignees": []any{"mona"}, "milestone": 3})
	if err != nil {
		t.Fatal(err)
	}
	connectortest.CheckOutputShape(t, New(), "create_issue", out)
	reqs := f.Requests()
	if len(reqs) != 2 || reqs[0].Method != "GET" || reqs[1].Method != "POST" || reqs[1].Path != "/repos/octocat/hello-world/issues" {
		t.Fatalf("requests = %+v, want the lookup then the creation", reqs)
	}
	if got := reqs[0].Query.Encode(); got != "direction=desc&per_page=50&sort=created&state=all" {
		t.Errorf("lookup query = %s", got)
	}
	mark := "<!-- hookflow-idempotency-key: " + connectors.IdempotencyKey("run-1", "create_issue") + " -->"
	want := map[string]any{"title": "Checkout fails for EUR", "body": "From support\n\n" + mark, "labels": []any{"bug", "jira"},
		"assignees": []any{"mona"}, "milestone": float64(3)}
	if got := reqs[1].JSON(); !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v\nwant %v", got, want)
	}
	if out["number"] != float64(1348) || out["html_url"] != "https://github.com/octocat/hello-world/issues/1348" ||
		!reflect.DeepEqual(out["labels"], []any{"bug", "jira"}) || out["state"] != "open" || out["created"] != true {
		t.Errorf("output = %v", out)
	}
}

// A step retried after GitHub created the issue but the answer was lost
// finds that issue by its marker instead of opening a second; another
// step (another idempotency key) opens its own.
func TestCreateIssueRetryAfterLostResponse(t *testing.T) {
	f := newFake(t)
	f.loseCreate = true
	in := connectors.Values{"repository": "octocat/hello-world", "title": "Checkout fails"}
	_, err := f.Invoke("create_issue", in)
	if err == nil || connectors.ClassOf(err) != connectors.ClassRetryable {
		t.Fatalf("first attempt: err = %v, want a retryable 502", err)
	}
	out, err := f.InvokeJSON("create_issue", in)
	if err != nil {
		t.Fatal(err)
	}
	if out["number"] != float64(1348) || out["created"] != false || len(f.issues) != 2 {
		t.Fatalf("retry output = %v with %d issues, want issue 1348 found again", out, len(f.issues))
	}
	connectortest.CheckOutputShape(t, New(), "create_issue", out)
	other, err := f.Call(connectors.Invocation{Action: "create_issue", Input: in, StepID: "another_step"})
	if err != nil {
		t.Fatal(err)
	}
	if got := connectortest.Decode(t, other); got["number"] != float64(1349) || got["created"] != true {
		t.Errorf("another step's output = %v, want a new issue", got)
	}
}

func TestCreateIssueBadInput(t *testing.T) {
	tests := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"repository without owner", connectors.Values{"repository": "hello-world", "title": "x"}, "input.repository"},
		{"blank title", connectors.Values{"repository": "octocat/hello-world", "title": "  "}, "input.title: empty"},
		{"label not a string", connectors.Values{"repository": "octocat/hello-world", "title": "x", "labels": []any{"ok", 3}}, "input.labels[1]: want a string"},
		{"empty assignee", connectors.Values{"repository": "octocat/hello-world", "title": "x", "assignees": []any{""}}, "input.assignees[0]: empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("create_issue", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.want)
			}
			if len(f.Requests()) != 0 {
				t.Error("GitHub was called with bad input")
			}
		})
	}
}

func TestCreateIssueUnknownRepository(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("create_issue", connectors.Values{"repository": "octocat/nope", "title": "x"})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "Not Found") {
		t.Fatalf("err = %v, want permanent Not Found", err)
	}
}

func TestMissingToken(t *testing.T) {
	f := newFake(t)
	f.Credential = connectors.Values{CredentialWebhookSecret: "only-for-the-trigger"}
	_, err := f.Invoke("create_issue", connectors.Values{"repository": "octocat/hello-world", "title": "x"})
	if err == nil || !strings.Contains(err.Error(), "credential.token: required by GitHub actions") || connectors.ClassOf(err) != connectors.ClassPermanent {
		t.Fatalf("err = %v", err)
	}
}
