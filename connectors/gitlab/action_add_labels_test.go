package gitlab

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestAddLabels(t *testing.T) {
	f := newFake(t)
	in := connectors.Values{"project": "my-group/my-project", "issue_iid": 42, "labels": []any{"triaged", "bug"}}
	out, err := f.InvokeJSON("add_labels", in)
	if err != nil {
		t.Fatal(err)
	}
	connectortest.CheckOutputShape(t, New(), "add_labels", out)
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Method != "PUT" || reqs[0].Path != "/api/v4/projects/my-group/my-project/issues/42" ||
		!reflect.DeepEqual(reqs[0].JSON(), map[string]any{"add_labels": "triaged,bug"}) {
		t.Fatalf("requests = %+v", reqs)
	}
	if !reflect.DeepEqual(out["labels"], []any{"bug", "triaged"}) {
		t.Errorf("output = %v", out)
	}
	again, err := f.InvokeJSON("add_labels", in)
	if err != nil || !reflect.DeepEqual(again["labels"], out["labels"]) {
		t.Fatalf("retry = %v, %v", again, err)
	}
}

func TestAddLabelsNone(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("add_labels", connectors.Values{"project": 3, "issue_iid": 42, "labels": []any{}})
	if err == nil || !strings.Contains(err.Error(), "input.labels: needs at least one label") {
		t.Fatalf("err = %v", err)
	}
}
