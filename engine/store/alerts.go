package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Alert rule kinds: the signal a rule counts in its window.
const (
	// AlertEndpointRejections counts deliveries an endpoint rejected
	// (events with status rejected: a bad signature, a refused handshake,
	// a failed validation), by endpoint id.
	AlertEndpointRejections = "endpoint_rejections"
	// AlertWorkflowFailures counts runs that ended failed or timed out, by
	// workflow id.
	AlertWorkflowFailures = "workflow_failures"
	// AlertDestinationDeadLetters counts outgoing deliveries that went to
	// the dead-letter list, by destination URL (the health package folds
	// URLs into hosts).
	AlertDestinationDeadLetters = "destination_dead_letters"
)

// AlertAnyTarget is the target of a rule that watches every endpoint,
// workflow or destination, each on its own incident.
const AlertAnyTarget = "*"

// Alert incident states.
const (
	IncidentFiring   = "firing"
	IncidentResolved = "resolved"
)

// MaxAlertRules bounds the number of alert rules, so an evaluation pass
// (one grouped count per rule) stays cheap.
const MaxAlertRules = 200

// AlertRule is one health alert rule. Durations are whole milliseconds.
type AlertRule struct {
	ID        string
	Name      string
	Kind      string // AlertEndpointRejections, AlertWorkflowFailures or AlertDestinationDeadLetters
	Target    string // an endpoint id, a workflow id, a destination host, or AlertAnyTarget
	Threshold int
	Window    time.Duration
	Cooldown  time.Duration
	// WorkflowID is the alert workflow, run once when an incident opens
	// and once when it resolves.
	WorkflowID string
	Enabled    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AlertIncident is one period during which a rule's count for one target
// stayed at or above its threshold.
type AlertIncident struct {
	ID              string     `json:"id"`
	RuleID          string     `json:"rule_id"`
	Kind            string     `json:"kind"`
	Target          string     `json:"target"`
	State           string     `json:"state"` // IncidentFiring or IncidentResolved
	Threshold       int        `json:"threshold"`
	Window          string     `json:"window"`
	Count           int        `json:"count"`                    // the count that opened it
	ResolvedCount   int        `json:"resolved_count,omitempty"` // the count that closed it
	StartedAt       time.Time  `json:"started_at"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
	FiredEventID    string     `json:"fired_event_id,omitempty"`    // the inbox event of the "firing" alert run
	ResolvedEventID string     `json:"resolved_event_id,omitempty"` // the inbox event of the "resolved" alert run
	NoticeAttempts  int        `json:"notice_attempts,omitempty"`
	NoticeError     string     `json:"notice_error,omitempty"` // why the last alert run could not start
	window          time.Duration
	noticeUntil     int64
}

// WindowDuration is the rule's window when the incident opened.
func (i AlertIncident) WindowDuration() time.Duration { return i.window }

// NoticeLease is when the lease on the incident's pending notice ends.
func (i AlertIncident) NoticeLease() time.Time { return fromMS(i.noticeUntil) }

// AlertCount is how many signals one target produced in a window. Target
// is an endpoint id, a workflow id or a destination URL.
type AlertCount struct {
	Target string `db:"target"`
	Count  int    `db:"n"`
}

// AlertSample is one recent signal of a target: a rejected event, a
// failed run or a dead delivery, with its reason.
type AlertSample struct {
	ID     string    `json:"id"`
	Target string    `json:"target"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

type alertRuleRow struct {
	ID         string `db:"id"`
	Name       string `db:"name"`
	Kind       string `db:"kind"`
	Target     string `db:"target"`
	Threshold  int    `db:"threshold"`
	WindowMS   int64  `db:"window_ms"`
	CooldownMS int64  `db:"cooldown_ms"`
	WorkflowID string `db:"workflow_id"`
	Enabled    bool   `db:"enabled"`
	CreatedAt  int64  `db:"created_at"`
	UpdatedAt  int64  `db:"updated_at"`
}

func (r alertRuleRow) rule() AlertRule {
	return AlertRule{ID: r.ID, Name: r.Name, Kind: r.Kind, Target: r.Target, Threshold: r.Threshold,
		Window: time.Duration(r.WindowMS) * time.Millisecond, Cooldown: time.Duration(r.CooldownMS) * time.Millisecond,
		WorkflowID: r.WorkflowID, Enabled: r.Enabled, CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt)}
}

const alertRuleCols = `id, name, kind, target, threshold, window_ms, cooldown_ms, workflow_id, enabled, created_at, updated_at`

// validAlertKinds are the kinds the store accepts; the health package
// checks everything else about a rule before it gets here.
var validAlertKinds = map[string]bool{
	AlertEndpointRejections: true, AlertWorkflowFailures: true, AlertDestinationDeadLetters: true,
}

func checkAlertRule(r AlertRule) error {
	switch {
	case !validAlertKinds[r.Kind]:
		return fmt.Errorf("kind %q: %w", r.Kind, ErrInvalidArgument)
	case r.Target == "":
		return fmt.Errorf("target: is empty: %w", ErrInvalidArgument)
	case r.Threshold < 1:
		return fmt.Errorf("threshold: %d is below 1: %w", r.Threshold, ErrInvalidArgument)
	case r.Window < time.Millisecond:
		return fmt.Errorf("window: %s is too short: %w", r.Window, ErrInvalidArgument)
	case r.Cooldown < 0:
		return fmt.Errorf("cooldown: %s is negative: %w", r.Cooldown, ErrInvalidArgument)
	case r.WorkflowID == "":
		return fmt.Errorf("workflow_id: is empty: %w", ErrInvalidArgument)
	}
	return nil
}

// CreateAlertRule stores a new rule (id "alr_…" when empty) and returns it
// as stored. More than MaxAlertRules rules give ErrInvalidArgument.
func (s *Store) CreateAlertRule(ctx context.Context, r AlertRule) (AlertRule, error) {
	if err := checkAlertRule(r); err != nil {
		return AlertRule{}, fmt.Errorf("creating alert rule: %w", err)
	}
	if r.ID == "" {
		r.ID = NewID("alr")
	}
	t := now()
	r.CreatedAt, r.UpdatedAt = t, t
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM alert_rules`); err != nil {
			return fmt.Errorf("counting alert rules: %w", err)
		}
		if n >= MaxAlertRules {
			return fmt.Errorf("there are already %d alert rules, the most hookflow keeps: %w", n, ErrInvalidArgument)
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO alert_rules (`+alertRuleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.ID, r.Name, r.Kind, r.Target, r.Threshold, r.Window.Milliseconds(), r.Cooldown.Milliseconds(), r.WorkflowID,
			r.Enabled, ms(t), ms(t))
		if isUnique(err) {
			return fmt.Errorf("alert rule %s: %w", r.ID, ErrDuplicate)
		}
		return err
	})
	if err != nil {
		return AlertRule{}, fmt.Errorf("creating alert rule: %w", err)
	}
	return r, nil
}

// GetAlertRule returns one rule; ErrNotFound when it does not exist.
func (s *Store) GetAlertRule(ctx context.Context, id string) (AlertRule, error) {
	var r alertRuleRow
	err := s.rdb.GetContext(ctx, &r, s.q(`SELECT `+alertRuleCols+` FROM alert_rules WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return AlertRule{}, fmt.Errorf("alert rule %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return AlertRule{}, fmt.Errorf("reading alert rule %s: %w", id, err)
	}
	return r.rule(), nil
}

// ListAlertRules returns every rule, oldest first (at most MaxAlertRules).
func (s *Store) ListAlertRules(ctx context.Context) ([]AlertRule, error) {
	var rows []alertRuleRow
	if err := s.rdb.SelectContext(ctx, &rows, `SELECT `+alertRuleCols+` FROM alert_rules ORDER BY created_at, id`); err != nil {
		return nil, fmt.Errorf("listing alert rules: %w", err)
	}
	out := make([]AlertRule, len(rows))
	for i, r := range rows {
		out[i] = r.rule()
	}
	return out, nil
}

// UpdateAlertRule replaces every field of rule r.ID but its creation time
// and returns it as stored; ErrNotFound when it does not exist. Its open
// incidents stay open and are judged by the new settings on the next
// evaluation.
func (s *Store) UpdateAlertRule(ctx context.Context, r AlertRule) (AlertRule, error) {
	if err := checkAlertRule(r); err != nil {
		return AlertRule{}, fmt.Errorf("updating alert rule %s: %w", r.ID, err)
	}
	t := now()
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE alert_rules SET name = ?, kind = ?, target = ?, threshold = ?, window_ms = ?,
		cooldown_ms = ?, workflow_id = ?, enabled = ?, updated_at = ? WHERE id = ?`),
		r.Name, r.Kind, r.Target, r.Threshold, r.Window.Milliseconds(), r.Cooldown.Milliseconds(), r.WorkflowID, r.Enabled, ms(t), r.ID)
	if err != nil {
		return AlertRule{}, fmt.Errorf("updating alert rule %s: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return AlertRule{}, fmt.Errorf("updating alert rule %s: %w", r.ID, ErrNotFound)
	}
	return s.GetAlertRule(ctx, r.ID)
}

// DeleteAlertRule deletes a rule and its incidents (open ones end without
// a notice); ErrNotFound when it does not exist.
func (s *Store) DeleteAlertRule(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM alert_rules WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("alert rule %s: %w", id, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM alert_incidents WHERE rule_id = ?`), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("deleting alert rule %s: %w", id, err)
	}
	return nil
}

// alertSignal is how one kind is counted: its table, the column that
// names the target, the time column the window applies to, the condition
// that makes a row a signal, and the column that says why.
type alertSignal struct {
	table, target, at, cond, reason string
}

var alertSignals = map[string]alertSignal{
	AlertEndpointRejections:     {"events", "endpoint_id", "received_at", "status = 'rejected'", "reason"},
	AlertWorkflowFailures:       {"runs", "workflow_id", "ended_at", "status IN ('failed', 'timed_out')", "error"},
	AlertDestinationDeadLetters: {"deliveries", "destination", "updated_at", "status = 'dead'", "last_error"},
}

// CountAlertSignals counts the signals of kind since `since` (inclusive),
// grouped by target (endpoint id, workflow id or destination URL); target
// "" or AlertAnyTarget counts every target, any other value only that
// one. Targets with no signal are left out.
func (s *Store) CountAlertSignals(ctx context.Context, kind, target string, since time.Time) ([]AlertCount, error) {
	sig, ok := alertSignals[kind]
	if !ok {
		return nil, fmt.Errorf("counting alert signals: kind %q: %w", kind, ErrInvalidArgument)
	}
	var w where
	w.add(sig.cond)
	w.add(sig.at+" >= ?", ms(since))
	if target != "" && target != AlertAnyTarget {
		w.add(sig.target+" = ?", target)
	}
	var out []AlertCount
	q := `SELECT ` + sig.target + ` AS target, COUNT(*) AS n FROM ` + sig.table + w.sql() + ` GROUP BY ` + sig.target + ` ORDER BY ` + sig.target
	if err := s.rdb.SelectContext(ctx, &out, s.q(q), w.args...); err != nil {
		return nil, fmt.Errorf("counting %s: %w", kind, err)
	}
	return out, nil
}

// AlertSamples returns up to limit of the newest signals of kind since
// `since` for the given targets (endpoint ids, workflow ids or
// destination URLs), newest first.
func (s *Store) AlertSamples(ctx context.Context, kind string, targets []string, since time.Time, limit int) ([]AlertSample, error) {
	sig, ok := alertSignals[kind]
	if !ok {
		return nil, fmt.Errorf("sampling alert signals: kind %q: %w", kind, ErrInvalidArgument)
	}
	if len(targets) == 0 || limit <= 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT id, `+sig.target+` AS target, `+sig.reason+` AS reason, `+sig.at+` AS at FROM `+sig.table+
		` WHERE `+sig.cond+` AND `+sig.at+` >= ? AND `+sig.target+` IN (?) ORDER BY `+sig.at+` DESC, id DESC LIMIT ?`,
		ms(since), targets, limit)
	if err != nil {
		return nil, fmt.Errorf("sampling %s: %w", kind, err)
	}
	var rows []struct {
		ID     string `db:"id"`
		Target string `db:"target"`
		Reason string `db:"reason"`
		At     int64  `db:"at"`
	}
	if err := s.rdb.SelectContext(ctx, &rows, s.q(q), args...); err != nil {
		return nil, fmt.Errorf("sampling %s: %w", kind, err)
	}
	out := make([]AlertSample, len(rows))
	for i, r := range rows {
		out[i] = AlertSample{ID: r.ID, Target: r.Target, Reason: r.Reason, At: fromMS(r.At)}
	}
	return out, nil
}

type alertIncidentRow struct {
	ID              string `db:"id"`
	RuleID          string `db:"rule_id"`
	Kind            string `db:"kind"`
	Target          string `db:"target"`
	Threshold       int    `db:"threshold"`
	WindowMS        int64  `db:"window_ms"`
	Count           int    `db:"count"`
	ResolvedCount   int    `db:"resolved_count"`
	StartedAt       int64  `db:"started_at"`
	ResolvedAt      nullMS `db:"resolved_at"`
	FiredEventID    string `db:"fired_event_id"`
	ResolvedEventID string `db:"resolved_event_id"`
	NoticeUntil     int64  `db:"notice_until"`
	NoticeAttempts  int    `db:"notice_attempts"`
	NoticeError     string `db:"notice_error"`
}

func (r alertIncidentRow) incident() AlertIncident {
	w := time.Duration(r.WindowMS) * time.Millisecond
	i := AlertIncident{ID: r.ID, RuleID: r.RuleID, Kind: r.Kind, Target: r.Target, State: IncidentFiring,
		Threshold: r.Threshold, Window: w.String(), Count: r.Count, ResolvedCount: r.ResolvedCount,
		StartedAt: fromMS(r.StartedAt), ResolvedAt: fromMSPtr(r.ResolvedAt), FiredEventID: r.FiredEventID,
		ResolvedEventID: r.ResolvedEventID, NoticeAttempts: r.NoticeAttempts, NoticeError: r.NoticeError,
		window: w, noticeUntil: r.NoticeUntil}
	if i.ResolvedAt != nil {
		i.State = IncidentResolved
	}
	return i
}

const alertIncidentCols = `id, rule_id, kind, target, threshold, window_ms, count, resolved_count, started_at, resolved_at,
	fired_event_id, resolved_event_id, notice_until, notice_attempts, notice_error`

// OpenIncident is the atomic transition into an incident: it records a
// firing incident of rule for target, opened at `at` with count, and
// takes the lease on its "firing" notice until at+lease. When the rule
// already has an open incident for target (another process won the
// race), it returns ErrConflict and the caller must not notify.
func (s *Store) OpenIncident(ctx context.Context, rule AlertRule, target string, count int, at time.Time, lease time.Duration) (AlertIncident, error) {
	at = at.UTC().Truncate(time.Millisecond)
	id := newIDAt("inc", at)
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO alert_incidents (id, rule_id, kind, target, threshold, window_ms, count,
			started_at, notice_until, notice_attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`),
		id, rule.ID, rule.Kind, target, rule.Threshold, rule.Window.Milliseconds(), count, ms(at), ms(at.Add(lease)))
	if isUnique(err) {
		return AlertIncident{}, fmt.Errorf("opening incident of alert rule %s for %q: already open: %w", rule.ID, target, ErrConflict)
	}
	if err != nil {
		return AlertIncident{}, fmt.Errorf("opening incident of alert rule %s for %q: %w", rule.ID, target, err)
	}
	return s.GetIncident(ctx, id)
}

// ResolveIncident is the atomic transition out of an incident: it marks
// incident id resolved at `at` with count and takes the lease on its
// "resolved" notice. An incident already resolved (another process won)
// gives ErrConflict; an unknown one ErrNotFound.
func (s *Store) ResolveIncident(ctx context.Context, id string, count int, at time.Time, lease time.Duration) (AlertIncident, error) {
	at = at.UTC().Truncate(time.Millisecond)
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE alert_incidents SET resolved_at = ?, resolved_count = ?, notice_until = ?,
		notice_attempts = 1, notice_error = '' WHERE id = ? AND resolved_at IS NULL`), ms(at), count, ms(at.Add(lease)), id)
	if err != nil {
		return AlertIncident{}, fmt.Errorf("resolving incident %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetIncident(ctx, id); err != nil {
			return AlertIncident{}, fmt.Errorf("resolving incident %s: %w", id, err)
		}
		return AlertIncident{}, fmt.Errorf("resolving incident %s: already resolved: %w", id, ErrConflict)
	}
	return s.GetIncident(ctx, id)
}

// ClaimIncidentNotice takes the lease on an incident's pending notice
// (firing while open without a fired event, or resolved without a
// resolved event) from a process whose lease has passed: a compare-and-set
// on the lease seen in inc, so of two processes exactly one wins.
// ErrConflict means another process holds it or the notice went out.
func (s *Store) ClaimIncidentNotice(ctx context.Context, inc AlertIncident, at time.Time, lease time.Duration) (AlertIncident, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE alert_incidents SET notice_until = ?, notice_attempts = notice_attempts + 1
		WHERE id = ? AND notice_until = ? AND notice_until < ?
		AND ((resolved_at IS NULL AND fired_event_id = '') OR (resolved_at IS NOT NULL AND resolved_event_id = ''))`),
		ms(at.Add(lease)), inc.ID, inc.noticeUntil, ms(at))
	if err != nil {
		return AlertIncident{}, fmt.Errorf("claiming the notice of incident %s: %w", inc.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return AlertIncident{}, fmt.Errorf("claiming the notice of incident %s: %w", inc.ID, ErrConflict)
	}
	return s.GetIncident(ctx, inc.ID)
}

// RecordIncidentNotice records the outcome of the notice for state
// (IncidentFiring or IncidentResolved): the inbox event of the alert run,
// or, with eventID empty, why it could not start (noticeErr; the lease
// then runs out and another attempt follows).
func (s *Store) RecordIncidentNotice(ctx context.Context, id, state, eventID, noticeErr string) error {
	col := "fired_event_id"
	if state == IncidentResolved {
		col = "resolved_event_id"
	}
	var err error
	if eventID != "" {
		_, err = s.db.ExecContext(ctx, s.q(`UPDATE alert_incidents SET `+col+` = ?, notice_error = '' WHERE id = ?`), eventID, id)
	} else {
		_, err = s.db.ExecContext(ctx, s.q(`UPDATE alert_incidents SET notice_error = ? WHERE id = ?`), truncateString(noticeErr, 1000), id)
	}
	if err != nil {
		return fmt.Errorf("recording the %s notice of incident %s: %w", state, id, err)
	}
	return nil
}

// GetIncident returns one incident; ErrNotFound when it does not exist.
func (s *Store) GetIncident(ctx context.Context, id string) (AlertIncident, error) {
	var r alertIncidentRow
	// The write pool: callers read an incident right after changing it.
	err := s.db.GetContext(ctx, &r, s.q(`SELECT `+alertIncidentCols+` FROM alert_incidents WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return AlertIncident{}, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return AlertIncident{}, fmt.Errorf("reading incident %s: %w", id, err)
	}
	return r.incident(), nil
}

// IncidentFilter selects incidents for ListIncidents.
type IncidentFilter struct {
	RuleID string
	// Open lists only open incidents.
	Open bool
	// Since lists incidents open now or resolved at or after Since (zero:
	// every incident).
	Since time.Time
	// Limit bounds the list (default 50, at most 500), newest first.
	Limit int
}

// ListIncidents lists incidents newest first.
func (s *Store) ListIncidents(ctx context.Context, f IncidentFilter) ([]AlertIncident, error) {
	var w where
	if f.RuleID != "" {
		w.add("rule_id = ?", f.RuleID)
	}
	if f.Open {
		w.add("resolved_at IS NULL")
	} else if !f.Since.IsZero() {
		w.add("(resolved_at IS NULL OR resolved_at >= ?)", ms(f.Since))
	}
	var rows []alertIncidentRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT `+alertIncidentCols+` FROM alert_incidents`+w.sql()+
		` ORDER BY started_at DESC, id DESC LIMIT ?`), append(w.args, clampLimit(f.Limit))...); err != nil {
		return nil, fmt.Errorf("listing incidents: %w", err)
	}
	out := make([]AlertIncident, len(rows))
	for i, r := range rows {
		out[i] = r.incident()
	}
	return out, nil
}

// PendingIncidentNotices lists incidents whose notice has not gone out,
// whose lease has passed at `at`, and that have had fewer than
// maxAttempts attempts: what a crashed or failed notice leaves behind.
func (s *Store) PendingIncidentNotices(ctx context.Context, at time.Time, maxAttempts int) ([]AlertIncident, error) {
	var rows []alertIncidentRow
	err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT `+alertIncidentCols+` FROM alert_incidents
		WHERE notice_until < ? AND notice_attempts < ?
		AND ((resolved_at IS NULL AND fired_event_id = '') OR (resolved_at IS NOT NULL AND resolved_event_id = ''))
		ORDER BY started_at LIMIT 100`), ms(at), maxAttempts)
	if err != nil {
		return nil, fmt.Errorf("listing pending incident notices: %w", err)
	}
	out := make([]AlertIncident, len(rows))
	for i, r := range rows {
		out[i] = r.incident()
	}
	return out, nil
}

// LastResolvedAt returns when rule's last incident for target resolved
// (zero when none has), for the rule's cooldown.
func (s *Store) LastResolvedAt(ctx context.Context, ruleID, target string) (time.Time, error) {
	var v nullMS
	err := s.db.GetContext(ctx, &v, s.q(`SELECT MAX(resolved_at) FROM alert_incidents WHERE rule_id = ? AND target = ?`), ruleID, target)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the last incident of alert rule %s: %w", ruleID, err)
	}
	if !v.Valid {
		return time.Time{}, nil
	}
	return fromMS(v.Int64), nil
}

// HealthGauges are the store-wide counts /metrics shows as gauges.
type HealthGauges struct {
	// Backlog is the events stored but not yet started (status pending).
	Backlog int
	// RunsInFlight is the runs whose summary says running (waiting runs
	// included).
	RunsInFlight int
	// OpenIncidents is the alert incidents not resolved yet.
	OpenIncidents int
}

// CountHealthGauges counts HealthGauges: three counts over indexed
// columns (events by status, runs by status, open incidents).
func (s *Store) CountHealthGauges(ctx context.Context) (HealthGauges, error) {
	var g HealthGauges
	for _, c := range []struct {
		dst *int
		q   string
	}{
		{&g.Backlog, `SELECT COUNT(*) FROM events WHERE status = 'pending'`},
		{&g.RunsInFlight, `SELECT COUNT(*) FROM runs WHERE status = 'running'`},
		{&g.OpenIncidents, `SELECT COUNT(*) FROM alert_incidents WHERE resolved_at IS NULL`},
	} {
		if err := s.rdb.GetContext(ctx, c.dst, c.q); err != nil {
			return HealthGauges{}, fmt.Errorf("counting health gauges: %w", err)
		}
	}
	return g, nil
}

func truncateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
