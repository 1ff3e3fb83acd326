package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func TestAlertRulesCRUD(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		r, err := s.CreateAlertRule(ctx, store.AlertRule{Name: "failures", Kind: store.AlertWorkflowFailures, Target: "*",
			Threshold: 3, Window: 10 * time.Minute, Cooldown: time.Hour, WorkflowID: "wf_alert", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetAlertRule(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "failures" || got.Window != 10*time.Minute || got.Cooldown != time.Hour || !got.Enabled || got.Threshold != 3 {
			t.Fatalf("GetAlertRule = %+v", got)
		}
		got.Threshold, got.Enabled = 5, false
		if _, err := s.UpdateAlertRule(ctx, got); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListAlertRules(ctx)
		if err != nil || len(list) != 1 || list[0].Threshold != 5 || list[0].Enabled {
			t.Fatalf("ListAlertRules = %+v, %v", list, err)
		}
		bad := got
		bad.Kind = "cpu"
		if _, err := s.UpdateAlertRule(ctx, bad); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("unknown kind: %v, want ErrInvalidArgument", err)
		}
		if _, err := s.OpenIncident(ctx, got, "wf_1", 5, time.Now(), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAlertRule(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetAlertRule(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: %v, want ErrNotFound", err)
		}
		if err := s.DeleteAlertRule(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v, want ErrNotFound", err)
		}
		if inc, err := s.ListIncidents(ctx, store.IncidentFilter{}); err != nil || len(inc) != 0 {
			t.Fatalf("the rule's incidents outlived it: %+v, %v", inc, err)
		}
	})
}

// TestCountAlertSignals counts each kind's signals in a window, grouped by
// target, and samples the newest with their reasons.
func TestCountAlertSignals(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		now := time.Now().UTC().Truncate(time.Millisecond)
		old := now.Add(-2 * time.Hour)
		var events []*store.Event
		for i, at := range []time.Time{now, now.Add(-time.Minute), old} {
			events = append(events, &store.Event{EndpointID: "ep_a", WorkflowID: "wf_a", Verification: store.VerificationFailed,
				Status: store.EventRejected, Reason: "bad signature", ReceivedAt: at, ProviderEventID: string(rune('a' + i))})
		}
		events = append(events,
			&store.Event{EndpointID: "ep_b", WorkflowID: "wf_b", Verification: store.VerificationFailed, Status: store.EventRejected,
				Reason: "stale timestamp", ReceivedAt: now},
			&store.Event{EndpointID: "ep_b", WorkflowID: "wf_b", Verification: store.VerificationOK, Status: store.EventPending, ReceivedAt: now})
		if _, err := s.InsertEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		for i, r := range []struct {
			wf, status string
			ended      time.Time
		}{
			{"wf_a", store.RunFailed, now}, {"wf_a", store.RunTimedOut, now}, {"wf_a", store.RunCompleted, now},
			{"wf_a", store.RunFailed, old}, {"wf_b", store.RunFailed, now}, {"wf_b", store.RunRunning, time.Time{}},
		} {
			run := store.Run{ID: "run_" + string(rune('a'+i)), WorkflowID: r.wf, WorkflowVersion: 1, Status: r.status,
				StartedAt: now.Add(-3 * time.Hour), Error: "step x: boom"}
			if !r.ended.IsZero() {
				run.EndedAt = &r.ended
			}
			if err := s.UpsertRun(ctx, run); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range []store.Delivery{
			{Destination: "https://hooks.example.com/a", Status: store.DeliveryDead},
			{Destination: "https://hooks.example.com/b?x=1", Status: store.DeliveryDead},
			{Destination: "https://other.example.com/", Status: store.DeliveryDead},
			{Destination: "https://hooks.example.com/a", Status: store.DeliveryFailed},
		} {
			if _, err := s.CreateDelivery(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		since := now.Add(-time.Hour)
		for _, tc := range []struct {
			name, kind, target string
			want               map[string]int
		}{
			{"rejections of every endpoint", store.AlertEndpointRejections, "*", map[string]int{"ep_a": 2, "ep_b": 1}},
			{"rejections of one endpoint", store.AlertEndpointRejections, "ep_a", map[string]int{"ep_a": 2}},
			{"failures of every workflow", store.AlertWorkflowFailures, "*", map[string]int{"wf_a": 2, "wf_b": 1}},
			{"failures of one workflow", store.AlertWorkflowFailures, "wf_b", map[string]int{"wf_b": 1}},
			{"dead letters by URL", store.AlertDestinationDeadLetters, "*",
				map[string]int{"https://hooks.example.com/a": 1, "https://hooks.example.com/b?x=1": 1, "https://other.example.com/": 1}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rows, err := s.CountAlertSignals(ctx, tc.kind, tc.target, since)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for _, r := range rows {
					got[r.Target] = r.Count
				}
				if len(got) != len(tc.want) {
					t.Fatalf("counts %v, want %v", got, tc.want)
				}
				for k, v := range tc.want {
					if got[k] != v {
						t.Fatalf("counts %v, want %v", got, tc.want)
					}
				}
			})
		}
		sample, err := s.AlertSamples(ctx, store.AlertEndpointRejections, []string{"ep_a"}, since, 5)
		if err != nil || len(sample) != 2 || sample[0].Reason != "bad signature" || !sample[0].At.Equal(now) {
			t.Fatalf("AlertSamples = %+v, %v", sample, err)
		}
		sample, err = s.AlertSamples(ctx, store.AlertWorkflowFailures, []string{"wf_a"}, since, 1)
		if err != nil || len(sample) != 1 || sample[0].Reason != "step x: boom" || sample[0].Target != "wf_a" {
			t.Fatalf("AlertSamples(limit 1) = %+v, %v", sample, err)
		}
		if _, err := s.CountAlertSignals(ctx, "cpu", "*", since); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("unknown kind: %v", err)
		}
		g, err := s.CountHealthGauges(ctx)
		if err != nil || g.Backlog != 1 || g.RunsInFlight != 1 || g.OpenIncidents != 0 {
			t.Fatalf("CountHealthGauges = %+v, %v; want backlog 1, in flight 1", g, err)
		}
	})
}

// TestIncidentTransitionsAreAtomic opens and resolves incidents from
// several store handles at once (as several server processes would): one
// wins each transition, the others get ErrConflict.
func TestIncidentTransitionsAreAtomic(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := ctxT(t)
			rule, err := b.Store.CreateAlertRule(ctx, store.AlertRule{Kind: store.AlertWorkflowFailures, Target: "*", Threshold: 1,
				Window: time.Hour, WorkflowID: "wf_alert", Enabled: true})
			if err != nil {
				t.Fatal(err)
			}
			handles := []*store.Store{b.Store}
			for range 3 {
				s, err := store.Open(ctx, b.URL)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				handles = append(handles, s)
			}
			now := time.Now()
			race := func(fn func(s *store.Store) error) (won int) {
				var wg sync.WaitGroup
				var mu sync.Mutex
				for _, s := range handles {
					wg.Add(1)
					go func() {
						defer wg.Done()
						err := fn(s)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							won++
						case !errors.Is(err, store.ErrConflict):
							t.Errorf("unexpected error: %v", err)
						}
					}()
				}
				wg.Wait()
				return won
			}
			if won := race(func(s *store.Store) error {
				_, err := s.OpenIncident(ctx, rule, "wf_1", 4, now, time.Minute)
				return err
			}); won != 1 {
				t.Fatalf("%d processes opened the incident, want 1", won)
			}
			open, err := b.Store.ListIncidents(ctx, store.IncidentFilter{Open: true})
			if err != nil || len(open) != 1 || open[0].State != store.IncidentFiring || open[0].Count != 4 {
				t.Fatalf("open incidents = %+v, %v", open, err)
			}
			inc := open[0]
			// The opener holds the notice lease: nobody can claim it yet.
			if _, err := b.Store.ClaimIncidentNotice(ctx, inc, now, time.Minute); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("claim within the lease: %v, want ErrConflict", err)
			}
			pending, err := b.Store.PendingIncidentNotices(ctx, now.Add(2*time.Minute), 5)
			if err != nil || len(pending) != 1 {
				t.Fatalf("pending after the lease = %+v, %v", pending, err)
			}
			if won := race(func(s *store.Store) error {
				_, err := s.ClaimIncidentNotice(ctx, pending[0], now.Add(2*time.Minute), time.Minute)
				return err
			}); won != 1 {
				t.Fatalf("%d processes claimed the notice, want 1", won)
			}
			if err := b.Store.RecordIncidentNotice(ctx, inc.ID, store.IncidentFiring, "evt_fired", ""); err != nil {
				t.Fatal(err)
			}
			if pending, _ := b.Store.PendingIncidentNotices(ctx, now.Add(time.Hour), 5); len(pending) != 0 {
				t.Fatalf("a sent notice is still pending: %+v", pending)
			}
			if won := race(func(s *store.Store) error {
				_, err := s.ResolveIncident(ctx, inc.ID, 0, now.Add(time.Minute), time.Minute)
				return err
			}); won != 1 {
				t.Fatalf("%d processes resolved the incident, want 1", won)
			}
			got, err := b.Store.GetIncident(ctx, inc.ID)
			if err != nil || got.State != store.IncidentResolved || got.FiredEventID != "evt_fired" || got.ResolvedAt == nil {
				t.Fatalf("resolved incident = %+v, %v", got, err)
			}
			last, err := b.Store.LastResolvedAt(ctx, rule.ID, "wf_1")
			if err != nil || !last.Equal(got.ResolvedAt.UTC()) {
				t.Fatalf("LastResolvedAt = %v, %v; want %v", last, err, got.ResolvedAt)
			}
			// Resolved, the next incident of the same target can open.
			if _, err := b.Store.OpenIncident(ctx, rule, "wf_1", 2, now.Add(2*time.Minute), time.Minute); err != nil {
				t.Fatalf("reopening after resolution: %v", err)
			}
			all, err := b.Store.ListIncidents(ctx, store.IncidentFilter{})
			if err != nil || len(all) != 2 || all[0].State != store.IncidentFiring {
				t.Fatalf("ListIncidents = %+v, %v", all, err)
			}
		})
	}
}
