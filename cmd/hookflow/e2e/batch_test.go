package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/interpreter"
)

// batchDef filters, then makes callSteps' short call (a local activity)
// and call without a timeout (a regular activity), so a batch's history
// holds every kind of command a batched run issues.
const batchDef = `{"name": "batch", "trigger": {"type": "webhook"}, "steps": [
	{"id": "big", "type": "filter", "if": "trigger.n != 2"},` + callSteps + `]}`

// TestBatchOnTheRealServer runs one batch of three events on the real
// server: each run ends with its own status and summary, each call has
// exactly one effect, no secret reaches the history, and the history is
// recorded for the interpreter's replay test, so a later change to the
// batch's commands that is not versioned fails there.
func TestBatchOnTheRealServer(t *testing.T) {
	s := StartStack(t)
	s.StartWorker(t)
	ctx := context.Background()
	in := interpreter.BatchInput{BatchID: "bat_e2e_1", WorkflowID: "wf_batch", Version: 1, Definition: []byte(batchDef),
		Hash: "test", Lanes: 2}
	for n := 1; n <= 3; n++ {
		one := Input(t, "wf_batch", fmt.Sprintf("evt_batch_%d", n), batchDef, fmt.Sprintf(`{"n": %d}`, n))
		in.Runs = append(in.Runs, interpreter.BatchRun{RunID: one.RunID, Event: one.Event})
	}
	if err := interpreter.StartBatch(ctx, s.Client, s.TaskQueue, in); err != nil {
		t.Fatal(err)
	}
	execution := interpreter.BatchWorkflowID(in.BatchID)
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var res interpreter.BatchResult
	if err := s.Client.GetWorkflow(wctx, execution, "").Get(wctx, &res); err != nil {
		t.Fatalf("batch: %v", err)
	}
	want := []string{interpreter.StatusCompleted, interpreter.StatusFiltered, interpreter.StatusCompleted}
	if len(res.Runs) != len(want) {
		t.Fatalf("batch result has %d runs, want %d", len(res.Runs), len(want))
	}
	for i, r := range res.Runs {
		if r.RunID != in.Runs[i].RunID || r.Status != want[i] {
			t.Errorf("run %d = %+v, want %s with status %s", i, r, in.Runs[i].RunID, want[i])
		}
		stored, err := s.Store.GetRun(ctx, r.RunID)
		if err != nil {
			t.Fatalf("run %s has no summary: %v", r.RunID, err)
		}
		if stored.Status != want[i] || stored.ExecutionID != execution || stored.EndedAt == nil {
			t.Errorf("summary of %s: status %s, execution %q, ended %v; want %s in %s, ended",
				r.RunID, stored.Status, stored.ExecutionID, stored.EndedAt, want[i], execution)
		}
	}
	// Two completed runs, two calls each, every effect once.
	if keys, maxPer := s.Sink.Effects(); keys != 4 || maxPer != 1 {
		t.Errorf("sink saw %d effects, max %d per key; want 4, each once", keys, maxPer)
	}
	if strings.Contains(s.HistoryText(t, execution), Secret) {
		t.Fatal("the credential secret appears in the batch's history")
	}
	s.Record(t, execution, "batch")
}
