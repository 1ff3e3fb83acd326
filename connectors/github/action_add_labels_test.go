package github

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestAddLabels(t *testing.T) {
	f := newFake(t)
	in := connectors.Values{"repository": "octocat/hello-world", "issue_number": 1347, "labels": []any{"triaged", " jira "}}
	out, err := f.InvokeJSON("add_labels", in)
	if err != nil {
		t.Fatal(err)
	}
	connectortest.CheckOutputShape(t, New(), "add_labels", out)
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/repos/octocat/hello-world/issues/1347/labels" ||
		!reflect.DeepEqual(reqs[0].JSON(), map[string]any{"labels": []any{"triaged", "jira"}}) {
		t.Fatalf("requests = %+v", reqs)
	}
	if !reflect.DeepEqual(out["labels"], []any{"bug", "triaged", "jira"}) {
		t.Errorf("output = %v", out)
	}
	// A retried step adds nothing twice.
	again, err := f.InvokeJSON("add_labels", in)
	if err != nil || !reflect.DeepEqual(again["labels"], out["labels"]) {
		t.Fatalf("retry = %v, %v", again, err)
	}
}

func TestAddLabelsBadInput(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("add_labels", connectors.Values{"repository": "octocat/hello-world", "issue_number": 1347, "labels": []any{}})
	if err == nil || !strings.Contains(err.Error(), "input.labels: needs at least one label") || connectors.ClassOf(err) != connectors.ClassPermanent {
		t.Fatalf("err = %v", err)
	}
	if len(f.Requests()) != 0 {
		t.Error("GitHub was called with bad input")
	}
}
