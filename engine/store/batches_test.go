package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// A batch's membership is fixed once: a second assignment takes only the
// events no batch has, ClearBatch frees only pending events, and the mark
// lists every run with its execution and skips an event that is gone.
func TestBatchMembership(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		evs := []*store.Event{pendingEvent("ep_b", "evt_b1"), pendingEvent("ep_b", "evt_b2"), pendingEvent("ep_b", "evt_b3")}
		if _, err := s.InsertEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		ids := []string{evs[0].ID, evs[1].ID, evs[2].ID}
		got, err := s.AssignBatch(ctx, "bat_a", ids[:2])
		if err != nil || len(got) != 2 {
			t.Fatalf("first assignment: %v %v", got, err)
		}
		got, err = s.AssignBatch(ctx, "bat_b", ids)
		if err != nil || !slices.Equal(got, ids[2:]) {
			t.Fatalf("second assignment took %v (%v), want only %v", got, err, ids[2:])
		}
		if _, err := s.AssignBatch(ctx, "", ids); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("empty batch id: %v", err)
		}
		inA, err := s.BatchEvents(ctx, "bat_a")
		if err != nil || len(inA) != 2 || inA[0].ID > inA[1].ID {
			t.Fatalf("batch a = %+v (%v), want its 2 events by id", inA, err)
		}
		for _, ev := range inA {
			if (ev.ID != ids[0] && ev.ID != ids[1]) || ev.BatchID != "bat_a" || len(ev.Body) == 0 {
				t.Fatalf("batch a holds %+v", ev)
			}
		}
		// bat_a starts and is marked (one event pruned meanwhile is
		// skipped); bat_b is refused and cleared.
		runs := []store.Run{
			{ID: "run-1", WorkflowID: "wf_1", WorkflowVersion: 1, EventID: ids[0], Status: store.RunRunning, ExecutionID: "hookflow-batch/bat_a"},
			{ID: "run-gone", WorkflowID: "wf_1", WorkflowVersion: 1, EventID: "evt_pruned", Status: store.RunRunning, ExecutionID: "hookflow-batch/bat_a"},
		}
		if err := s.MarkBatchDispatched(ctx, runs); err != nil {
			t.Fatal(err)
		}
		run, err := s.GetRun(ctx, "run-1")
		if err != nil || run.Execution() != "hookflow-batch/bat_a" || run.Status != store.RunRunning {
			t.Fatalf("listed run = %+v (%v)", run, err)
		}
		if ev, _ := s.GetEvent(ctx, ids[0]); ev.Status != store.EventDispatched || ev.RunID != "run-1" {
			t.Fatalf("marked event = %+v", ev)
		}
		if err := s.ClearBatch(ctx, "bat_b"); err != nil {
			t.Fatal(err)
		}
		if err := s.ClearBatch(ctx, "bat_a"); err != nil {
			t.Fatal(err)
		}
		// The dispatched event keeps its batch; the pending ones lost
		// theirs (ClearBatch is only for batches Temporal refused).
		for i, want := range []string{"bat_a", "", ""} {
			if ev, _ := s.GetEvent(ctx, ids[i]); ev.BatchID != want {
				t.Errorf("event %d batch %q, want %q", i, ev.BatchID, want)
			}
		}
	})
}
