package interpreter

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

// batchInput is a batch of n events of def, event i with body body(i).
func batchInput(t *testing.T, def string, n int, body func(i int) string) BatchInput {
	t.Helper()
	in := BatchInput{BatchID: "bat_test", WorkflowID: "wf_test", Version: 1, Definition: json.RawMessage(def), Hash: "h1"}
	for i := range n {
		in.Runs = append(in.Runs, BatchRun{RunID: fmt.Sprintf("run-%d", i),
			Event: EventInfo{ID: fmt.Sprintf("evt_%d", i), ProviderID: fmt.Sprintf("prov_%d", i), Type: "test.event",
				ReceivedAt: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), Body: json.RawMessage(body(i))}})
	}
	return in
}

// Every run of a batch is a run of its own: its summary, step log,
// status, effects and idempotency key, as if it had its own execution.
func TestBatchRunsEachEventAsItsOwnRun(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "batch", "trigger": {"type": "webhook"}, "steps": [
		{"id": "big", "type": "filter", "if": "trigger.amount >= 100"},
		{"id": "crm", "type": "action", "connector": "test", "action": "echo", "credential": "test-cred",
			"input": {"value": "{{ trigger.amount }} from {{ event.provider_id }}"}},
		{"id": "flaky", "type": "action", "connector": "test", "action": "flaky", "credential": "test-cred",
			"input": {"fail_times": "{{ trigger.fails }}"}, "retry": {"max_attempts": 3, "initial_interval": "1s"}}]}`
	// Ten events: every third is filtered, the one with fails 5 fails
	// for good, the others complete (some after a retry).
	in := batchInput(t, def, 10, func(i int) string {
		amount, fails := 500, i%2
		if i%3 == 0 {
			amount = 50
		}
		if i == 7 {
			fails = 5
		}
		return fmt.Sprintf(`{"amount": %d, "fails": %d}`, amount, fails)
	})
	in.Lanes = 3
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: BatchWorkflowID(in.BatchID)})
	env.ExecuteWorkflow(BatchWorkflowName, in)
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("batch: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var res BatchResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, r := range res.Runs {
		want := StatusCompleted
		switch {
		case i%3 == 0:
			want = StatusFiltered
		case i == 7:
			want = StatusFailed
		}
		if r.RunID != fmt.Sprintf("run-%d", i) || r.Status != want {
			t.Errorf("result %d = %+v, want status %s", i, r, want)
		}
		stored, err := fx.store.GetRun(ctx, r.RunID)
		if err != nil {
			t.Fatalf("run %s has no summary: %v", r.RunID, err)
		}
		if stored.Status != want || stored.EventID != fmt.Sprintf("evt_%d", i) || stored.EndedAt == nil ||
			stored.ExecutionID != BatchWorkflowID(in.BatchID) {
			t.Errorf("stored run %d = %+v", i, stored)
		}
		var steps []StepRecord
		if err := json.Unmarshal(stored.Steps, &steps); err != nil {
			t.Fatal(err)
		}
		if want == StatusFiltered {
			continue
		}
		if len(steps) != 3 || steps[1].Path != "crm" {
			t.Fatalf("run %d step log = %s", i, stored.Steps)
		}
		var out map[string]any
		_ = json.Unmarshal(steps[1].Output, &out)
		// Each run called the provider with its own idempotency key and
		// saw its own result, not a neighbour's recorded effect.
		if out["echo"] != fmt.Sprintf("500 from prov_%d", i) || out["key"] != connectors.IdempotencyKey(fmt.Sprintf("run-%d", i), "crm") {
			t.Errorf("run %d crm output = %v", i, out)
		}
		if i != 7 && i%2 == 1 && steps[2].Attempts != 2 {
			t.Errorf("run %d: the flaky step took %d attempts, want 2", i, steps[2].Attempts)
		}
	}
	if n := fx.provider.count("echo"); n != 6 {
		t.Errorf("the provider got %d echo calls, want one per unfiltered run (6)", n)
	}
	// The live log of one run of the batch, by its id.
	v, err := env.QueryWorkflow(QueryRunLog, "run-4")
	if err != nil {
		t.Fatal(err)
	}
	var l RunLog
	if err := v.Get(&l); err != nil || l.RunID != "run-4" || l.Status != StatusCompleted {
		t.Fatalf("run log of run-4 = %+v (%v)", l, err)
	}
	if _, err := env.QueryWorkflow(QueryRunLog, "run-99"); err == nil || !strings.Contains(err.Error(), "no run") {
		t.Fatalf("query of a run the batch does not carry: %v", err)
	}
}

// Cancelling one run of a batch cancels that run only.
func TestBatchCancelsOneRun(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "batch", "trigger": {"type": "webhook"}, "steps": [
		{"id": "flaky", "type": "action", "connector": "test", "action": "flaky", "credential": "test-cred",
			"input": {"fail_times": "{{ trigger.fails }}"}, "retry": {"max_attempts": 5, "initial_interval": "10s"}}]}`
	in := batchInput(t, def, 3, func(i int) string {
		if i == 1 {
			return `{"fails": 4}` // retries for a while: long enough to be cancelled
		}
		return `{"fails": 0}`
	})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalCancelRun, "run-1") }, 5*time.Second)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: BatchWorkflowID(in.BatchID)})
	env.ExecuteWorkflow(BatchWorkflowName, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{store.RunCompleted, store.RunCancelled, store.RunCompleted} {
		r, err := fx.store.GetRun(context.Background(), fmt.Sprintf("run-%d", i))
		if err != nil || r.Status != want {
			t.Errorf("run-%d = %+v (%v), want %s", i, r, err, want)
		}
	}
}

func TestBatchable(t *testing.T) {
	cases := []struct {
		def, why string
	}{
		{`{"trigger":{"type":"webhook"},"steps":[{"id":"f","type":"filter","if":"true"},{"id":"h","type":"http","method":"POST","url":"http://x"}]}`, ""},
		{`{"trigger":{"type":"webhook","respond":"on_complete"},"steps":[]}`, "the trigger replies synchronously"},
		{`{"trigger":{"type":"webhook","order_key":"a"},"steps":[]}`, "the trigger orders runs by order_key"},
		{`{"trigger":{"type":"webhook","sequence":"ts","order_key":"a"},"steps":[]}`, "the trigger orders runs by order_key"},
		{`{"trigger":{"type":"webhook","concurrency":{"limit":2}},"steps":[]}`, "the trigger limits concurrent runs"},
		{`{"trigger":{"type":"webhook"},"settings":{"run_timeout":"1m"},"steps":[]}`, "the workflow sets a run timeout"},
		{`{"trigger":{"type":"webhook"},"steps":[{"id":"d","type":"delay","duration":"1s"}]}`, `step "d" sleeps`},
		{`{"trigger":{"type":"webhook"},"steps":[{"id":"p","type":"parallel","branches":[{"steps":[{"id":"w","type":"wait_for_event","event":"x"}]}]}]}`,
			`step "w" waits for an event or an approval`},
		{`{"trigger":{"type":"webhook"},"steps":[{"id":"e","type":"foreach","items":"x","steps":[{"id":"c","type":"call_workflow","workflow":"x"}]}]}`,
			`step "c" calls another workflow`},
		{`{"trigger":{"type":"webhook"},"steps":[{"id":"r","type":"respond","status":200}]}`, `step "r" replies synchronously`},
		{`{"trigger":{"type":"webhook"},"steps":[{"id":"l","type":"loop","until":"true","delay":"1s","steps":[]}]}`, `step "l" sleeps between iterations`},
	}
	for _, c := range cases {
		var d definition.Definition
		if err := json.Unmarshal([]byte(c.def), &d); err != nil {
			t.Fatal(err)
		}
		ok, why := Batchable(&d, nil)
		if ok != (c.why == "") || why != c.why {
			t.Errorf("%s: Batchable = %v %q, want %q", c.def, ok, why, c.why)
		}
	}
}
