package interpreter

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/hookflow/hookflow/engine/store"
)

// dataDef is a workflow that counts orders per customer in a shared
// store, remembers which orders it notified in its private store, and
// keeps a list of recent order ids.
const dataDef = `{"name": "d", "trigger": {"type": "webhook"}, "steps": [
	{"id": "seen", "type": "data", "op": "get", "key": "order:{{ trigger.id }}", "value": false},
	{"id": "mark", "type": "data", "op": "set", "key": "order:{{ trigger.id }}", "value": {"total": "{{ trigger.total }}"}, "ttl": "24h"},
	{"id": "count", "type": "data", "op": "increment", "store": "crm", "key": "orders:{{ trigger.customer }}", "by": 2},
	{"id": "recent", "type": "data", "op": "append", "store": "crm", "key": "recent", "value": "{{ trigger.id }}", "max_items": 2},
	{"id": "again", "type": "data", "op": "get", "key": "order:{{ trigger.id }}"},
	{"id": "drop", "type": "data", "op": "delete", "store": "crm", "key": "nothing-here"}]}`

func TestDataStepRunsEveryOp(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	for i, id := range []string{"o1", "o2", "o3"} {
		in := input(t, dataDef, fmt.Sprintf(`{"id": %q, "total": %d, "customer": "c1"}`, id, 10*(i+1)))
		in.RunID = "run-" + id
		_, err, l := run(t, fx.newEnv(t), in)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(step(t, l, "seen").Output); got != `{"found":false,"value":false}` {
			t.Errorf("%s: get of a missing key = %s, want found false with the step's value", id, got)
		}
		if got, want := string(step(t, l, "again").Output), fmt.Sprintf(`{"found":true,"value":{"total":%d}}`, 10*(i+1)); got != want {
			t.Errorf("%s: get after set = %s, want %s", id, got, want)
		}
		if got, want := string(step(t, l, "count").Output), fmt.Sprintf(`{"value":%d}`, 2*(i+1)); got != want {
			t.Errorf("%s: increment = %s, want %s", id, got, want)
		}
		if got := string(step(t, l, "drop").Output); got != `{"found":false}` {
			t.Errorf("%s: delete of a missing key = %s", id, got)
		}
	}
	// The default store is the workflow's own; the named one is shared.
	kv, err := fx.store.GetKV(ctx, store.PrivateStore("wf_test"), "order:o2")
	if err != nil || string(kv.Value) != `{"total":20}` || kv.ExpiresAt == nil {
		t.Fatalf("private store order:o2 = %s (expires %v), %v", kv.Value, kv.ExpiresAt, err)
	}
	recent, err := fx.store.GetKV(ctx, "crm", "recent")
	if err != nil || string(recent.Value) != `["o2","o3"]` {
		t.Fatalf("crm recent = %s, %v; want the newest 2 ids", recent.Value, err)
	}
}

func TestDataStepErrorsNameTheField(t *testing.T) {
	fx := newFixture(t)
	big := strings.Repeat("x", store.MaxKVValueBytes)
	tests := []struct {
		name, def, body, want string
	}{
		{name: "value too big",
			def:  `{"name": "d", "trigger": {"type": "webhook"}, "steps": [{"id": "s", "type": "data", "op": "set", "key": "k", "value": "{{ trigger.big }}"}]}`,
			body: `{"big": "` + big + `"}`, want: "value: is 262146 bytes of JSON, over the data store's limit of 262144 (256 KiB)"},
		{name: "increment of text",
			def: `{"name": "d", "trigger": {"type": "webhook"}, "steps": [
				{"id": "s", "type": "data", "op": "set", "key": "k", "value": "ada"},
				{"id": "i", "type": "data", "op": "increment", "key": "k"}]}`,
			body: `{}`, want: `incrementing key "k" of store "workflow:wf_test": its value is not an integer`},
		{name: "empty key",
			def:  `{"name": "d", "trigger": {"type": "webhook"}, "steps": [{"id": "s", "type": "data", "op": "delete", "key": "{{ trigger.k }}"}]}`,
			body: `{"k": ""}`, want: "key: is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err, l := run(t, fx.newEnv(t), input(t, tt.def, tt.body))
			if err == nil {
				t.Fatal("the run succeeded")
			}
			if !strings.Contains(l.Error, tt.want) {
				t.Fatalf("run error %q, want it to say %q", l.Error, tt.want)
			}
		})
	}
}

// TestDataIncrementAppliedOnceWhenRetried runs the same increment and
// append of one step twice in one Temporal run, as after a worker crash
// between the write and Temporal recording it: the store changes once and
// both attempts return the same result.
func TestDataIncrementAppliedOnceWhenRetried(t *testing.T) {
	fx := newFixture(t)
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	RegisterActivities(env, NewActivities(fx.deps()))
	exec := func(req DataRequest) string {
		t.Helper()
		v, err := env.ExecuteActivity(ActivityData, req)
		if err != nil {
			t.Fatal(err)
		}
		var out StepOutput
		if err := v.Get(&out); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(out.Output)
		return string(raw)
	}
	inc := DataRequest{RunID: "r1", Step: "count", Op: "increment", Store: "s", Key: "n", By: 5}
	app := DataRequest{RunID: "r1", Step: "log", Op: "append", Store: "s", Key: "l", Value: "x", HasValue: true}
	for i := 0; i < 2; i++ {
		if got := exec(inc); got != `{"value":5}` {
			t.Fatalf("increment attempt %d = %s, want {\"value\":5}", i+1, got)
		}
		if got := exec(app); got != `{"length":1,"value":["x"]}` {
			t.Fatalf("append attempt %d = %s", i+1, got)
		}
	}
	// Another step of the run is another increment.
	inc.Step = "count2"
	if got := exec(inc); got != `{"value":10}` {
		t.Fatalf("another step's increment = %s, want {\"value\":10}", got)
	}
	kv, err := fx.store.GetKV(context.Background(), "s", "n")
	if err != nil || string(kv.Value) != "10" {
		t.Fatalf("stored counter = %s, %v; want 10", kv.Value, err)
	}
}
