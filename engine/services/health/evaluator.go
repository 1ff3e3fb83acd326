package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
)

// Named defaults of Config.
const (
	// DefaultInterval is how often the evaluator counts: often enough
	// that an incident is noticed within a quarter of a minute, rarely
	// enough that its grouped counts (one per rule) cost nothing.
	DefaultInterval = 15 * time.Second
	// DefaultNoticeLease is how long the process that won a transition has
	// to start the alert run before another process may send the notice.
	DefaultNoticeLease = time.Minute
	// DefaultMaxNoticeAttempts is how many times a notice is tried before
	// it is given up (the incident keeps the last error).
	DefaultMaxNoticeAttempts = 5
	// DefaultSampleSize is how many recent failures an alert carries.
	DefaultSampleSize = 5
)

// Starter starts a run of a workflow with input as its trigger body: the
// manual-run path of POST /workflows/{id}/run (the triggers service's
// RunManual, through the API's adapter), which commits the event to the
// inbox before it starts the run, so a returned event is durable. Errors
// wrap store.ErrNotFound for an unknown workflow and
// store.ErrInvalidArgument for a body the inbox refuses.
type Starter interface {
	RunManual(ctx context.Context, workflowID string, input json.RawMessage) (store.Event, error)
}

// WaitingCounter counts the runs that wait (for an event, an approval or
// a delay); it is asked once per evaluation pass. Nil leaves the waiting
// gauge out.
type WaitingCounter func(ctx context.Context) (int, error)

// Config configures an Evaluator. Store and Starter are required.
type Config struct {
	Store *store.Store
	// Manage, when set, checks that the alert workflow may run (a draft
	// that cannot is refused the way POST /workflows/{id}/run refuses it).
	Manage  *manage.Service
	Starter Starter
	// Waiting feeds the hookflow_runs_waiting gauge; nil leaves it at 0.
	Waiting WaitingCounter
	// Interval between passes (DefaultInterval when zero).
	Interval time.Duration
	// NoticeLease and MaxNoticeAttempts tune notice retries.
	NoticeLease       time.Duration
	MaxNoticeAttempts int
	// SampleSize bounds Alert.Sample.
	SampleSize int
	// Now is the clock (time.Now when nil); tests pass a fake one.
	Now    func() time.Time
	Logger *slog.Logger
}

// Evaluator runs the alert rules. Several processes may run one against
// the same database: the store's transitions let exactly one of them
// notify each change.
type Evaluator struct {
	cfg Config
}

// NewEvaluator checks cfg and fills in its defaults.
func NewEvaluator(cfg Config) (*Evaluator, error) {
	if cfg.Store == nil || cfg.Starter == nil {
		return nil, errors.New("building the health evaluator: a store and a starter are required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.NoticeLease <= 0 {
		cfg.NoticeLease = DefaultNoticeLease
	}
	if cfg.MaxNoticeAttempts <= 0 {
		cfg.MaxNoticeAttempts = DefaultMaxNoticeAttempts
	}
	if cfg.SampleSize <= 0 {
		cfg.SampleSize = DefaultSampleSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Evaluator{cfg: cfg}, nil
}

// Run evaluates every Interval until ctx ends. A failed pass is logged and
// the next one tries again.
func (e *Evaluator) Run(ctx context.Context) {
	t := time.NewTicker(e.cfg.Interval)
	defer t.Stop()
	for {
		if err := e.Evaluate(ctx); err != nil && ctx.Err() == nil {
			e.cfg.Logger.Warn("evaluating health alerts", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Alert is the trigger body of an alert run: {"alert": Alert}.
type Alert struct {
	RuleID   string `json:"rule_id"`
	RuleName string `json:"rule_name"`
	Kind     string `json:"kind"`
	Target   string `json:"target"`
	// TargetName is the workflow's name (for an endpoint, its workflow's
	// name), or the destination host.
	TargetName string     `json:"target_name"`
	Count      int        `json:"count"`
	Threshold  int        `json:"threshold"`
	Window     string     `json:"window"`
	State      string     `json:"state"` // "firing" or "resolved"
	IncidentID string     `json:"incident_id"`
	StartedAt  time.Time  `json:"started_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	// Sample is a few of the newest failures (events, runs or
	// deliveries) with their ids and reasons.
	Sample []store.AlertSample `json:"sample"`
}

// Evaluate runs one pass: every enabled rule, the notices left pending,
// then the gauges (last, so the open-incidents gauge includes what this
// pass opened or resolved). It returns the first error after trying
// every rule, so one broken rule does not silence the others.
func (e *Evaluator) Evaluate(ctx context.Context) error {
	err := e.evaluateRules(ctx)
	if gerr := e.refreshGauges(ctx); err == nil {
		err = gerr
	}
	return err
}

func (e *Evaluator) evaluateRules(ctx context.Context) error {
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	rules, err := e.cfg.Store.ListAlertRules(ctx)
	if err != nil {
		return err
	}
	open, err := e.cfg.Store.ListIncidents(ctx, store.IncidentFilter{Open: true, Limit: store.MaxListLimit})
	if err != nil {
		return err
	}
	byRule := map[string][]store.AlertIncident{}
	for _, inc := range open {
		byRule[inc.RuleID] = append(byRule[inc.RuleID], inc)
	}
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		keep(e.evaluateRule(ctx, r, byRule[r.ID]))
	}
	keep(e.retryNotices(ctx))
	return firstErr
}

// refreshGauges sets the store-wide gauges: one cheap count each per
// pass, instead of a count per scrape.
func (e *Evaluator) refreshGauges(ctx context.Context) error {
	g, err := e.cfg.Store.CountHealthGauges(ctx)
	if err != nil {
		return err
	}
	metrics.EventsBacklog.Set(float64(g.Backlog))
	metrics.RunsInFlight.Set(float64(g.RunsInFlight))
	metrics.AlertIncidentsOpen.Set(float64(g.OpenIncidents))
	if e.cfg.Waiting != nil {
		n, err := e.cfg.Waiting(ctx)
		if err != nil {
			return fmt.Errorf("counting waiting runs: %w", err)
		}
		metrics.RunsWaiting.Set(float64(n))
	}
	return nil
}

// counts returns the rule's count per target now, with destinations
// folded into hosts, and for each target the stored targets it covers
// (the URLs of a host).
func (e *Evaluator) counts(ctx context.Context, r store.AlertRule, since time.Time) (map[string]int, map[string][]string, error) {
	target := r.Target
	if r.Kind == store.AlertDestinationDeadLetters {
		target = store.AlertAnyTarget // URLs are folded into hosts here
	}
	rows, err := e.cfg.Store.CountAlertSignals(ctx, r.Kind, target, since)
	if err != nil {
		return nil, nil, fmt.Errorf("evaluating alert rule %s: %w", r.ID, err)
	}
	counts, members := map[string]int{}, map[string][]string{}
	for _, c := range rows {
		t := c.Target
		if r.Kind == store.AlertDestinationDeadLetters {
			t = hostOf(c.Target)
			if r.Target != store.AlertAnyTarget && t != r.Target {
				continue
			}
		}
		// A workflow-failure rule on any workflow never counts its own
		// alert workflow: a failing alert must not alert about itself.
		if r.Kind == store.AlertWorkflowFailures && r.Target == store.AlertAnyTarget && t == r.WorkflowID {
			continue
		}
		counts[t] += c.Count
		members[t] = append(members[t], c.Target)
	}
	return counts, members, nil
}

func (e *Evaluator) evaluateRule(ctx context.Context, r store.AlertRule, open []store.AlertIncident) error {
	now := e.cfg.Now().UTC()
	since := now.Add(-r.Window)
	counts, members, err := e.counts(ctx, r, since)
	if err != nil {
		return err
	}
	isOpen := map[string]bool{}
	var firstErr error
	for _, inc := range open {
		isOpen[inc.Target] = true
		n := counts[inc.Target]
		if n >= r.Threshold {
			continue
		}
		resolved, err := e.cfg.Store.ResolveIncident(ctx, inc.ID, n, now, e.cfg.NoticeLease)
		if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			continue // another process resolved it (or the rule was deleted)
		}
		if err != nil {
			firstErr = err
			continue
		}
		e.notify(ctx, r, resolved, members[inc.Target])
	}
	targets := make([]string, 0, len(counts))
	for t := range counts {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	for _, t := range targets {
		n := counts[t]
		if n < r.Threshold || isOpen[t] {
			continue
		}
		if r.Cooldown > 0 {
			last, err := e.cfg.Store.LastResolvedAt(ctx, r.ID, t)
			if err != nil {
				firstErr = err
				continue
			}
			if !last.IsZero() && now.Sub(last) < r.Cooldown {
				continue
			}
		}
		inc, err := e.cfg.Store.OpenIncident(ctx, r, t, n, now, e.cfg.NoticeLease)
		if errors.Is(err, store.ErrConflict) {
			continue // another process opened it and notifies
		}
		if err != nil {
			firstErr = err
			continue
		}
		e.cfg.Logger.Info("alert incident opened", "rule", r.ID, "kind", r.Kind, "target", t, "count", n, "incident", inc.ID)
		e.notify(ctx, r, inc, members[t])
	}
	return firstErr
}

// retryNotices sends the notices whose lease has passed without the alert
// run starting.
func (e *Evaluator) retryNotices(ctx context.Context) error {
	now := e.cfg.Now().UTC()
	pending, err := e.cfg.Store.PendingIncidentNotices(ctx, now, e.cfg.MaxNoticeAttempts)
	if err != nil {
		return err
	}
	for _, inc := range pending {
		r, err := e.cfg.Store.GetAlertRule(ctx, inc.RuleID)
		if err != nil {
			continue // deleted with its incidents
		}
		claimed, err := e.cfg.Store.ClaimIncidentNotice(ctx, inc, now, e.cfg.NoticeLease)
		if err != nil {
			continue // another process has it
		}
		var members []string
		if inc.Kind == store.AlertDestinationDeadLetters {
			_, m, err := e.counts(ctx, r, inc.StartedAt.Add(-inc.WindowDuration()))
			if err == nil {
				members = m[inc.Target]
			}
		}
		e.notify(ctx, r, claimed, members)
	}
	return nil
}

// notify starts the alert workflow for the incident's current state and
// records the outcome. A failure is recorded on the incident and retried
// by retryNotices once the lease runs out.
func (e *Evaluator) notify(ctx context.Context, r store.AlertRule, inc store.AlertIncident, members []string) {
	eventID, err := e.start(ctx, r, inc, members)
	msg := ""
	if err != nil {
		msg = err.Error()
		e.cfg.Logger.Warn("starting alert workflow", "rule", r.ID, "incident", inc.ID, "state", inc.State, "error", err)
	}
	if err := e.cfg.Store.RecordIncidentNotice(context.WithoutCancel(ctx), inc.ID, inc.State, eventID, msg); err != nil {
		e.cfg.Logger.Warn("recording alert notice", "incident", inc.ID, "error", err)
	}
}

func (e *Evaluator) start(ctx context.Context, r store.AlertRule, inc store.AlertIncident, members []string) (string, error) {
	alert, err := e.alert(ctx, r, inc, members)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(map[string]Alert{"alert": alert})
	if err != nil {
		return "", fmt.Errorf("encoding alert: %w", err)
	}
	if e.cfg.Manage != nil {
		wf, err := e.cfg.Manage.GetWorkflow(ctx, r.WorkflowID)
		if err != nil {
			return "", fmt.Errorf("loading alert workflow %s: %w", r.WorkflowID, err)
		}
		if err := manage.Runnable(wf); err != nil {
			return "", fmt.Errorf("alert workflow %s: %w", r.WorkflowID, err)
		}
	}
	ev, err := e.cfg.Starter.RunManual(ctx, r.WorkflowID, body)
	if err != nil {
		return "", fmt.Errorf("starting alert workflow %s: %w", r.WorkflowID, err)
	}
	return ev.ID, nil
}

// alert builds the alert body of inc.
func (e *Evaluator) alert(ctx context.Context, r store.AlertRule, inc store.AlertIncident, members []string) (Alert, error) {
	a := Alert{RuleID: r.ID, RuleName: r.Name, Kind: inc.Kind, Target: inc.Target, TargetName: e.targetName(ctx, inc),
		Count: inc.Count, Threshold: inc.Threshold, Window: FormatDuration(inc.WindowDuration()), State: inc.State,
		IncidentID: inc.ID, StartedAt: inc.StartedAt, ResolvedAt: inc.ResolvedAt, Sample: []store.AlertSample{}}
	if inc.State == store.IncidentResolved {
		a.Count = inc.ResolvedCount
	}
	if len(members) == 0 {
		members = []string{inc.Target}
	}
	// The sample covers the window that opened the incident, up to now.
	sample, err := e.cfg.Store.AlertSamples(ctx, inc.Kind, members, inc.StartedAt.Add(-inc.WindowDuration()), e.cfg.SampleSize)
	if err != nil {
		return Alert{}, err
	}
	if sample != nil {
		a.Sample = sample
	}
	return a, nil
}

// targetName names the target for people: the workflow's name, an
// endpoint's workflow's name, or the host. It is best effort: a target
// deleted since keeps its id.
func (e *Evaluator) targetName(ctx context.Context, inc store.AlertIncident) string {
	switch inc.Kind {
	case store.AlertWorkflowFailures:
		if wf, err := e.cfg.Store.GetWorkflow(ctx, inc.Target); err == nil {
			return wf.Name
		}
	case store.AlertEndpointRejections:
		if ep, err := e.cfg.Store.GetEndpoint(ctx, inc.Target); err == nil {
			if wf, err := e.cfg.Store.GetWorkflow(ctx, ep.WorkflowID); err == nil {
				return wf.Name
			}
		}
	}
	return inc.Target
}
