package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func TestStepAttempts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		next := start.Add(5 * time.Second)
		for i := 1; i <= 25; i++ {
			a := store.StepAttempt{RunID: "run-1", Step: "call", Attempt: i, MaxAttempts: 30, Status: store.AttemptFailed,
				StartedAt: start.Add(time.Duration(i) * time.Second), Duration: 120 * time.Millisecond,
				Error: "503 Service Unavailable", ErrorClass: "retryable", HTTPStatus: 503, Host: "api.example.com", NextAttemptAt: &next}
			if err := s.RecordStepAttempt(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		// A repeated write of the same attempt replaces it.
		if err := s.RecordStepAttempt(ctx, store.StepAttempt{RunID: "run-1", Step: "fan.a", Attempt: 1, Status: store.AttemptFailed,
			StartedAt: start, Error: "first"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordStepAttempt(ctx, store.StepAttempt{RunID: "run-1", Step: "fan.a", Attempt: 1, Status: store.AttemptFailed,
			StartedAt: start, Error: "again"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordStepAttempt(ctx, store.StepAttempt{RunID: "run-1", Step: "fan.a", Attempt: 2, Status: store.AttemptSucceeded,
			StartedAt: start.Add(time.Second), HTTPStatus: 200}); err != nil {
			t.Fatal(err)
		}
		got, err := s.ListStepAttempts(ctx, "run-1")
		if err != nil {
			t.Fatal(err)
		}
		call := got["call"]
		if call.Count != 25 || len(call.Attempts) != store.MaxAttemptsPerStep {
			t.Fatalf("call: count %d, %d attempts; want 25 and %d", call.Count, len(call.Attempts), store.MaxAttemptsPerStep)
		}
		first := call.Attempts[0]
		if first.Attempt != 6 || call.Attempts[19].Attempt != 25 {
			t.Fatalf("call keeps attempts %d..%d, want the newest 6..25", first.Attempt, call.Attempts[19].Attempt)
		}
		if first.HTTPStatus != 503 || first.Host != "api.example.com" || first.DurationMS != 120 || first.ErrorClass != "retryable" ||
			first.MaxAttempts != 30 || first.NextAttemptAt == nil || !first.NextAttemptAt.Equal(next) ||
			!first.StartedAt.Equal(start.Add(6*time.Second)) {
			t.Fatalf("attempt 6 = %+v", first)
		}
		fan := got["fan.a"]
		if fan.Count != 2 || fan.Attempts[0].Error != "again" || fan.Attempts[1].Status != store.AttemptSucceeded {
			t.Fatalf("fan.a = %+v", fan)
		}
		if none, err := s.ListStepAttempts(ctx, "run-2"); err != nil || len(none) != 0 {
			t.Fatalf("ListStepAttempts(other run) = %v, %v", none, err)
		}

		bad := []struct {
			name string
			a    store.StepAttempt
		}{
			{name: "no run", a: store.StepAttempt{Step: "s", Attempt: 1, Status: store.AttemptFailed}},
			{name: "attempt 0", a: store.StepAttempt{RunID: "r", Step: "s", Status: store.AttemptFailed}},
			{name: "unknown status", a: store.StepAttempt{RunID: "r", Step: "s", Attempt: 1, Status: "retrying"}},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				if err := s.RecordStepAttempt(ctx, tt.a); !errors.Is(err, store.ErrInvalidArgument) {
					t.Fatalf("RecordStepAttempt = %v, want ErrInvalidArgument", err)
				}
			})
		}

		// Retention: PruneRuns takes the attempts made before its cut-off.
		if _, err := s.PruneRuns(ctx, start.Add(10*time.Second+time.Millisecond), 4); err != nil {
			t.Fatal(err)
		}
		got, err = s.ListStepAttempts(ctx, "run-1")
		if err != nil {
			t.Fatal(err)
		}
		if got["call"].Count != 15 || got["call"].Attempts[0].Attempt != 11 || len(got["fan.a"].Attempts) != 0 {
			t.Fatalf("after pruning: call %d attempts from %d, fan.a %d", got["call"].Count, got["call"].Attempts[0].Attempt, got["fan.a"].Count)
		}
	})
}

func TestRunNamesAndWorkflowNames(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		wf := mustWorkflow(t, s, "Orders to Slack")
		start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		end := start.Add(time.Second)
		if err := s.UpsertRun(ctx, store.Run{ID: "r1", WorkflowID: wf.ID, WorkflowVersion: 1, Status: store.RunRunning,
			StartedAt: start, Name: "Order 1001"}); err != nil {
			t.Fatal(err)
		}
		// The end-of-run save repeats the name; a save without one (a
		// starter that lists the run) keeps it.
		if err := s.UpsertRun(ctx, store.Run{ID: "r1", WorkflowID: wf.ID, WorkflowVersion: 1, Status: store.RunCompleted,
			StartedAt: start, EndedAt: &end}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertRun(ctx, store.Run{ID: "r2", WorkflowID: "wf_gone", WorkflowVersion: 1, Status: store.RunFailed,
			StartedAt: start.Add(time.Minute), Name: "r2", NameWarning: "run_name: unknown name"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetRun(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Order 1001" || got.WorkflowName != "Orders to Slack" {
			t.Fatalf("run r1: name %q, workflow name %q", got.Name, got.WorkflowName)
		}
		runs, _, err := s.ListRuns(ctx, store.RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].ID != "r2" || runs[0].WorkflowName != "" || runs[0].NameWarning == "" ||
			runs[1].Name != "Order 1001" || runs[1].WorkflowName != "Orders to Slack" {
			t.Fatalf("ListRuns = %+v", runs)
		}
	})
}

func TestSearchByBody(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		var events []*store.Event
		for i := range 30 {
			email := fmt.Sprintf("u%d@example.com", i%3)
			body := fmt.Sprintf(`{"customer":{"email":%q},"n":%d,"items":[{"sku":"A%d"}]}`, email, i, i%2)
			events = append(events, &store.Event{ID: fmt.Sprintf("evt_%02d", i), WorkflowID: "wf_1", EventType: "order",
				ReceivedAt: start.Add(time.Duration(i) * time.Second), Body: []byte(body), Status: store.EventCompleted,
				RunID: fmt.Sprintf("run-%02d", i)})
		}
		events = append(events, &store.Event{ID: "evt_text", WorkflowID: "wf_1", ReceivedAt: start.Add(time.Hour),
			Body: []byte("not json"), Status: store.EventCompleted})
		if _, err := s.InsertEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			if err := s.UpsertRun(ctx, store.Run{ID: fmt.Sprintf("run-%02d", i), WorkflowID: "wf_1", WorkflowVersion: 1,
				EventID: fmt.Sprintf("evt_%02d", i), Status: store.RunCompleted, StartedAt: start.Add(time.Duration(i) * time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name  string
			match store.BodyMatch
			limit int
			want  int // matches over all pages
		}{
			{name: "string", match: store.BodyMatch{Path: "customer.email", Value: "u1@example.com"}, limit: 4, want: 10},
			{name: "number's text", match: store.BodyMatch{Path: "n", Value: "7"}, limit: 50, want: 1},
			{name: "query path", match: store.BodyMatch{Path: `items.#(sku=="A1").sku`, Value: "A1"}, limit: 7, want: 15},
			{name: "missing path", match: store.BodyMatch{Path: "customer.nmae", Value: ""}, limit: 10, want: 0},
			{name: "no match", match: store.BodyMatch{Path: "customer.email", Value: "nobody"}, limit: 10, want: 0},
		}
		for _, tt := range tests {
			t.Run(tt.name+"/runs", func(t *testing.T) {
				seen, cursor := map[string]bool{}, ""
				for page := 0; ; page++ {
					runs, next, err := s.SearchRuns(ctx, store.RunFilter{Match: tt.match, ListOptions: store.ListOptions{Limit: tt.limit, Cursor: cursor}})
					if err != nil {
						t.Fatal(err)
					}
					if len(runs) > tt.limit {
						t.Fatalf("page %d has %d runs, limit %d", page, len(runs), tt.limit)
					}
					for _, r := range runs {
						if seen[r.ID] {
							t.Fatalf("run %s on two pages", r.ID)
						}
						seen[r.ID] = true
					}
					if next == "" {
						break
					}
					cursor = next
				}
				if len(seen) != tt.want {
					t.Fatalf("found %d runs, want %d", len(seen), tt.want)
				}
			})
			t.Run(tt.name+"/events", func(t *testing.T) {
				seen, cursor := map[string]bool{}, ""
				for {
					evs, next, err := s.SearchEvents(ctx, store.EventFilter{Match: tt.match, ListOptions: store.ListOptions{Limit: tt.limit, Cursor: cursor}})
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range evs {
						if e.Body != nil {
							t.Fatalf("event %s came with its body; the list leaves bodies out", e.ID)
						}
						seen[e.ID] = true
					}
					if next == "" {
						break
					}
					cursor = next
				}
				if len(seen) != tt.want {
					t.Fatalf("found %d events, want %d", len(seen), tt.want)
				}
			})
		}
		runs, _, err := s.SearchRuns(ctx, store.RunFilter{Match: store.BodyMatch{Path: "customer.email", Value: "u2@example.com"},
			ListOptions: store.ListOptions{Limit: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 3 || runs[0].ID != "run-29" || runs[1].ID != "run-26" || runs[2].ID != "run-23" {
			t.Fatalf("first page = %v, want run-29, run-26, run-23 (newest first)", runIDs(runs))
		}
		if _, _, err := s.SearchRuns(ctx, store.RunFilter{Match: store.BodyMatch{Path: " x", Value: "1"}}); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("SearchRuns(path with spaces) = %v, want ErrInvalidArgument", err)
		}
	})
}

func runIDs(runs []store.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	return out
}

func TestRecordRunEvent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		at := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		id := store.DerivedID("evt", at, "hookflow-scheduled/wf_1-2026-04-01T08:00:00Z")
		if again := store.DerivedID("evt", at, "hookflow-scheduled/wf_1-2026-04-01T08:00:00Z"); again != id {
			t.Fatalf("DerivedID is not stable: %s then %s", id, again)
		}
		if other := store.DerivedID("evt", at, "hookflow-scheduled/wf_1-2026-04-01T08:05:00Z"); other == id {
			t.Fatal("DerivedID gave two keys one id")
		}
		if later := store.DerivedID("evt", at.Add(time.Millisecond), "a"); later <= store.DerivedID("evt", at, "z") {
			t.Fatal("DerivedID does not sort by time")
		}
		ev := store.Event{ID: id, WorkflowID: "wf_1", WorkflowVersion: 3, Connector: "schedule", EventType: "schedule",
			ReceivedAt: at, Body: []byte(`{}`), Status: store.EventRunning, RunID: "hookflow-scheduled/wf_1-2026-04-01T08:00:00Z"}
		for range 2 {
			if err := s.RecordRunEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.GetEvent(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.RunID != ev.RunID || got.Status != store.EventRunning || got.Connector != "schedule" || string(got.Body) != `{}` {
			t.Fatalf("event = %+v", got)
		}
		list, _, err := s.ListEvents(ctx, store.EventFilter{WorkflowID: "wf_1"})
		if err != nil || len(list) != 1 {
			t.Fatalf("ListEvents = %d events, %v; want the one row", len(list), err)
		}
	})
}
