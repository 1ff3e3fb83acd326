package gitlab

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestAddComment(t *testing.T) {
	f := newFake(t)
	out, err := f.InvokeJSON("add_comment", connectors.Values{"project": 3, "issue_iid": "42", "body": "Tracked as PROJ-24.", "internal": true})
	if err != nil {
		t.Fatal(err)
	}
	connectortest.CheckOutputShape(t, New(), "add_comment", out)
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/api/v4/projects/3/issues/42/notes" ||
		!reflect.DeepEqual(reqs[0].JSON(), map[string]any{"body": "Tracked as PROJ-24.", "internal": true}) {
		t.Fatalf("requests = %+v", reqs)
	}
	if out["id"] != float64(1001) || out["noteable_iid"] != float64(42) || out["internal"] != true {
		t.Errorf("output = %v", out)
	}
}

func TestAddCommentErrors(t *testing.T) {
	f := newFake(t)
	for _, tc := range []struct {
		input connectors.Values
		want  string
	}{
		{connectors.Values{"project": 3, "issue_iid": "#42", "body": "x"}, "input.issue_iid: want the issue's number"},
		{connectors.Values{"project": 3, "issue_iid": 42, "body": "\n"}, "input.body: empty"},
	} {
		_, err := f.Invoke("add_comment", tc.input)
		if err == nil || !strings.Contains(err.Error(), tc.want) || connectors.ClassOf(err) != connectors.ClassPermanent {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
	if len(f.Requests()) != 0 {
		t.Error("GitLab was called with bad input")
	}
	_, err := f.Invoke("add_comment", connectors.Values{"project": 3, "issue_iid": 7, "body": "x"})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "commenting on issue #7") {
		t.Fatalf("unknown issue: err = %v", err)
	}
}
