package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/services/health"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// starter records the alert runs an evaluator starts; fail makes the
// next starts fail. The real manual-run path is exercised by the
// integration test in cmd/hookflow.
type starter struct {
	mu     sync.Mutex
	starts []started
	fail   int
}

type started struct {
	workflowID string
	alert      health.Alert
}

func (s *starter) RunManual(_ context.Context, workflowID string, input json.RawMessage) (store.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return store.Event{}, errors.New("temporal is unreachable")
	}
	var body struct {
		Alert health.Alert `json:"alert"`
	}
	if err := json.Unmarshal(input, &body); err != nil {
		return store.Event{}, err
	}
	s.starts = append(s.starts, started{workflowID, body.Alert})
	return store.Event{ID: fmt.Sprintf("evt_%d", len(s.starts))}, nil
}

func (s *starter) all() []started {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]started(nil), s.starts...)
}

type fixture struct {
	t       *testing.T
	st      *store.Store
	clock   *clock
	alertWF store.Workflow
	orders  store.Workflow
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	alert, err := st.CreateWorkflow(ctx, "Alert Slack", []byte(`{"name":"Alert Slack"}`), "h1")
	if err != nil {
		t.Fatal(err)
	}
	orders, err := st.CreateWorkflow(ctx, "Orders to CRM", []byte(`{"name":"Orders to CRM"}`), "h2")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, st: st, clock: &clock{t: time.Now().UTC().Truncate(time.Millisecond)}, alertWF: alert, orders: orders}
}

func (f *fixture) evaluator(st *store.Store, s health.Starter) *health.Evaluator {
	f.t.Helper()
	e, err := health.NewEvaluator(health.Config{Store: st, Starter: s, Now: f.clock.Now, Logger: quiet})
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fixture) rule(in health.RuleInput) health.Rule {
	f.t.Helper()
	r, err := (&health.Rules{Store: f.st}).Create(context.Background(), in)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// failRun records a run of wf that failed now (fake time).
func (f *fixture) failRun(wf string, msg string) {
	f.t.Helper()
	now := f.clock.Now()
	if err := f.st.UpsertRun(context.Background(), store.Run{ID: store.NewID("run"), WorkflowID: wf, WorkflowVersion: 1,
		Status: store.RunFailed, StartedAt: now.Add(-time.Second), EndedAt: &now, Error: msg}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) evaluate(e *health.Evaluator) {
	f.t.Helper()
	if err := e.Evaluate(context.Background()); err != nil {
		f.t.Fatalf("Evaluate: %v", err)
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func ptr[T any](v T) *T { return &v }

// TestEvaluatorFiresOncePerIncidentAndOnRecovery walks one incident with a
// fake clock: below the threshold nothing happens; passing it starts
// exactly one "firing" alert run; staying above starts none; falling back
// below (the failures age out of the window) starts one "resolved" run.
func TestEvaluatorFiresOncePerIncidentAndOnRecovery(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		rule := f.rule(health.RuleInput{Kind: ptr(store.AlertWorkflowFailures), Target: ptr("Orders to CRM"), Threshold: ptr(2),
			Window: ptr("10m"), Workflow: ptr("Alert Slack")})
		if rule.Target != f.orders.ID || rule.WorkflowID != f.alertWF.ID {
			t.Fatalf("names were not resolved to ids: %+v", rule)
		}
		s := &starter{}
		e := f.evaluator(st, s)

		f.failRun(f.orders.ID, "step crm: 503 from api.example.com")
		f.evaluate(e)
		if n := len(s.all()); n != 0 {
			t.Fatalf("%d alert runs below the threshold, want 0", n)
		}

		f.clock.Add(time.Minute)
		f.failRun(f.orders.ID, "step crm: 401 from api.example.com")
		f.evaluate(e)
		runs := s.all()
		if len(runs) != 1 {
			t.Fatalf("%d alert runs after passing the threshold, want 1", len(runs))
		}
		a := runs[0].alert
		if runs[0].workflowID != f.alertWF.ID || a.State != store.IncidentFiring || a.Count != 2 || a.Threshold != 2 ||
			a.Window != "10m" || a.Target != f.orders.ID || a.TargetName != "Orders to CRM" || a.RuleID != rule.ID ||
			a.IncidentID == "" || a.ResolvedAt != nil || !a.StartedAt.Equal(f.clock.Now()) {
			t.Fatalf("firing alert = %+v", a)
		}
		if len(a.Sample) != 2 || a.Sample[0].Reason != "step crm: 401 from api.example.com" || a.Sample[0].ID == "" {
			t.Fatalf("sample = %+v, want the two failures, newest first", a.Sample)
		}
		if g := testutil.ToFloat64(metrics.AlertIncidentsOpen); g != 1 {
			t.Fatalf("hookflow_alert_incidents_open = %v after the incident opened, want 1", g)
		}

		f.clock.Add(time.Minute)
		f.failRun(f.orders.ID, "step crm: 500")
		f.evaluate(e)
		if n := len(s.all()); n != 1 {
			t.Fatalf("%d alert runs while the incident stays firing, want still 1", n)
		}
		if g := testutil.ToFloat64(metrics.AlertIncidentsOpen); g != 1 {
			t.Fatalf("hookflow_alert_incidents_open = %v while firing, want 1", g)
		}
		inc, err := st.GetIncident(context.Background(), a.IncidentID)
		if err != nil || inc.FiredEventID != "evt_1" {
			t.Fatalf("incident = %+v, %v; want the alert run's event recorded", inc, err)
		}

		f.clock.Add(11 * time.Minute) // every failure has left the window
		f.evaluate(e)
		runs = s.all()
		if len(runs) != 2 {
			t.Fatalf("%d alert runs after recovery, want 2", len(runs))
		}
		r := runs[1].alert
		if r.State != store.IncidentResolved || r.IncidentID != a.IncidentID || r.Count != 0 || r.ResolvedAt == nil ||
			!r.ResolvedAt.Equal(f.clock.Now()) || !r.StartedAt.Equal(a.StartedAt) {
			t.Fatalf("resolved alert = %+v", r)
		}
		f.evaluate(e)
		if n := len(s.all()); n != 2 {
			t.Fatalf("%d alert runs after a quiet pass, want still 2", n)
		}
		if g := testutil.ToFloat64(metrics.AlertIncidentsOpen); g != 0 {
			t.Fatalf("hookflow_alert_incidents_open = %v after recovery, want 0", g)
		}
		list, err := st.ListIncidents(context.Background(), store.IncidentFilter{})
		if err != nil || len(list) != 1 || list[0].State != store.IncidentResolved || list[0].ResolvedEventID != "evt_2" {
			t.Fatalf("incidents = %+v, %v", list, err)
		}
	})
}

// TestEvaluatorsRacing runs two evaluators, each on its own store handle
// (two server processes), against one database at once: every
// transition is notified exactly once between them.
func TestEvaluatorsRacing(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			f := newFixture(t, b.Store)
			f.rule(health.RuleInput{Kind: ptr(store.AlertWorkflowFailures), Target: ptr("*"), Threshold: ptr(1),
				Window: ptr("5m"), Workflow: ptr(f.alertWF.ID)})
			other, err := store.Open(context.Background(), b.URL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { other.Close() })
			s1, s2 := &starter{}, &starter{}
			e1, e2 := f.evaluator(b.Store, s1), f.evaluator(other, s2)
			both := func() {
				var wg sync.WaitGroup
				for _, e := range []*health.Evaluator{e1, e2} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := e.Evaluate(context.Background()); err != nil {
							t.Errorf("Evaluate: %v", err)
						}
					}()
				}
				wg.Wait()
			}
			f.failRun(f.orders.ID, "boom")
			for range 3 {
				both()
			}
			if n := len(s1.all()) + len(s2.all()); n != 1 {
				t.Fatalf("%d firing alert runs from two evaluators, want 1", n)
			}
			f.clock.Add(6 * time.Minute)
			for range 3 {
				both()
			}
			runs := append(s1.all(), s2.all()...)
			if len(runs) != 2 {
				t.Fatalf("%d alert runs after recovery from two evaluators, want 2", len(runs))
			}
		})
	}
}

// TestEvaluatorRetriesAFailedNotice: when the alert run cannot start, the
// incident keeps the error and the notice is sent once its lease has
// passed, exactly once.
func TestEvaluatorRetriesAFailedNotice(t *testing.T) {
	st := storetest.SQLite(t).Store
	f := newFixture(t, st)
	f.rule(health.RuleInput{Kind: ptr(store.AlertWorkflowFailures), Target: ptr(f.orders.ID), Threshold: ptr(1),
		Window: ptr("1h"), Workflow: ptr(f.alertWF.ID)})
	s := &starter{fail: 1}
	e := f.evaluator(st, s)
	f.failRun(f.orders.ID, "boom")
	f.evaluate(e)
	open, err := st.ListIncidents(context.Background(), store.IncidentFilter{Open: true})
	if err != nil || len(open) != 1 || open[0].NoticeError == "" || open[0].FiredEventID != "" {
		t.Fatalf("incident after a failed start = %+v, %v", open, err)
	}
	f.evaluate(e) // within the lease: no second attempt yet
	if n := len(s.all()); n != 0 {
		t.Fatalf("%d alert runs within the lease, want 0", n)
	}
	f.clock.Add(health.DefaultNoticeLease + time.Second)
	f.evaluate(e)
	f.evaluate(e)
	runs := s.all()
	if len(runs) != 1 || runs[0].alert.State != store.IncidentFiring {
		t.Fatalf("alert runs after the lease = %+v, want one firing", runs)
	}
	inc, _ := st.GetIncident(context.Background(), open[0].ID)
	if inc.FiredEventID != "evt_1" || inc.NoticeError != "" || inc.NoticeAttempts != 2 {
		t.Fatalf("incident = %+v", inc)
	}
}

// TestEvaluatorTargets covers "*" (one incident per target, never the
// rule's own alert workflow), destination hosts folded from URLs, and the
// cooldown after a recovery.
func TestEvaluatorTargets(t *testing.T) {
	st := storetest.SQLite(t).Store
	f := newFixture(t, st)
	ctx := context.Background()
	f.rule(health.RuleInput{Kind: ptr(store.AlertWorkflowFailures), Target: ptr("*"), Threshold: ptr(1),
		Window: ptr("10m"), Cooldown: ptr("1h"), Workflow: ptr(f.alertWF.ID)})
	f.rule(health.RuleInput{Kind: ptr(store.AlertDestinationDeadLetters), Target: ptr("https://HOOKS.example.com/anything"),
		Threshold: ptr(2), Window: ptr("10m"), Workflow: ptr(f.alertWF.ID)})
	s := &starter{}
	e := f.evaluator(st, s)

	f.failRun(f.orders.ID, "boom")
	f.failRun(f.alertWF.ID, "slack is down") // the alert workflow failing must not alert about itself
	for _, dest := range []string{"https://hooks.example.com/a", "https://hooks.example.com/b", "https://other.example.com/a"} {
		d, err := st.CreateDelivery(ctx, store.Delivery{Destination: dest})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordDeliveryAttempt(ctx, d.ID, store.DeliveryAttempt{Status: store.DeliveryDead, HTTPStatus: 500,
			Error: "HTTP 500"}); err != nil {
			t.Fatal(err)
		}
	}
	f.evaluate(e)
	runs := s.all()
	if len(runs) != 2 {
		t.Fatalf("alert runs = %+v, want one for the orders workflow and one for hooks.example.com", runs)
	}
	byKind := map[string]health.Alert{}
	for _, r := range runs {
		byKind[r.alert.Kind] = r.alert
	}
	if a := byKind[store.AlertWorkflowFailures]; a.Target != f.orders.ID {
		t.Fatalf("workflow alert = %+v", a)
	}
	if a := byKind[store.AlertDestinationDeadLetters]; a.Target != "hooks.example.com" || a.TargetName != "hooks.example.com" ||
		a.Count != 2 || len(a.Sample) != 2 || a.Sample[0].Reason != "HTTP 500" {
		t.Fatalf("destination alert = %+v", a)
	}

	// Recovery, then a new failure within the cooldown: no new incident.
	f.clock.Add(11 * time.Minute)
	f.evaluate(e)
	before := len(s.all())
	f.failRun(f.orders.ID, "boom again")
	f.evaluate(e)
	for _, r := range s.all()[before:] {
		if r.alert.Kind == store.AlertWorkflowFailures && r.alert.State == store.IncidentFiring {
			t.Fatalf("a new incident opened within the cooldown: %+v", r.alert)
		}
	}
	f.clock.Add(time.Hour)
	f.failRun(f.orders.ID, "boom after the cooldown")
	f.evaluate(e)
	last := s.all()[len(s.all())-1].alert
	if last.Kind != store.AlertWorkflowFailures || last.State != store.IncidentFiring {
		t.Fatalf("after the cooldown the last alert is %+v, want a new firing incident", last)
	}
}

// TestEvaluatorGauges checks the store-wide gauges a pass sets.
func TestEvaluatorGauges(t *testing.T) {
	st := storetest.SQLite(t).Store
	f := newFixture(t, st)
	ctx := context.Background()
	if _, err := st.InsertEvents(ctx, []*store.Event{
		{WorkflowID: f.orders.ID, Verification: store.VerificationOK, Status: store.EventPending},
		{WorkflowID: f.orders.ID, Verification: store.VerificationOK, Status: store.EventPending},
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertRun(ctx, store.Run{ID: "run_live", WorkflowID: f.orders.ID, WorkflowVersion: 1, Status: store.RunRunning,
		StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	e, err := health.NewEvaluator(health.Config{Store: st, Starter: &starter{}, Now: f.clock.Now,
		Waiting: func(context.Context) (int, error) { return 1, nil }})
	if err != nil {
		t.Fatal(err)
	}
	f.evaluate(e)
	for name, want := range map[string]float64{"events_backlog": 2, "runs_in_flight": 1, "runs_waiting": 1, "alert_incidents_open": 0} {
		g := map[string]float64{"events_backlog": testutil.ToFloat64(metrics.EventsBacklog),
			"runs_in_flight": testutil.ToFloat64(metrics.RunsInFlight), "runs_waiting": testutil.ToFloat64(metrics.RunsWaiting),
			"alert_incidents_open": testutil.ToFloat64(metrics.AlertIncidentsOpen)}[name]
		if g != want {
			t.Errorf("hookflow_%s = %v, want %v", name, g, want)
		}
	}
}
