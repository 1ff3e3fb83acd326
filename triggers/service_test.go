package triggers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// waitStatus polls the store until the event has status (a hang guard of
// a few seconds, not a timing assertion).
func waitStatus(t *testing.T, st *store.Store, id, status string) store.Event {
	t.Helper()
	var ev store.Event
	for range 3000 {
		var err error
		if ev, err = st.GetEvent(context.Background(), id); err == nil && ev.Status == status {
			return ev
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("event %s has status %q (%s), want %q", id, ev.Status, ev.Reason, status)
	return ev
}

func TestUnreachableTemporalKeepsEventsPendingUntilTheSweeperStartsThem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{})
		e.starter.failNext(2)
		w := e.do(e.stripeRequest(ep.Token, stripeBody("evt_down", 500)))
		if w.Code != http.StatusAccepted {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		id := reply(t, w).EventID
		// The fast path fails once and schedules a retry with backoff.
		var ev store.Event
		for range 3000 {
			ev, _ = st.GetEvent(context.Background(), id)
			if strings.Contains(ev.Reason, "connection refused") {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if ev.Status != store.EventPending || !strings.Contains(ev.Reason, "start attempt 1 failed") || ev.NextDispatchAt == nil {
			t.Fatalf("after a failed start: %+v", ev)
		}
		if wait := ev.NextDispatchAt.Sub(e.clock.Now()); wait < 700*time.Millisecond || wait > 1300*time.Millisecond {
			t.Fatalf("first retry in %s, want about DefaultBackoffBase", wait)
		}
		// Not due yet: the sweeper leaves it alone.
		if n := e.svc.Dispatcher.Sweep(context.Background()); n != 0 {
			t.Fatalf("swept %d events before they were due", n)
		}
		// Due, still failing: the next attempt backs off further.
		e.clock.Add(2 * time.Second)
		if n := e.svc.Dispatcher.Sweep(context.Background()); n != 1 {
			t.Fatalf("swept %d, want 1", n)
		}
		ev, _ = st.GetEvent(context.Background(), id)
		if ev.Status != store.EventPending || !strings.Contains(ev.Reason, "start attempt 1 failed") && !strings.Contains(ev.Reason, "attempt") {
			t.Fatalf("after the second failure: %+v", ev)
		}
		// Temporal is back.
		e.clock.Add(time.Hour)
		if n := e.svc.Dispatcher.Sweep(context.Background()); n != 1 {
			t.Fatalf("swept %d, want 1", n)
		}
		ev = waitStatus(t, st, id, store.EventDispatched)
		if ev.RunID != RunWorkflowIDFor(store.Event{EndpointID: ep.ID, DedupeKey: "evt_down"}) || e.starter.count() != 1 {
			t.Fatalf("dispatched as %q with %d runs", ev.RunID, e.starter.count())
		}
	})
}

func TestSweeperStartsEventsLeftByACrash(t *testing.T) {
	b := storetest.SQLite(t)
	e := newEnv(t, b.Store)
	ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{})
	// A committed event whose process died before dispatching it.
	next := e.clock.Now().Add(DefaultSweepGrace)
	orphan := &store.Event{EndpointID: ep.ID, WorkflowID: ep.WorkflowID, WorkflowVersion: 1, Connector: "stripe",
		ProviderEventID: "evt_orphan", DedupeKey: "evt_orphan", EventType: "payment_intent.succeeded",
		Body: stripeBody("evt_orphan", 500), Verification: store.VerificationOK, NextDispatchAt: &next}
	if _, err := b.Store.InsertEvents(context.Background(), []*store.Event{orphan}); err != nil {
		t.Fatal(err)
	}
	// A second process on the same database sweeps it after the grace.
	other := newEnv(t, storetest.Open(t, b.URL))
	other.clock.Add(DefaultSweepGrace + time.Second)
	if n := other.svc.Dispatcher.Sweep(context.Background()); n != 1 {
		t.Fatalf("swept %d, want 1", n)
	}
	waitStatus(t, b.Store, orphan.ID, store.EventDispatched)
	if other.starter.count() != 1 {
		t.Fatalf("%d runs", other.starter.count())
	}
}

func TestReplayManualListenAndPrune(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{})
		w := e.do(e.stripeRequest(ep.Token, stripeBody("evt_orig", 500)))
		orig := reply(t, w).EventID
		firstRun := e.starter.waitRun(t)

		t.Run("replay starts a new run marked as a replay", func(t *testing.T) {
			rep, err := e.svc.Replayer.Replay(ctx, orig, 0)
			if err != nil {
				t.Fatal(err)
			}
			if rep.ReplayOf != orig || rep.ID == orig || rep.Status != store.EventDispatched || rep.RunID == firstRun || rep.RunID == "" {
				t.Fatalf("replay = %+v", rep)
			}
			in := e.starter.runs[rep.RunID]
			if !in.Event.Replay || string(in.Event.Body) != string(stripeBody("evt_orig", 500)) {
				t.Fatalf("replay run input = %+v", in)
			}
			if _, err := e.svc.Replayer.Replay(ctx, orig, 7); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("replay on a missing version: %v", err)
			}
		})

		t.Run("rejected deliveries cannot be replayed", func(t *testing.T) {
			e.do(stripeSigned(ep.Token, stripeBody("evt_forged", 500), e.clock.Now(), "whsec_wrong"))
			// Pick the forged delivery by its status: rows written within one
			// tick of the test clock have no defined order.
			var forged string
			for _, ev := range e.events(ep.ID) {
				if ev.Status == store.EventRejected {
					forged = ev.ID
				}
			}
			if forged == "" {
				t.Fatal("the forged delivery was not logged as rejected")
			}
			if _, err := e.svc.Replayer.Replay(ctx, forged, 0); !errors.Is(err, ErrNotReplayable) {
				t.Fatalf("replaying a forged delivery: %v", err)
			}
		})

		t.Run("bulk replay", func(t *testing.T) {
			before := e.starter.count()
			out, err := e.svc.Replayer.ReplayBulk(ctx, store.EventFilter{EndpointID: ep.ID}, 1)
			if err != nil {
				t.Fatal(err)
			}
			// The original is replayed; the forged delivery and the earlier
			// replay are not.
			if len(out) != 1 || out[0].ReplayOf != orig {
				t.Fatalf("bulk replay = %+v", out)
			}
			waitStatus(t, st, out[0].ID, store.EventDispatched)
			if e.starter.count() != before+1 {
				t.Fatalf("%d runs, want %d", e.starter.count(), before+1)
			}
		})

		t.Run("manual run goes through the inbox", func(t *testing.T) {
			ev, err := e.svc.Replayer.RunManual(ctx, ep.WorkflowID, []byte(`{"hello":"world"}`))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Status != store.EventDispatched || ev.Connector != ManualConnector || ev.RunID == "" {
				t.Fatalf("manual event = %+v", ev)
			}
			if _, err := e.svc.Replayer.RunManual(ctx, ep.WorkflowID, []byte(`{"hello":`)); !errors.Is(err, ErrInvalidInput) ||
				!strings.Contains(err.Error(), "malformed JSON body") {
				t.Fatalf("bad body: %v", err)
			}
			if _, err := e.svc.Replayer.RunManual(ctx, "wf_missing", nil); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown workflow: %v", err)
			}
		})

		t.Run("listen captures the next verified delivery as the sample", func(t *testing.T) {
			got := make(chan store.Event, 1)
			errc := make(chan error, 1)
			go func() {
				ev, err := e.svc.Listener.Listen(ctx, ep.ID, time.Minute)
				errc <- err
				got <- ev
			}()
			// Wait until the listener is registered.
			for range 3000 {
				if e.svc.Listener.waiting(ep.ID) > 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			e.do(stripeSigned(ep.Token, stripeBody("evt_forged2", 500), e.clock.Now(), "whsec_wrong"))
			e.do(e.stripeRequest(ep.Token, stripeBody("evt_sample", 777)))
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			ev := <-got
			if ev.ProviderEventID != "evt_sample" {
				t.Fatalf("captured %+v", ev)
			}
			saved, _ := st.GetEndpoint(ctx, ep.ID)
			if string(saved.Sample) != string(stripeBody("evt_sample", 777)) || saved.SampleAt == nil {
				t.Fatalf("sample = %s", saved.Sample)
			}
			if _, err := e.svc.Listener.Listen(ctx, ep.ID, 10*time.Millisecond); !errors.Is(err, ErrListenTimeout) {
				t.Fatalf("listen without a delivery: %v", err)
			}
		})

		t.Run("prune deletes events past the retention", func(t *testing.T) {
			all := func() []store.Event {
				evs, _, err := st.ListEvents(ctx, store.EventFilter{WorkflowID: ep.WorkflowID, ListOptions: store.ListOptions{Limit: store.MaxListLimit}})
				if err != nil {
					t.Fatal(err)
				}
				return evs
			}
			total := len(all())
			// A finished run and a stored blob of the same age go too; a
			// running run stays.
			started := e.clock.Now()
			ended := started.Add(time.Second)
			for _, r := range []store.Run{{ID: "run-old-done", WorkflowID: ep.WorkflowID, Status: store.RunCompleted, StartedAt: started, EndedAt: &ended},
				{ID: "run-old-running", WorkflowID: ep.WorkflowID, Status: store.RunRunning, StartedAt: started}} {
				if err := st.UpsertRun(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.PutBlob(ctx, "blob-old", []byte("x")); err != nil {
				t.Fatal(err)
			}
			// Data-store keys past their TTL are swept on the same
			// schedule (by the pruner's clock); a key without one stays.
			for key, ttl := range map[string]time.Duration{"expiring": time.Hour, "kept": 0} {
				if _, err := st.PutKV(ctx, "s", key, []byte(`1`), ttl); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.Add(DefaultRetention + time.Hour)
			n, err := e.svc.Pruner.Prune(ctx)
			if err != nil {
				t.Fatal(err)
			}
			left := all()
			for _, ev := range left {
				if ev.Status != store.EventPending {
					t.Fatalf("event %s (%s) survived the retention", ev.ID, ev.Status)
				}
			}
			if n != total-len(left) || n == 0 {
				t.Fatalf("pruned %d of %d, %d left", n, total, len(left))
			}
			if _, err := st.GetRun(ctx, "run-old-done"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a finished run past the retention survived: %v", err)
			}
			if _, err := st.GetRun(ctx, "run-old-running"); err != nil {
				t.Fatalf("a running run was pruned: %v", err)
			}
			if _, err := st.GetBlob(ctx, "blob-old"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a blob past the retention survived: %v", err)
			}
			if _, err := st.GetKV(ctx, "s", "expiring"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("an expired data-store key was not swept: %v", err)
			}
			if _, err := st.GetKV(ctx, "s", "kept"); err != nil {
				t.Fatalf("a data-store key without a TTL was swept: %v", err)
			}
		})
	})
}
