package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/interpreter"
)

// TestOrderedRunsKeepArrivalOrder queues three events of one order key
// (the first is the slowest) plus a duplicate, and checks the runs' side
// effects happen once each, in arrival order.
func TestOrderedRunsKeepArrivalOrder(t *testing.T) {
	s := StartStack(t)
	s.StartWorker(t)
	def := `{"name": "ordered", "trigger": {"type": "webhook", "order_key": "customer"}, "steps": [
		{"id": "slow", "type": "delay", "until": "addDuration(now(), trigger.wait)"},
		{"id": "post", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live",
			"input": {"text": "event {{ trigger.n }}"}}]}`
	ctx := context.Background()
	queue := func(n int, wait string) {
		in := Input(t, "wf_ordered", fmt.Sprintf("evt_o%d", n), def, fmt.Sprintf(`{"customer": "cus_1", "n": %d, "wait": %q}`, n, wait))
		if _, err := interpreter.StartOrdered(ctx, s.Client, s.TaskQueue, "cus_1", in); err != nil {
			t.Fatal(err)
		}
	}
	queue(1, "2s")
	queue(2, "0s")
	queue(2, "0s") // a provider retry of event 2
	queue(3, "0s")
	for i, want := range []string{`{"text":"event 1"}`, `{"text":"event 2"}`, `{"text":"event 3"}`} {
		if got := s.Sink.WaitArrival(t, time.Minute); got != want {
			t.Fatalf("arrival %d = %s, want %s", i+1, got, want)
		}
	}
	for n := 1; n <= 3; n++ {
		if _, err := s.Await(t, interpreter.RunWorkflowID("wf_ordered", fmt.Sprintf("evt_o%d", n)), time.Minute); err != nil {
			t.Fatalf("run %d: %v", n, err)
		}
	}
	if keys, maxPer := s.Sink.Effects(); keys != 3 || maxPer != 1 {
		t.Errorf("effects %d (max %d per key), want 3 once each", keys, maxPer)
	}
}
