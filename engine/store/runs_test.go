package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func TestRuns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		end := start.Add(3 * time.Second)
		steps := `[{"id":"big","status":"completed"}]`
		tests := []struct {
			name       string
			run        store.Run
			wantStatus string
			wantErr    error
		}{
			{name: "start", run: store.Run{ID: "hookflow-ep-evt1", TemporalRunID: "r1", WorkflowID: "wf_1", WorkflowVersion: 2,
				EventID: "evt_1", Status: store.RunRunning, StartedAt: start}, wantStatus: store.RunRunning},
			{name: "finish", run: store.Run{ID: "hookflow-ep-evt1", WorkflowID: "wf_1", WorkflowVersion: 2, EventID: "evt_1",
				Status: store.RunCompleted, StartedAt: start, EndedAt: &end, Output: []byte(`{"ok":true}`), Steps: []byte(steps)},
				wantStatus: store.RunCompleted},
			{name: "finish retried", run: store.Run{ID: "hookflow-ep-evt1", WorkflowID: "wf_1", WorkflowVersion: 2, EventID: "evt_1",
				Status: store.RunCompleted, StartedAt: start, EndedAt: &end, Output: []byte(`{"ok":true}`), Steps: []byte(steps)},
				wantStatus: store.RunCompleted},
			{name: "late start does not regress", run: store.Run{ID: "hookflow-ep-evt1", WorkflowID: "wf_1", WorkflowVersion: 2,
				Status: store.RunRunning, StartedAt: start}, wantStatus: store.RunCompleted},
			{name: "bad status", run: store.Run{ID: "x", Status: "done"}, wantErr: store.ErrInvalidArgument},
			{name: "bad output JSON", run: store.Run{ID: "x", Status: store.RunFailed, Output: []byte("{")}, wantErr: store.ErrInvalidArgument},
			{name: "no id", run: store.Run{Status: store.RunFailed}, wantErr: store.ErrInvalidArgument},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.UpsertRun(ctx, tt.run)
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("UpsertRun = %v, want %v", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.GetRun(ctx, tt.run.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != tt.wantStatus {
					t.Fatalf("status = %s, want %s", got.Status, tt.wantStatus)
				}
			})
		}
		got, _ := s.GetRun(ctx, "hookflow-ep-evt1")
		if got.TemporalRunID != "r1" || string(got.Steps) != steps || string(got.Output) != `{"ok":true}` ||
			got.EndedAt == nil || !got.EndedAt.Equal(end) || !got.StartedAt.Equal(start) || got.WorkflowVersion != 2 {
			t.Fatalf("run = %+v", got)
		}
		if _, err := s.GetRun(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetRun(missing) = %v", err)
		}
		for i := range 12 {
			st := store.RunFailed
			if i%3 == 0 {
				st = store.RunFiltered
			}
			if err := s.UpsertRun(ctx, store.Run{ID: fmt.Sprintf("run-%02d", i), WorkflowID: "wf_2", WorkflowVersion: 1,
				EventID: fmt.Sprintf("evt_%d", i%2), Status: st, StartedAt: start.Add(time.Duration(i/2) * time.Minute),
				RetryOf: "hookflow-ep-evt1"}); err != nil {
				t.Fatal(err)
			}
		}
		filters := []struct {
			name string
			f    store.RunFilter
			want int
		}{
			{"all", store.RunFilter{}, 13},
			{"workflow", store.RunFilter{WorkflowID: "wf_2"}, 12},
			{"status", store.RunFilter{Status: store.RunFiltered}, 4},
			{"event", store.RunFilter{EventID: "evt_1"}, 7},
			{"time", store.RunFilter{Since: start.Add(time.Minute), Until: start.Add(3 * time.Minute)}, 4},
		}
		for _, tt := range filters {
			t.Run(tt.name, func(t *testing.T) {
				tt.f.Limit = 5
				n, seen := 0, map[string]bool{}
				for {
					page, next, err := s.ListRuns(ctx, tt.f)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range page {
						if seen[r.ID] {
							t.Fatalf("run %s repeated", r.ID)
						}
						seen[r.ID] = true
						n++
					}
					if next == "" {
						break
					}
					tt.f.Cursor = next
				}
				if n != tt.want {
					t.Fatalf("got %d runs, want %d", n, tt.want)
				}
			})
		}
		if err := s.UpsertRun(ctx, store.Run{ID: "live", WorkflowID: "wf_3", Status: store.RunRunning, StartedAt: start}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.PruneRuns(ctx, start.Add(2*time.Minute), 2); err != nil || n != 5 {
			t.Fatalf("PruneRuns = %d, %v; want 5", n, err)
		}
		if _, err := s.GetRun(ctx, "live"); err != nil {
			t.Fatalf("a running run was pruned: %v", err)
		}
	})
}

func TestDeliveries(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		const dest = "https://example.test/hook"
		d, err := s.CreateDelivery(ctx, store.Delivery{ID: "dlv_run1_step1", Destination: dest, WorkflowID: "wf_1", RunID: "run1",
			StepID: "notify", Headers: map[string]string{"webhook-id": "msg_1"}, Payload: []byte(`{"a":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != store.DeliveryPending || d.Attempts != 0 || d.Headers["webhook-id"] != "msg_1" {
			t.Fatalf("new delivery = %+v", d)
		}
		// Creating the same id again (a retried activity) returns the row unchanged.
		again, err := s.CreateDelivery(ctx, store.Delivery{ID: "dlv_run1_step1", Destination: dest, Payload: []byte(`{"b":2}`)})
		if err != nil || string(again.Payload) != `{"a":1}` {
			t.Fatalf("idempotent create = %+v, %v", again, err)
		}
		next := time.Now().Add(5 * time.Second)
		attempts := []struct {
			name string
			a    store.DeliveryAttempt
			want string
		}{
			{"500", store.DeliveryAttempt{Status: store.DeliveryFailed, HTTPStatus: 500, Error: "HTTP 500", Latency: 30 * time.Millisecond, NextAttemptAt: &next}, store.DeliveryFailed},
			{"timeout", store.DeliveryAttempt{Status: store.DeliveryDead, Error: "timeout", Latency: 50 * time.Millisecond}, store.DeliveryDead},
		}
		for _, tt := range attempts {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.RecordDeliveryAttempt(ctx, d.ID, tt.a)
				if err != nil || got.Status != tt.want || got.LastError != tt.a.Error {
					t.Fatalf("RecordDeliveryAttempt = %+v, %v", got, err)
				}
			})
		}
		dead, _, err := s.ListDeliveries(ctx, store.DeliveryFilter{Status: store.DeliveryDead})
		if err != nil || len(dead) != 1 || dead[0].Attempts != 2 || dead[0].NextAttemptAt != nil {
			t.Fatalf("dead letters = %+v, %v", dead, err)
		}
		re, err := s.RequeueDelivery(ctx, d.ID, time.Now())
		if err != nil || re.Status != store.DeliveryPending || re.NextAttemptAt == nil {
			t.Fatalf("RequeueDelivery = %+v, %v", re, err)
		}
		if _, err := s.RequeueDelivery(ctx, d.ID, time.Now()); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("requeue pending: %v, want ErrConflict", err)
		}
		if _, err := s.RecordDeliveryAttempt(ctx, d.ID, store.DeliveryAttempt{Status: store.DeliverySucceeded, HTTPStatus: 200, Latency: 10 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateDelivery(ctx, store.Delivery{Destination: dest, Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordDeliveryAttempt(ctx, other.ID, store.DeliveryAttempt{Status: store.DeliverySucceeded, HTTPStatus: 204, Latency: 30 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		third, _ := s.CreateDelivery(ctx, store.Delivery{Destination: dest, Payload: []byte(`{}`)})
		if _, err := s.RecordDeliveryAttempt(ctx, third.ID, store.DeliveryAttempt{Status: store.DeliveryDead, HTTPStatus: 410, Error: "HTTP 410 gone", Latency: 40 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		h, err := s.DestinationHealth(ctx, dest)
		if err != nil {
			t.Fatal(err)
		}
		// 5 attempts, 160 ms in total; 2 of 3 finished deliveries succeeded.
		if h.Deliveries != 3 || h.Succeeded != 2 || h.Dead != 1 || h.Attempts != 5 || h.AvgLatencyMS != 32 ||
			h.SuccessRate < 0.66 || h.SuccessRate > 0.67 || h.LastError != "HTTP 410 gone" || h.LastAttempt == nil {
			t.Fatalf("health = %+v", h)
		}
		all, err := s.ListDestinationHealth(ctx)
		if err != nil || len(all) != 1 {
			t.Fatalf("ListDestinationHealth = %+v, %v", all, err)
		}
		notFound := []struct {
			name string
			fn   func() error
		}{
			{"get", func() error { _, err := s.GetDelivery(ctx, "dlv_x"); return err }},
			{"attempt", func() error {
				_, err := s.RecordDeliveryAttempt(ctx, "dlv_x", store.DeliveryAttempt{Status: store.DeliveryFailed})
				return err
			}},
			{"health", func() error { _, err := s.DestinationHealth(ctx, "https://nowhere.test"); return err }},
		}
		for _, tt := range notFound {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.fn(); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("got %v, want ErrNotFound", err)
				}
			})
		}
		if n, err := s.PruneDeliveries(ctx, time.Now().Add(time.Hour), 1); err != nil || n != 3 {
			t.Fatalf("PruneDeliveries = %d, %v", n, err)
		}
	})
}

// TestSaveRunSummary checks the run-and-event write a run makes at its
// start and end: both rows move together, a repeated end reports the run
// as already final (so it is counted once), and an event that is gone
// does not fail the save.
func TestSaveRunSummary(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		evs := []*store.Event{pendingEvent("ep_s", "evt_s1")}
		if _, err := s.InsertEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		ev := evs[0]
		start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		end := start.Add(time.Second)
		run := store.Run{ID: "hookflow-ep_s-evt_s1", WorkflowID: "wf_1", WorkflowVersion: 1, EventID: ev.ID,
			Status: store.RunRunning, StartedAt: start}
		save := func(r store.Run, evStatus, reason string, wantFinal bool) {
			t.Helper()
			wasFinal, err := s.SaveRunSummary(ctx, r, evStatus, reason)
			if err != nil {
				t.Fatalf("SaveRunSummary(%s): %v", r.Status, err)
			}
			if wasFinal != wantFinal {
				t.Fatalf("SaveRunSummary(%s) wasFinal = %v, want %v", r.Status, wasFinal, wantFinal)
			}
		}
		check := func(wantRun, wantEvent, wantReason string) {
			t.Helper()
			got, err := s.GetRun(ctx, run.ID)
			if err != nil || got.Status != wantRun {
				t.Fatalf("run = %s (%v), want %s", got.Status, err, wantRun)
			}
			e, err := s.GetEvent(ctx, ev.ID)
			if err != nil || e.Status != wantEvent || e.Reason != wantReason {
				t.Fatalf("event = %s %q (%v), want %s %q", e.Status, e.Reason, err, wantEvent, wantReason)
			}
		}
		save(run, store.EventRunning, "", false)
		check(store.RunRunning, store.EventRunning, "")

		failed := run
		failed.Status, failed.EndedAt, failed.Error = store.RunFailed, &end, "step post: 500"
		save(failed, store.EventFailed, failed.Error, false)
		check(store.RunFailed, store.EventFailed, "step post: 500")
		save(failed, store.EventFailed, failed.Error, true) // a retried end
		check(store.RunFailed, store.EventFailed, "step post: 500")

		// A run without an event to move (a test run) writes the run only.
		orphan := store.Run{ID: "hookflow-test-1", WorkflowID: "wf_1", WorkflowVersion: 1, EventID: "evt_gone",
			Status: store.RunCompleted, StartedAt: start, EndedAt: &end}
		save(orphan, store.EventCompleted, "", false)
		if _, err := s.SaveRunSummary(ctx, run, store.EventPending, ""); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("saving with event status pending: %v, want ErrInvalidArgument", err)
		}
	})
}

// TestMarkDispatchedListed checks the dispatcher's write after it starts a
// run: the event becomes dispatched and the run is listed as running,
// unless the run got there first, whose final row is kept.
func TestMarkDispatchedListed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		evs := []*store.Event{pendingEvent("ep_l", "evt_l1"), pendingEvent("ep_l", "evt_l2")}
		if _, err := s.InsertEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		listed := func(ev *store.Event) store.Run {
			return store.Run{ID: "run-" + ev.ProviderEventID, WorkflowID: "wf_1", WorkflowVersion: 1, EventID: ev.ID,
				Status: store.RunRunning, StartedAt: start}
		}

		slow := listed(evs[0])
		if err := s.MarkDispatchedListed(ctx, evs[0].ID, slow); err != nil {
			t.Fatal(err)
		}
		if r, err := s.GetRun(ctx, slow.ID); err != nil || r.Status != store.RunRunning || r.EventID != evs[0].ID {
			t.Fatalf("listed run = %+v (%v), want running for %s", r, err, evs[0].ID)
		}
		if e, _ := s.GetEvent(ctx, evs[0].ID); e.Status != store.EventDispatched || e.RunID != slow.ID {
			t.Fatalf("event = %s run %q, want dispatched with %s", e.Status, e.RunID, slow.ID)
		}

		// A fast run ended (and moved its event on) before the dispatcher.
		fast := listed(evs[1])
		end := start.Add(time.Second)
		done := fast
		done.Status, done.EndedAt = store.RunCompleted, &end
		if _, err := s.SaveRunSummary(ctx, done, store.EventCompleted, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDispatchedListed(ctx, evs[1].ID, fast); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.GetRun(ctx, fast.ID); r.Status != store.RunCompleted {
			t.Fatalf("a finished run was listed again as %s", r.Status)
		}
		if e, _ := s.GetEvent(ctx, evs[1].ID); e.Status != store.EventCompleted || e.RunID != fast.ID {
			t.Fatalf("event = %s run %q, want completed with %s", e.Status, e.RunID, fast.ID)
		}

		// The dispatcher listed a run 14 ms after it began (its wall clock
		// after the start), and the run ended 5 ms after its start in
		// workflow time: the final summary's start wins, so the run does
		// not end before it started.
		evs2 := []*store.Event{pendingEvent("ep_l", "evt_l3")}
		if _, err := s.InsertEvents(ctx, evs2); err != nil {
			t.Fatal(err)
		}
		late := listed(evs2[0])
		late.StartedAt = start.Add(14 * time.Millisecond)
		if err := s.MarkDispatchedListed(ctx, evs2[0].ID, late); err != nil {
			t.Fatal(err)
		}
		final := listed(evs2[0])
		finalEnd := start.Add(5 * time.Millisecond)
		final.Status, final.EndedAt = store.RunCompleted, &finalEnd
		if _, err := s.SaveRunSummary(ctx, final, store.EventCompleted, ""); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.GetRun(ctx, final.ID); !r.StartedAt.Equal(start) || r.EndedAt == nil || r.EndedAt.Before(r.StartedAt) {
			t.Fatalf("run started %v ended %v, want the run's own start %v and no negative duration", r.StartedAt, r.EndedAt, start)
		}

		ghost := store.Run{ID: "run-ghost", WorkflowID: "wf_1", WorkflowVersion: 1, EventID: "evt_nope", Status: store.RunRunning}
		if err := s.MarkDispatchedListed(ctx, "evt_nope", ghost); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown event: %v, want ErrNotFound", err)
		}
		if _, err := s.GetRun(ctx, ghost.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a run was listed for an unknown event: %v", err)
		}
		done.Status = store.RunCompleted
		if err := s.MarkDispatchedListed(ctx, evs[1].ID, done); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("listing a finished run: %v, want ErrInvalidArgument", err)
		}
	})
}
