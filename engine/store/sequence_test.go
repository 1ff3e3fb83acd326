package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// insertPending commits n pending events of workflow wf and returns them.
func insertPending(t *testing.T, s *store.Store, wf string, n int) []*store.Event {
	t.Helper()
	evs := make([]*store.Event, n)
	base := time.Now().Add(-time.Minute)
	for i := range evs {
		evs[i] = &store.Event{EndpointID: "ep_" + wf, WorkflowID: wf, WorkflowVersion: 1, Body: []byte(`{}`),
			ReceivedAt: base.Add(time.Duration(i) * time.Millisecond)}
	}
	if _, err := s.InsertEvents(ctxT(t), evs); err != nil {
		t.Fatal(err)
	}
	return evs
}

func eventStatus(t *testing.T, s *store.Store, id string) store.Event {
	t.Helper()
	ev, err := s.GetEvent(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestCheckSequence(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		evs := insertPending(t, s, "wf_seq", 6)
		check := func(i int, seq int64) store.SequenceResult {
			t.Helper()
			res, err := s.CheckSequence(ctx, evs[i].ID, "wf_seq", "cus_1", seq)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		steps := []struct {
			name      string
			event     int
			seq       int64
			wantStale bool
			wantMark  int64 // the mark afterwards
			markEvent int
		}{
			{name: "the first event of a key passes", event: 0, seq: 100, wantMark: 100, markEvent: 0},
			{name: "a newer one advances the mark", event: 1, seq: 200, wantMark: 200, markEvent: 1},
			{name: "an older one is stale", event: 2, seq: 150, wantStale: true, wantMark: 200, markEvent: 1},
			{name: "an equal one with another id passes without moving the mark", event: 3, seq: 200, wantMark: 200, markEvent: 1},
			{name: "an event that passed passes again after the mark moved on (a retried dispatch)", event: 0, seq: 100, wantMark: 200, markEvent: 1},
		}
		for _, st := range steps {
			res := check(st.event, st.seq)
			if res.Stale != st.wantStale {
				t.Fatalf("%s: Stale = %v", st.name, res.Stale)
			}
			if st.wantStale && (res.Mark.Seq != 200 || res.Mark.EventID != evs[1].ID) {
				t.Fatalf("%s: mark %+v, want 200 by %s", st.name, res.Mark, evs[1].ID)
			}
			m, err := s.GetSequenceMark(ctx, "wf_seq", "cus_1")
			if err != nil {
				t.Fatal(err)
			}
			if m.Seq != st.wantMark || m.EventID != evs[st.markEvent].ID {
				t.Fatalf("%s: mark = %d by %s, want %d by %s", st.name, m.Seq, m.EventID, st.wantMark, evs[st.markEvent].ID)
			}
		}
		// Keys and workflows are independent.
		if res, err := s.CheckSequence(ctx, evs[4].ID, "wf_seq", "cus_2", 1); err != nil || res.Stale {
			t.Fatalf("other key: %+v, %v", res, err)
		}
		if _, err := s.GetSequenceMark(ctx, "wf_other", "cus_1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("mark of another workflow: %v, want ErrNotFound", err)
		}
		// A stale event is recorded, and only while it waits.
		if err := s.MarkEventStale(ctx, evs[2].ID, "older"); err != nil {
			t.Fatal(err)
		}
		if got := eventStatus(t, s, evs[2].ID); got.Status != store.EventStale || got.Reason != "older" || got.NextDispatchAt != nil {
			t.Fatalf("stale event = %+v", got)
		}
		if err := s.MarkEventStale(ctx, evs[2].ID, "again"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("marking a stale event stale again: %v, want ErrConflict", err)
		}
		if _, err := s.CheckSequence(ctx, "evt_nope", "wf_seq", "cus_1", 1); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown event: %v", err)
		}
		// Marks age out with the retention.
		if n, err := s.PruneSequenceMarks(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("pruned %d fresh marks (%v)", n, err)
		}
		if n, err := s.PruneSequenceMarks(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
			t.Fatalf("pruned %d marks (%v), want 2", n, err)
		}
		if _, err := s.GetSequenceMark(ctx, "wf_seq", "cus_1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("pruned mark: %v", err)
		}
	})
}

// TestCheckSequenceConcurrent checks the compare-and-advance under
// concurrent callers (several goroutines stand for several processes):
// whatever the interleaving, the mark ends at the highest value, and an
// event is stale only if a newer one had passed.
func TestCheckSequenceConcurrent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		const n = 40
		evs := insertPending(t, s, "wf_conc", n)
		results := make([]store.SequenceResult, n)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				// Values interleave: 0, 39, 1, 38, ... so old and new race.
				seq := int64(i/2 + 1)
				if i%2 == 1 {
					seq = int64(n - i/2)
				}
				res, err := s.CheckSequence(ctx, evs[i].ID, "wf_conc", "k", seq)
				if err != nil {
					errs <- err
					return
				}
				if res.Stale && res.Mark.Seq <= seq {
					errs <- fmt.Errorf("event with %d stale against mark %d", seq, res.Mark.Seq)
				}
				results[i] = res
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		m, err := s.GetSequenceMark(ctx, "wf_conc", "k")
		if err != nil {
			t.Fatal(err)
		}
		if m.Seq != n {
			t.Fatalf("mark = %d, want %d", m.Seq, n)
		}
	})
}

func TestHoldAndReleaseHeld(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		evs := insertPending(t, s, "wf_hold", 5)
		now := time.Now()
		holds := []struct {
			key   string
			seq   int64
			until time.Time
		}{
			{"a", 30, now.Add(-time.Second)}, // due
			{"a", 10, now.Add(time.Minute)},  // older, not due: released with the due one
			{"a", 40, now.Add(time.Minute)},  // newer, not due: stays held
			{"b", 5, now.Add(time.Minute)},   // another key, not due
			{"a", 20, now.Add(-time.Second)}, // due
		}
		for i, h := range holds {
			if err := s.HoldEvent(ctx, evs[i].ID, h.key, h.seq, h.until, "held for reordering"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.HoldEvent(ctx, evs[0].ID, "a", 30, now, "again"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("holding a held event: %v, want ErrConflict", err)
		}
		if got := eventStatus(t, s, evs[1].ID); got.Status != store.EventHeld || got.Reason != "held for reordering" {
			t.Fatalf("held event = %+v", got)
		}
		// Held events are not claimed as pending.
		if claimed, err := s.ClaimPendingEvents(ctx, 10, now.Add(time.Hour), time.Minute); err != nil || len(claimed) != 0 {
			t.Fatalf("claimed %d held events (%v)", len(claimed), err)
		}
		groups, err := s.ReleaseHeld(ctx, now, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != 1 || len(groups[0]) != 3 {
			t.Fatalf("released %v", groups)
		}
		for i, want := range []string{evs[1].ID, evs[4].ID, evs[0].ID} { // sequence 10, 20, 30
			if got := groups[0][i]; got.ID != want || got.Status != store.EventPending || got.DispatchAttempts != 1 {
				t.Fatalf("released[%d] = %s %s attempts %d, want %s pending", i, got.ID, got.Status, got.DispatchAttempts, want)
			}
		}
		again, err := s.ReleaseHeld(ctx, now, time.Minute, 10)
		if err != nil || len(again) != 0 {
			t.Fatalf("second release: %v, %v", again, err)
		}
		for _, i := range []int{2, 3} {
			if got := eventStatus(t, s, evs[i].ID); got.Status != store.EventHeld {
				t.Fatalf("event %d = %s, want held", i, got.Status)
			}
		}
		// Held events survive retention.
		if n, err := s.PruneEvents(ctx, now.Add(time.Hour), 0); err != nil {
			t.Fatal(err)
		} else if got := eventStatus(t, s, evs[2].ID); got.Status != store.EventHeld {
			t.Fatalf("pruned %d, held event now %s", n, got.Status)
		}
	})
}

func TestRunSlots(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		evs := insertPending(t, s, "wf_slots", 4)
		acquire := func(i int) bool {
			t.Helper()
			ok, err := s.AcquireSlot(ctx, "wf_slots", "run_"+evs[i].ID, evs[i].ID, evs[i].ReceivedAt, 2)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !acquire(0) || !acquire(1) {
			t.Fatal("the first two events did not get a slot")
		}
		if !acquire(0) {
			t.Fatal("a retried dispatch lost its own slot")
		}
		for _, i := range []int{0, 1} {
			if err := s.MarkDispatched(ctx, evs[i].ID, "run_"+evs[i].ID); err != nil {
				t.Fatal(err)
			}
		}
		if acquire(2) {
			t.Fatal("a third run got a slot with limit 2")
		}
		if err := s.QueueEvent(ctx, evs[2].ID, "waiting for a run slot"); err != nil {
			t.Fatal(err)
		}
		if err := s.QueueEvent(ctx, evs[3].ID, "waiting for a run slot"); err != nil {
			t.Fatal(err)
		}
		stats, err := s.ConcurrencyStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(stats) != 1 || stats[0] != (store.ConcurrencyStat{WorkflowID: "wf_slots", Limit: 2, InFlight: 2, Queued: 2}) {
			t.Fatalf("stats = %+v", stats)
		}
		// Nothing is free: nothing wakes, nothing frees.
		if n, err := s.WakeQueued(ctx, time.Now()); err != nil || n != 0 {
			t.Fatalf("woke %d (%v)", n, err)
		}
		// Run 0 is waiting (running): it keeps its slot. Run 1 completed.
		started := time.Now()
		for i, status := range []string{store.RunRunning, store.RunCompleted} {
			if err := s.UpsertRun(ctx, store.Run{ID: "run_" + evs[i].ID, WorkflowID: "wf_slots", WorkflowVersion: 1, EventID: evs[i].ID,
				Status: status, StartedAt: started}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.ReleaseFinishedSlots(ctx); err != nil || n != 1 {
			t.Fatalf("freed %d slots (%v), want 1", n, err)
		}
		if n, err := s.ReleaseFinishedSlots(ctx); err != nil || n != 0 {
			t.Fatalf("freed %d slots again (%v)", n, err)
		}
		// The newer queued event may not jump the older one.
		if acquire(3) {
			t.Fatal("event 3 took the slot before the older queued event 2")
		}
		if n, err := s.WakeQueued(ctx, time.Now()); err != nil || n != 1 {
			t.Fatalf("woke %d (%v), want 1", n, err)
		}
		claimed, err := s.ClaimPendingEvents(ctx, 10, time.Now().Add(time.Second), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimed) != 1 || claimed[0].ID != evs[2].ID || claimed[0].Status != store.EventQueued {
			t.Fatalf("claimed %+v, want the oldest queued event", claimed)
		}
		if !acquire(2) {
			t.Fatal("the woken event did not get the free slot")
		}
		if got := eventStatus(t, s, evs[2].ID); got.Status != store.EventPending {
			t.Fatalf("event with a slot = %s, want pending", got.Status)
		}
		// A run whose start failed for good frees its slot.
		if err := s.SetEventStatus(ctx, evs[2].ID, store.EventFailed, "cannot start"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.ReleaseFinishedSlots(ctx); err != nil || n != 1 {
			t.Fatalf("freed %d (%v), want the failed event's slot", n, err)
		}
		if _, err := s.AcquireSlot(ctx, "wf_slots", "r", "e", time.Now(), 0); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("limit 0: %v", err)
		}
	})
}

// TestRunSlotsConcurrent: many acquirers at once never exceed the limit.
func TestRunSlotsConcurrent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		const n, limit = 30, 3
		evs := insertPending(t, s, "wf_race", n)
		var mu sync.Mutex
		got := 0
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				ok, err := s.AcquireSlot(context.WithoutCancel(ctx), "wf_race", "run_"+evs[i].ID, evs[i].ID, evs[i].ReceivedAt, limit)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					got++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if got != limit {
			t.Fatalf("%d acquirers got a slot, want %d", got, limit)
		}
	})
}
