package jira

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestTransitionIssue(t *testing.T) {
	tests := []struct {
		name, transition, wantID, wantStatus string
	}{
		{"by id", "11", "11", "In Progress"},
		{"by transition name", "start PROGRESS", "11", "In Progress"},
		{"by target status", "done", "31", "Done"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			out, err := f.InvokeJSON("transition_issue", connectors.Values{"issue_key": "PROJ-24", "transition": tc.transition})
			if err != nil {
				t.Fatal(err)
			}
			connectortest.CheckOutputShape(t, New(), "transition_issue", out)
			reqs := f.Requests()
			if len(reqs) != 2 || reqs[0].Method != "GET" || reqs[1].Method != "POST" || reqs[1].Path != "/rest/api/3/issue/PROJ-24/transitions" {
				t.Fatalf("requests = %+v", reqs)
			}
			if got := connectortest.JSON(t, reqs[1].JSON()); got != `{"transition":{"id":"`+tc.wantID+`"}}` {
				t.Errorf("body = %s", got)
			}
			if out["transition_id"] != tc.wantID || out["status"] != tc.wantStatus || out["changed"] != true || f.issues["PROJ-24"] != tc.wantStatus {
				t.Errorf("output = %v, issue status %q", out, f.issues["PROJ-24"])
			}
		})
	}
}

func TestTransitionIssueWithCommentAndFields(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("transition_issue", connectors.Values{"issue_key": "PROJ-24", "transition": "Done", "comment": "Shipped.",
		"fields": map[string]any{"resolution": map[string]any{"name": "Done"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"fields":{"resolution":{"name":"Done"}},"transition":{"id":"31"},"update":{"comment":[{"add":{"body":` +
		`{"content":[{"content":[{"text":"Shipped.","type":"text"}],"type":"paragraph"}],"type":"doc","version":1}}}]}}`
	if got := connectortest.JSON(t, f.Requests()[1].JSON()); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
}

// A retried step finds the issue already in the target status and changes
// nothing.
func TestTransitionIssueRetry(t *testing.T) {
	f := newFake(t)
	in := connectors.Values{"issue_key": "PROJ-24", "transition": "Done"}
	if _, err := f.Invoke("transition_issue", in); err != nil {
		t.Fatal(err)
	}
	out, err := f.InvokeJSON("transition_issue", in)
	if err != nil {
		t.Fatal(err)
	}
	if out["changed"] != false || out["status"] != "Done" {
		t.Errorf("output = %v", out)
	}
	if n := len(f.Requests()); n != 4 {
		t.Errorf("%d requests, want GET+POST then GET transitions + GET status", n)
	}
}

func TestTransitionIssueUnknown(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("transition_issue", connectors.Values{"issue_key": "PROJ-24", "transition": "Archive"})
	want := `input.transition: PROJ-24 has no transition "Archive" from status "To Do"; available: "Start progress" (id 11, to In Progress), "Close" (id 31, to Done)`
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}
