// Package health watches hookflow's own health and tells people when it
// breaks: alert rules (data in the store, managed through the API and the
// CLI), an Evaluator that counts each rule's signal over its window and
// runs the rule's alert workflow once when an incident opens and once
// when it resolves, and the store-wide gauges /metrics shows (backlog,
// runs in flight, waiting runs, open incidents).
//
// The pipeline of one evaluation pass, in order:
//
//  1. count: one grouped COUNT per enabled rule over [now-window, now]
//     (rejected events by endpoint, failed runs by workflow, dead
//     deliveries by destination, folded into hosts);
//  2. open: a target at or above the threshold with no open incident
//     gets one. The store's partial unique index makes the transition
//     atomic across processes: of two evaluators, exactly one INSERT
//     succeeds, and only that one notifies;
//  3. resolve: an open incident whose count fell below the threshold is
//     resolved by a compare-and-set, with the same effect;
//  4. notify: the winner starts the alert workflow through the manual-run
//     path (the same Starter POST /workflows/{id}/run uses, which commits
//     the event to the inbox first), with the body documented on Alert;
//  5. retry: a notice whose start failed, or whose process died between
//     the transition and the start, is claimed again once its lease ends.
package health

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
)

// Limits of a rule.
const (
	// MinWindow is the shortest window: shorter than a few evaluation
	// intervals, a window would miss signals between passes.
	MinWindow = time.Minute
	// MaxWindow is the longest window, well inside the default retention
	// of events and runs (30 days), so the rows a window counts still exist.
	MaxWindow = 7 * 24 * time.Hour
	// MaxCooldown is the longest cooldown.
	MaxCooldown = 7 * 24 * time.Hour
	// MaxThreshold bounds the threshold.
	MaxThreshold = 1_000_000
	// MaxNameLength bounds a rule's name.
	MaxNameLength = 200
)

// Kinds lists the rule kinds, in the order messages name them.
var Kinds = []string{store.AlertEndpointRejections, store.AlertWorkflowFailures, store.AlertDestinationDeadLetters}

// Rule is an alert rule as the API and the CLI show it. Durations are Go
// duration strings ("10m", "1h30m").
type Rule struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Target    string `json:"target"`
	Threshold int    `json:"threshold"`
	Window    string `json:"window"`
	Cooldown  string `json:"cooldown,omitempty"`
	// WorkflowID is the alert workflow.
	WorkflowID string    `json:"workflow_id"`
	Enabled    bool      `json:"enabled"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// RuleInput is the body of POST /alerts, and of PATCH /alerts/{id} where
// every field is optional and only the fields given change.
type RuleInput struct {
	Name      *string `json:"name"`
	Kind      *string `json:"kind"`
	Target    *string `json:"target"`
	Threshold *int    `json:"threshold"`
	Window    *string `json:"window"`
	Cooldown  *string `json:"cooldown"`
	// Workflow is the alert workflow's id or name; "workflow_id" is
	// accepted for the id.
	Workflow   *string `json:"workflow"`
	WorkflowID *string `json:"workflow_id"`
	Enabled    *bool   `json:"enabled"`
}

// Rules manages alert rules: every write is validated here, so the API
// and the CLI stay thin.
type Rules struct {
	Store *store.Store
}

// View renders a stored rule.
func View(r store.AlertRule) Rule {
	v := Rule{ID: r.ID, Name: r.Name, Kind: r.Kind, Target: r.Target, Threshold: r.Threshold, Window: FormatDuration(r.Window),
		WorkflowID: r.WorkflowID, Enabled: r.Enabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.Cooldown > 0 {
		v.Cooldown = FormatDuration(r.Cooldown)
	}
	return v
}

// FormatDuration prints d the way people write it: "10m", not "10m0s".
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// List returns every rule, oldest first.
func (s *Rules) List(ctx context.Context) ([]Rule, error) {
	rs, err := s.Store.ListAlertRules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Rule, len(rs))
	for i, r := range rs {
		out[i] = View(r)
	}
	return out, nil
}

// Get returns one rule; an error wrapping store.ErrNotFound when it does
// not exist.
func (s *Rules) Get(ctx context.Context, id string) (Rule, error) {
	r, err := s.Store.GetAlertRule(ctx, id)
	if err != nil {
		return Rule{}, err
	}
	return View(r), nil
}

// Create validates in and stores a new rule. Every problem is reported at
// once in a *manage.ValidationError naming the field.
func (s *Rules) Create(ctx context.Context, in RuleInput) (Rule, error) {
	r := store.AlertRule{Enabled: true}
	if err := s.apply(ctx, &r, in, true); err != nil {
		return Rule{}, err
	}
	created, err := s.Store.CreateAlertRule(ctx, r)
	if err != nil {
		return Rule{}, err
	}
	return View(created), nil
}

// Update changes the fields in gives of rule id, validated as Create does.
func (s *Rules) Update(ctx context.Context, id string, in RuleInput) (Rule, error) {
	r, err := s.Store.GetAlertRule(ctx, id)
	if err != nil {
		return Rule{}, err
	}
	if err := s.apply(ctx, &r, in, false); err != nil {
		return Rule{}, err
	}
	updated, err := s.Store.UpdateAlertRule(ctx, r)
	if err != nil {
		return Rule{}, err
	}
	return View(updated), nil
}

// Delete deletes rule id and its incidents.
func (s *Rules) Delete(ctx context.Context, id string) error {
	return s.Store.DeleteAlertRule(ctx, id)
}

// apply validates in onto r. create requires the fields a new rule needs.
func (s *Rules) apply(ctx context.Context, r *store.AlertRule, in RuleInput, create bool) error {
	var errs []definition.Error
	bad := func(path, format string, args ...any) {
		errs = append(errs, definition.Error{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	required := func(path string) {
		if create {
			bad(path, "is required")
		}
	}
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if len(name) > MaxNameLength {
			bad("name", "is %d characters long; at most %d fit", len(name), MaxNameLength)
		}
		r.Name = name
	}
	if in.Kind != nil {
		if !isKind(*in.Kind) {
			bad("kind", "%q is not a rule kind; use one of %s", *in.Kind, strings.Join(Kinds, ", "))
		} else {
			r.Kind = *in.Kind
		}
	} else {
		required("kind")
	}
	if in.Threshold != nil {
		if *in.Threshold < 1 || *in.Threshold > MaxThreshold {
			bad("threshold", "must be a count from 1 to %d (got %d)", MaxThreshold, *in.Threshold)
		} else {
			r.Threshold = *in.Threshold
		}
	} else {
		required("threshold")
	}
	if in.Window != nil {
		if d, ok := parseDuration(*in.Window, "window", MinWindow, MaxWindow, bad); ok {
			r.Window = d
		}
	} else {
		required("window")
	}
	if in.Cooldown != nil {
		if *in.Cooldown == "" || *in.Cooldown == "0" {
			r.Cooldown = 0
		} else if d, ok := parseDuration(*in.Cooldown, "cooldown", time.Second, MaxCooldown, bad); ok {
			r.Cooldown = d
		}
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	wfRef, wfPath := in.Workflow, "workflow"
	if wfRef == nil {
		wfRef, wfPath = in.WorkflowID, "workflow_id"
	}
	if wfRef != nil {
		id, msg, err := s.resolveWorkflow(ctx, *wfRef)
		if err != nil {
			return err
		}
		if msg != "" {
			bad(wfPath, "%s", msg)
		} else {
			r.WorkflowID = id
		}
	} else {
		required("workflow")
	}
	// The target is checked against the kind, old or new.
	if in.Target != nil || (in.Kind != nil && r.Target != "" && isKind(r.Kind)) {
		target := r.Target
		if in.Target != nil {
			target = strings.TrimSpace(*in.Target)
		}
		if r.Kind != "" && isKind(r.Kind) {
			t, msg, err := s.checkTarget(ctx, r.Kind, target)
			if err != nil {
				return err
			}
			if msg != "" {
				bad("target", "%s", msg)
			} else {
				r.Target = t
			}
		}
	} else {
		required("target")
	}
	if r.Name == "" && r.Kind != "" && r.Target != "" && r.Threshold > 0 {
		r.Name = fmt.Sprintf("%s of %s: %d in %s", strings.ReplaceAll(r.Kind, "_", " "), r.Target, r.Threshold, FormatDuration(r.Window))
	}
	if len(errs) > 0 {
		title := "the alert rule is invalid"
		return &manage.ValidationError{Title: title, Errors: errs}
	}
	return nil
}

func isKind(k string) bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// parseDuration reads a duration field within [min, max], reporting a
// problem through bad.
func parseDuration(s, path string, min, max time.Duration, bad func(path, format string, args ...any)) (time.Duration, bool) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		bad(path, "%q is not a duration; write it like 30s, 10m or 1h", s)
		return 0, false
	}
	if d < min || d > max {
		bad(path, "%s is out of range; use %s to %s", s, FormatDuration(min), FormatDuration(max))
		return 0, false
	}
	return d, true
}

// resolveWorkflow finds the alert workflow by id or name. msg says what is
// wrong for the user; err is a store failure.
func (s *Rules) resolveWorkflow(ctx context.Context, ref string) (id, msg string, err error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", "is empty; name the workflow to run when the alert fires (its id or name)", nil
	}
	wf, err := s.Store.GetWorkflow(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		wf, err = s.Store.GetWorkflowByName(ctx, ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Sprintf("no workflow has the id or name %q; create the alert workflow first", ref), nil
	}
	if err != nil {
		return "", "", fmt.Errorf("looking up alert workflow %q: %w", ref, err)
	}
	return wf.ID, "", nil
}

// checkTarget checks (and normalises) a target for kind: an existing
// endpoint or workflow id, a destination host, or "*".
func (s *Rules) checkTarget(ctx context.Context, kind, target string) (string, string, error) {
	if target == "" {
		return "", `is empty; give an id (or a host for destination_dead_letters), or "*" for any`, nil
	}
	if target == store.AlertAnyTarget {
		return target, "", nil
	}
	switch kind {
	case store.AlertEndpointRejections:
		_, err := s.Store.GetEndpoint(ctx, target)
		if errors.Is(err, store.ErrNotFound) {
			return "", fmt.Sprintf(`no endpoint has the id %q; give an endpoint id (ep_…) or "*" for any endpoint`, target), nil
		}
		if err != nil {
			return "", "", fmt.Errorf("looking up endpoint %q: %w", target, err)
		}
	case store.AlertWorkflowFailures:
		wf, err := s.Store.GetWorkflow(ctx, target)
		if errors.Is(err, store.ErrNotFound) {
			wf, err = s.Store.GetWorkflowByName(ctx, target)
		}
		if errors.Is(err, store.ErrNotFound) {
			return "", fmt.Sprintf(`no workflow has the id or name %q; give a workflow or "*" for any workflow`, target), nil
		}
		if err != nil {
			return "", "", fmt.Errorf("looking up workflow %q: %w", target, err)
		}
		return wf.ID, "", nil
	case store.AlertDestinationDeadLetters:
		host, ok := normaliseHost(target)
		if !ok {
			return "", fmt.Sprintf(`%q is not a host; give the destination's host like hooks.example.com (or host:port), or "*" for any`, target), nil
		}
		return host, "", nil
	}
	return target, "", nil
}

// normaliseHost turns "hooks.example.com", "hooks.example.com:8443" or a
// URL into the host (with its port, when given) that dead letters are
// grouped by.
func normaliseHost(s string) (string, bool) {
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", false
		}
		return strings.ToLower(u.Host), true
	}
	if strings.ContainsAny(s, "/?#@ ") {
		return "", false
	}
	h := strings.ToLower(s)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h, "]") {
		if _, err := strconv.Atoi(h[i+1:]); err != nil {
			return "", false
		}
	}
	return h, h != ""
}

// hostOf is the host a destination URL is grouped under.
func hostOf(destination string) string {
	u, err := url.Parse(destination)
	if err != nil || u.Host == "" {
		return destination
	}
	return strings.ToLower(u.Host)
}
