package interpreter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/engine/store"
)

// patientEnv is fx.newEnv with the deadlock detector relaxed: the test
// environment runs these local activities' store writes (and the test
// server's store reads) inside the workflow task, and on a loaded machine
// a write can take longer than the detector's default second.
func patientEnv(t *testing.T, fx *fixture) *testsuite.TestWorkflowEnvironment {
	env := fx.newEnv(t)
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	return env
}

// An http step whose server answers 503 twice and then 200 makes three
// attempts, and the store keeps each: the two failures with their status,
// host and the time the next attempt is due, then the success. While the
// step waits for its third attempt, the run page (StepViews over the live
// log) shows it retrying: attempt 3 of 5, with the last error.
func TestHTTPStepAttemptsAreRecorded(t *testing.T) {
	fx := newFixture(t)
	var (
		mu    sync.Mutex
		calls int
		mid   []StepView // the run page as it was when the third attempt arrived
		midEr error
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 3 {
			kept, err := fx.store.ListStepAttempts(context.Background(), "run-1")
			if err == nil {
				live, _ := json.Marshal([]StepRecord{{Path: "call", ID: "call", Type: "http", Status: StepRunning}})
				mid, err = StepViews(live, kept)
			}
			midEr = err
		}
		if calls <= 2 {
			http.Error(w, `{"error":"down for maintenance"}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	def := fmt.Sprintf(`{"name": "a", "trigger": {"type": "webhook"}, "steps": [
		{"id": "call", "type": "http", "url": "%s/orders", "timeout": "5s",
			"retry": {"max_attempts": 5, "initial_interval": "2s", "backoff": 2}}]}`, srv.URL)
	_, err, l := run(t, patientEnv(t, fx), input(t, def, `{}`))
	if err != nil {
		t.Fatalf("run failed: %v", err)
	}
	if s := step(t, l, "call"); s.Attempts != 3 || s.Status != StepSucceeded {
		t.Fatalf("step: %s after %d attempts, want succeeded after 3", s.Status, s.Attempts)
	}
	kept, err := fx.store.ListStepAttempts(context.Background(), "run-1")
	if err != nil {
		t.Fatal(err)
	}
	got := kept["call"]
	if got.Count != 3 {
		t.Fatalf("kept %d attempts, want 3: %+v", got.Count, got.Attempts)
	}
	for i, a := range got.Attempts {
		wantStatus, wantCode := store.AttemptFailed, http.StatusServiceUnavailable
		if i == 2 {
			wantStatus, wantCode = store.AttemptSucceeded, http.StatusOK
		}
		if a.Attempt != i+1 || a.Status != wantStatus || a.HTTPStatus != wantCode || a.Host != "127.0.0.1" || a.MaxAttempts != 5 {
			t.Errorf("attempt %d = %+v; want attempt %d %s with HTTP %d from 127.0.0.1 of 5", i+1, a, i+1, wantStatus, wantCode)
		}
		if wantStatus == store.AttemptFailed && (a.NextAttemptAt == nil || a.ErrorClass != classRetryable || !strings.Contains(a.Error, "503")) {
			t.Errorf("failed attempt %d = %+v; want a retryable 503 with its next attempt due", i+1, a)
		}
		if wantStatus == store.AttemptSucceeded && (a.NextAttemptAt != nil || a.Error != "") {
			t.Errorf("the successful attempt = %+v; want no error and no next attempt", a)
		}
	}
	// The second failure waits twice the first interval (backoff 2).
	if a1, a2 := got.Attempts[0], got.Attempts[1]; a1.NextAttemptAt.Sub(a1.StartedAt) > a2.NextAttemptAt.Sub(a2.StartedAt) {
		t.Errorf("next attempt after the first failure in %s, after the second in %s: want the backoff to grow",
			a1.NextAttemptAt.Sub(a1.StartedAt), a2.NextAttemptAt.Sub(a2.StartedAt))
	}

	mu.Lock()
	defer mu.Unlock()
	if midEr != nil || len(mid) != 1 {
		t.Fatalf("run page during the third attempt: %v, %+v", midEr, mid)
	}
	if v := mid[0]; v.Status != StepRetrying || v.Attempt != 3 || v.MaxAttempts != 5 || !strings.Contains(v.LastError, "503") ||
		v.NextAttemptAt == nil || v.AttemptCount != 2 || len(v.AttemptLog) != 2 {
		t.Fatalf("run page during the third attempt = %+v; want retrying, attempt 3 of 5 after a 503", v)
	}

	views, err := StepViews(mustJSON(l.Steps), kept)
	if err != nil {
		t.Fatal(err)
	}
	if v := views[0]; v.Status != StepSucceeded || v.AttemptCount != 3 || len(v.AttemptLog) != 3 || v.NextAttemptAt != nil {
		t.Fatalf("run page after the run = %+v", v)
	}
}

// A step that succeeds at once writes no attempt row (the hot path); the
// run page still lists its one attempt, from the step record.
func TestFirstAttemptSuccessWritesNothing(t *testing.T) {
	fx := newFixture(t)
	srv := newSink(t)
	def := fmt.Sprintf(`{"name": "a", "trigger": {"type": "webhook"}, "steps": [
		{"id": "call", "type": "http", "method": "POST", "url": "%s/x", "timeout": "5s"}]}`, srv.URL)
	_, err, l := run(t, patientEnv(t, fx), input(t, def, `{}`))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := fx.store.ListStepAttempts(context.Background(), "run-1")
	if err != nil || len(kept) != 0 {
		t.Fatalf("attempt rows = %+v, %v; want none", kept, err)
	}
	views, err := StepViews(mustJSON(l.Steps), kept)
	if err != nil {
		t.Fatal(err)
	}
	if v := views[0]; v.AttemptCount != 1 || len(v.AttemptLog) != 1 || v.AttemptLog[0].Status != store.AttemptSucceeded ||
		v.AttemptLog[0].HTTPStatus != http.StatusOK {
		t.Fatalf("view = %+v; want one successful attempt with HTTP 200", v)
	}
}

// A permanent failure is recorded once, with no next attempt.
func TestPermanentFailureAttempt(t *testing.T) {
	fx := newFixture(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"bad input"}`, http.StatusBadRequest)
	}))
	defer srv.Close()
	def := fmt.Sprintf(`{"name": "a", "trigger": {"type": "webhook"}, "steps": [
		{"id": "call", "type": "http", "method": "POST", "url": "%s/x", "retry": {"max_attempts": 4}}]}`, srv.URL)
	_, err, _ := run(t, patientEnv(t, fx), input(t, def, `{}`))
	if err == nil {
		t.Fatal("run succeeded, want it failed on the 400")
	}
	kept, err := fx.store.ListStepAttempts(context.Background(), "run-1")
	if err != nil {
		t.Fatal(err)
	}
	a := kept["call"].Attempts
	if len(a) != 1 || a[0].HTTPStatus != http.StatusBadRequest || a[0].ErrorClass != classPermanent || a[0].NextAttemptAt != nil {
		t.Fatalf("attempts = %+v; want one permanent 400 with no next attempt", a)
	}
}

func TestAttemptPlanDelay(t *testing.T) {
	p := AttemptPlan{InitialInterval: time.Second, Backoff: 2, MaxInterval: 5 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 10: 5 * time.Second} {
		if got := p.delayAfter(n); got != want {
			t.Errorf("delay after attempt %d = %s, want %s", n, got, want)
		}
	}
}

func TestRunName(t *testing.T) {
	tests := []struct {
		name        string
		runName     string
		want        string
		wantWarning string
	}{
		{name: "rendered", runName: `Order {{ trigger.order_id }} for {{ trigger.customer.email }}`, want: "Order 1001 for a@b.c"},
		{name: "typed value", runName: `{{ trigger.order_id }}`, want: "1001"},
		{name: "vars", runName: `{{ vars.label }}`, want: "shop order"},
		{name: "missing field falls back", runName: `Order {{ trigger.order_nr }}`, want: "Run of evt_1",
			wantWarning: "trigger.run_name: "},
		{name: "type error falls back", runName: `{{ trigger.customer.email * 2 }}`, want: "Run of evt_1",
			wantWarning: "the run is named Run of evt_1 instead"},
		{name: "long name is cut", runName: `{{ trigger.long }}`, want: strings.Repeat("é", MaxRunNameBytes/2) + "…"},
	}
	body := fmt.Sprintf(`{"order_id": 1001, "customer": {"email": "a@b.c"}, "long": %q}`, strings.Repeat("é", 300))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			def := fmt.Sprintf(`{"name": "n", "vars": {"label": "shop order"}, "trigger": {"type": "webhook", "run_name": %q},
				"steps": [{"id": "m", "type": "map", "map": {"id": "trigger.order_id"}}]}`, tt.runName)
			in := input(t, def, body)
			in.Listed = true // as the dispatcher starts runs; a named run still saves its start
			_, err, l := run(t, patientEnv(t, fx), in)
			if err != nil || l.Status != StatusCompleted {
				t.Fatalf("run %s: %v; a run name never fails the run", l.Status, err)
			}
			if l.Name != tt.want {
				t.Fatalf("name = %q, want %q", l.Name, tt.want)
			}
			if (tt.wantWarning == "") != (l.NameWarning == "") || !strings.Contains(l.NameWarning, tt.wantWarning) {
				t.Fatalf("name warning = %q, want one containing %q", l.NameWarning, tt.wantWarning)
			}
			saved, err := fx.store.GetRun(context.Background(), "run-1")
			if err != nil {
				t.Fatal(err)
			}
			if saved.Name != tt.want || saved.NameWarning != l.NameWarning {
				t.Fatalf("saved run: name %q, warning %q", saved.Name, saved.NameWarning)
			}
		})
	}
}

// A scheduled run logs its own event row, linked to it, and takes its id;
// the row's status follows the run like a webhook event's.
func TestScheduledRunLogsItsEvent(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "s", "trigger": {"type": "schedule", "schedule": {"every": "1h"}, "run_name": "Tick {{ event.type }}"},
		"steps": [{"id": "m", "type": "map", "map": {"x": "event.id"}}]}`
	in := input(t, def, "")
	in.RunID = "hookflow-scheduled/wf_test-2026-04-01T08:00:00Z"
	in.Event = EventInfo{ID: "schedule", Type: "schedule"}
	in.Scheduled = true
	_, err, l := run(t, patientEnv(t, fx), in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(l.EventID, "evt_") || l.Name != "Tick schedule" {
		t.Fatalf("run log: event %q, name %q", l.EventID, l.Name)
	}
	ev, err := fx.store.GetEvent(context.Background(), l.EventID)
	if err != nil {
		t.Fatalf("the scheduled run's event row: %v", err)
	}
	if ev.RunID != in.RunID || ev.Connector != ScheduleEventConnector || ev.EventType != "schedule" ||
		ev.Status != store.EventCompleted || ev.WorkflowID != "wf_test" || string(ev.Body) != `{}` {
		t.Fatalf("event = %+v", ev)
	}
	saved, err := fx.store.GetRun(context.Background(), in.RunID)
	if err != nil || saved.EventID != l.EventID {
		t.Fatalf("saved run event %q (%v), want %q", saved.EventID, err, l.EventID)
	}
}

// A run its starter listed skips its start save, unless it has a name:
// then it saves at the start too, so the list shows the name while it
// runs.
func TestNamedListedRunSavesItsStart(t *testing.T) {
	for _, tt := range []struct {
		name    string
		runName string
		saves   int
	}{{name: "unnamed", saves: 1}, {name: "named", runName: "Order {{ trigger.id }}", saves: 2}} {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			env := patientEnv(t, fx)
			saves := 0
			env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
				if info.ActivityType.Name == ActivitySaveRun {
					saves++
				}
			})
			def := fmt.Sprintf(`{"name": "n", "trigger": {"type": "webhook", "run_name": %q},
				"steps": [{"id": "m", "type": "map", "map": {"id": "trigger.id"}}]}`, tt.runName)
			in := input(t, def, `{"id": 7}`)
			in.Listed = true
			if _, err, _ := run(t, env, in); err != nil {
				t.Fatal(err)
			}
			if saves != tt.saves {
				t.Fatalf("%d summary saves, want %d", saves, tt.saves)
			}
		})
	}
}
