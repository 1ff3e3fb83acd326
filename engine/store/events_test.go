package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func pendingEvent(endpoint, key string) *store.Event {
	return &store.Event{EndpointID: endpoint, WorkflowID: "wf_1", WorkflowVersion: 1, Connector: "stripe",
		ProviderEventID: key, DedupeKey: key, EventType: "payment_intent.succeeded",
		Headers: map[string]string{"Content-Type": "application/json", "Stripe-Signature": "[redacted]"},
		Body:    []byte(`{"id":"` + key + `"}`), Verification: store.VerificationOK}
}

func TestInsertEventsDedupe(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		tests := []struct {
			name      string
			batch     []*store.Event
			wantDup   []bool
			wantFirst []int // for duplicates: index in batch of the original, -1 = earlier batch
		}{
			{name: "fresh keys", batch: []*store.Event{pendingEvent("ep_a", "evt_1"), pendingEvent("ep_a", "evt_2")},
				wantDup: []bool{false, false}},
			{name: "same key twice in one batch", batch: []*store.Event{pendingEvent("ep_a", "evt_3"), pendingEvent("ep_a", "evt_3")},
				wantDup: []bool{false, true}, wantFirst: []int{0, 0}},
			{name: "key from an earlier batch", batch: []*store.Event{pendingEvent("ep_a", "evt_1")},
				wantDup: []bool{true}, wantFirst: []int{-1}},
			{name: "same key on another endpoint", batch: []*store.Event{pendingEvent("ep_b", "evt_1")},
				wantDup: []bool{false}},
			{name: "no dedupe key never conflicts", batch: []*store.Event{
				{EndpointID: "ep_a", Status: store.EventRejected, Verification: store.VerificationFailed, Reason: "bad signature"},
				{EndpointID: "ep_a", Status: store.EventRejected, Verification: store.VerificationFailed, Reason: "bad signature"}},
				wantDup: []bool{false, false}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := s.InsertEvents(ctx, tt.batch)
				if err != nil {
					t.Fatal(err)
				}
				for i, r := range res {
					if r.Duplicate != tt.wantDup[i] {
						t.Fatalf("result %d Duplicate = %v, want %v", i, r.Duplicate, tt.wantDup[i])
					}
					if !r.Duplicate {
						if r.ID != tt.batch[i].ID || r.LogID != r.ID {
							t.Fatalf("result %d = %+v, event id %s", i, r, tt.batch[i].ID)
						}
						continue
					}
					if tt.wantFirst[i] >= 0 && r.ID != res[tt.wantFirst[i]].ID {
						t.Fatalf("duplicate %d points at %s, want %s", i, r.ID, res[tt.wantFirst[i]].ID)
					}
					logged, err := s.GetEvent(ctx, r.LogID)
					if err != nil {
						t.Fatal(err)
					}
					if logged.Status != store.EventDuplicate || logged.DuplicateOf != r.ID || logged.NextDispatchAt != nil {
						t.Fatalf("duplicate log row = %+v", logged)
					}
				}
			})
		}
		e, err := s.GetEvent(ctx, tests[0].batch[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != store.EventPending || e.NextDispatchAt == nil || e.Headers["Stripe-Signature"] != "[redacted]" ||
			string(e.Body) != `{"id":"evt_1"}` || e.DedupeKey != "evt_1" {
			t.Fatalf("stored event = %+v", e)
		}
		// A caller-chosen id inserted twice rolls back its whole batch.
		dupID := pendingEvent("ep_c", "k9")
		dupID.ID = tests[0].batch[0].ID
		fresh := pendingEvent("ep_c", "k10")
		if _, err := s.InsertEvents(ctx, []*store.Event{fresh, dupID}); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("duplicate id: %v, want ErrDuplicate", err)
		}
		if _, err := s.GetEvent(ctx, fresh.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("batch was not rolled back: %v", err)
		}
		if _, err := s.InsertEvents(ctx, []*store.Event{{Status: "bogus"}}); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("bad status: %v", err)
		}
	})
}

func TestInsertEventsConcurrentDedupe(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		// 8 concurrent batches each carry the same 20 keys (in different
		// orders): exactly one pending event per key must survive.
		const workers, keys = 8, 20
		var wg sync.WaitGroup
		results := make([][]store.InsertResult, workers)
		errs := make([]error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				batch := make([]*store.Event, keys)
				for k := range keys {
					kk := (k + w*3) % keys
					batch[k] = pendingEvent("ep_race", fmt.Sprintf("key-%02d", kk))
				}
				results[w], errs[w] = s.InsertEvents(ctx, batch)
			}()
		}
		wg.Wait()
		owner := map[string]string{}
		inserted := 0
		for w := range workers {
			if errs[w] != nil {
				t.Fatalf("worker %d: %v", w, errs[w])
			}
			for _, r := range results[w] {
				if !r.Duplicate {
					inserted++
				}
			}
		}
		if inserted != keys {
			t.Fatalf("%d events inserted, want %d", inserted, keys)
		}
		for w := range workers {
			for k, r := range results[w] {
				key := fmt.Sprintf("key-%02d", (k+w*3)%keys)
				if prev, ok := owner[key]; ok && prev != r.ID {
					t.Fatalf("key %s maps to %s and %s", key, prev, r.ID)
				}
				owner[key] = r.ID
			}
		}
		pending, _, err := s.ListEvents(ctx, store.EventFilter{EndpointID: "ep_race", Status: store.EventPending, ListOptions: store.ListOptions{Limit: 500}})
		if err != nil || len(pending) != keys {
			t.Fatalf("pending events = %d, %v; want %d", len(pending), err, keys)
		}
		dups, _, err := s.ListEvents(ctx, store.EventFilter{EndpointID: "ep_race", Status: store.EventDuplicate, ListOptions: store.ListOptions{Limit: 500}})
		if err != nil || len(dups) != keys*(workers-1) {
			t.Fatalf("duplicate log rows = %d, %v; want %d", len(dups), err, keys*(workers-1))
		}
	})
}

func TestListEvents(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		var batch []*store.Event
		for i := range 30 {
			e := pendingEvent("ep_l", fmt.Sprintf("e%02d", i))
			e.ReceivedAt = base.Add(time.Duration(i/3) * time.Minute) // several share a timestamp
			if i%2 == 1 {
				e.WorkflowID, e.EventType = "wf_2", "charge.refunded"
			}
			batch = append(batch, e)
		}
		if _, err := s.InsertEvents(ctx, batch); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    store.EventFilter
			want int
		}{
			{"all", store.EventFilter{}, 30},
			{"workflow", store.EventFilter{WorkflowID: "wf_2"}, 15},
			{"type", store.EventFilter{EventType: "payment_intent.succeeded"}, 15},
			{"provider id", store.EventFilter{ProviderEventID: "e07"}, 1},
			{"status", store.EventFilter{Status: store.EventPending}, 30},
			{"other status", store.EventFilter{Status: store.EventCompleted}, 0},
			{"time range", store.EventFilter{Since: base.Add(2 * time.Minute), Until: base.Add(4 * time.Minute)}, 6},
			{"endpoint", store.EventFilter{EndpointID: "ep_none"}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Page through with a small limit to exercise the cursor.
				tt.f.Limit = 4
				seen := map[string]bool{}
				var last *store.Event
				for {
					page, next, err := s.ListEvents(ctx, tt.f)
					if err != nil {
						t.Fatal(err)
					}
					for i := range page {
						e := page[i]
						if seen[e.ID] {
							t.Fatalf("event %s repeated", e.ID)
						}
						seen[e.ID] = true
						if e.Body != nil || e.Headers != nil {
							t.Fatalf("list without IncludeBody returned body/headers")
						}
						if last != nil && (last.ReceivedAt.Before(e.ReceivedAt) || (last.ReceivedAt.Equal(e.ReceivedAt) && last.ID < e.ID)) {
							t.Fatalf("order broken at %s", e.ID)
						}
						last = &e
					}
					if next == "" {
						break
					}
					tt.f.Cursor = next
				}
				if len(seen) != tt.want {
					t.Fatalf("got %d events, want %d", len(seen), tt.want)
				}
			})
		}
		withBody, _, err := s.ListEvents(ctx, store.EventFilter{IncludeBody: true, ListOptions: store.ListOptions{Limit: 1}})
		if err != nil || len(withBody) != 1 || len(withBody[0].Body) == 0 {
			t.Fatalf("IncludeBody: %+v, %v", withBody, err)
		}
	})
}

func TestClaimPendingEvents(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := ctxT(t)
			s := b.Store
			const n = 200
			var batch []*store.Event
			for i := range n {
				batch = append(batch, pendingEvent("ep_c", fmt.Sprintf("c%03d", i)))
			}
			if _, err := s.InsertEvents(ctx, batch); err != nil {
				t.Fatal(err)
			}
			// Two processes (separate stores on the same database) and
			// several goroutines each claim until nothing is left.
			other := storetest.Open(t, b.URL)
			claimers := []*store.Store{s, other, s, other}
			now := time.Now().Add(time.Second)
			var mu sync.Mutex
			claimed := map[string]int{}
			var wg sync.WaitGroup
			errs := make(chan error, len(claimers))
			for _, c := range claimers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						evs, err := c.ClaimPendingEvents(ctx, 7, now, time.Minute)
						if err != nil {
							errs <- err
							return
						}
						if len(evs) == 0 {
							return
						}
						mu.Lock()
						for _, e := range evs {
							claimed[e.ID]++
							if len(e.Body) == 0 || e.DispatchAttempts != 1 {
								errs <- fmt.Errorf("claimed event %+v", e)
							}
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if len(claimed) != n {
				t.Fatalf("claimed %d distinct events, want %d", len(claimed), n)
			}
			for id, c := range claimed {
				if c != 1 {
					t.Fatalf("event %s claimed %d times", id, c)
				}
			}
			// Leased: nothing is claimable until the lease runs out.
			if evs, err := s.ClaimPendingEvents(ctx, 10, now, time.Minute); err != nil || len(evs) != 0 {
				t.Fatalf("claim during lease = %d, %v", len(evs), err)
			}
			later := now.Add(2 * time.Minute)
			again, err := s.ClaimPendingEvents(ctx, 3, later, time.Minute)
			if err != nil || len(again) != 3 || again[0].DispatchAttempts != 2 {
				t.Fatalf("claim after lease = %+v, %v", again, err)
			}
			// Dispatched events are never claimed again; failed ones wait.
			if err := s.MarkDispatched(ctx, again[0].ID, "run-1"); err != nil {
				t.Fatal(err)
			}
			if err := s.MarkDispatched(ctx, again[0].ID, "run-1"); err != nil {
				t.Fatalf("MarkDispatched is not idempotent: %v", err)
			}
			retryAt := later.Add(time.Hour)
			if err := s.MarkDispatchFailed(ctx, again[1].ID, retryAt, "temporal unavailable"); err != nil {
				t.Fatal(err)
			}
			if err := s.MarkDispatchFailed(ctx, again[0].ID, retryAt, "x"); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("MarkDispatchFailed on dispatched: %v, want ErrConflict", err)
			}
			if err := s.MarkDispatched(ctx, "evt_nope", "r"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("MarkDispatched unknown: %v", err)
			}
			d, _ := s.GetEvent(ctx, again[0].ID)
			if d.Status != store.EventDispatched || d.RunID != "run-1" || d.NextDispatchAt != nil {
				t.Fatalf("dispatched event = %+v", d)
			}
			f, _ := s.GetEvent(ctx, again[1].ID)
			if f.Status != store.EventPending || f.Reason != "temporal unavailable" || !f.NextDispatchAt.Equal(retryAt.UTC().Truncate(time.Millisecond)) {
				t.Fatalf("failed-dispatch event = %+v", f)
			}
			rest, err := s.ClaimPendingEvents(ctx, 1000, later.Add(2*time.Minute), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, e := range rest {
				ids[e.ID] = true
			}
			if len(rest) != n-2 || ids[again[0].ID] || ids[again[1].ID] {
				t.Fatalf("final claim got %d events", len(rest))
			}
			if err := s.SetEventStatus(ctx, again[2].ID, store.EventCompleted, ""); err != nil {
				t.Fatal(err)
			}
			// A run that reported before the dispatcher (respond: on_complete)
			// moved the event on; MarkDispatched still links the run.
			if err := s.MarkDispatched(ctx, again[2].ID, "run-3"); err != nil {
				t.Fatal(err)
			}
			if c, _ := s.GetEvent(ctx, again[2].ID); c.Status != store.EventCompleted || c.RunID != "run-3" {
				t.Fatalf("event finished before dispatch = status %s run %q, want completed with run-3", c.Status, c.RunID)
			}
			if err := s.SetEventStatus(ctx, again[2].ID, "nope", ""); !errors.Is(err, store.ErrInvalidArgument) {
				t.Fatalf("bad status: %v", err)
			}
			if err := s.SetEventStatus(ctx, "evt_nope", store.EventFailed, "x"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown event: %v", err)
			}
		})
	}
}

func TestPruneEvents(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		old := time.Now().Add(-40 * 24 * time.Hour)
		var batch []*store.Event
		for i := range 25 {
			e := pendingEvent("ep_p", fmt.Sprintf("p%02d", i))
			e.ReceivedAt = old
			if i < 23 {
				e.Status = store.EventCompleted
			}
			batch = append(batch, e)
		}
		recent := pendingEvent("ep_p", "recent")
		recent.Status = store.EventCompleted
		batch = append(batch, recent)
		if _, err := s.InsertEvents(ctx, batch); err != nil {
			t.Fatal(err)
		}
		n, err := s.PruneEvents(ctx, time.Now().Add(-30*24*time.Hour), 5)
		if err != nil || n != 23 {
			t.Fatalf("PruneEvents = %d, %v; want 23", n, err)
		}
		left, _, err := s.ListEvents(ctx, store.EventFilter{EndpointID: "ep_p"})
		if err != nil || len(left) != 3 {
			t.Fatalf("left %d events, %v; want 2 pending + 1 recent", len(left), err)
		}
		if n, err := s.PruneEvents(ctx, time.Now().Add(-30*24*time.Hour), 0); err != nil || n != 0 {
			t.Fatalf("second prune = %d, %v", n, err)
		}
	})
}
