package definition

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
)

// ConnectorTrigger picks the connector trigger that a definition's trigger
// of type triggerType starts from: spec's trigger named like the type, or
// spec's only trigger. It returns nil when there is none. Validation and
// the webhook pipeline both pick it here, so a saved definition is served
// by the very trigger it was checked against.
func ConnectorTrigger(spec *connectors.Spec, triggerType string) *connectors.Trigger {
	if spec == nil {
		return nil
	}
	for _, tr := range spec.Triggers {
		if tr.Name == triggerType || len(spec.Triggers) == 1 {
			return tr
		}
	}
	return nil
}

// ActivationErrors are the problems that let a valid definition be saved
// but not activated: a webhook trigger whose connector verifies every
// delivery with a secret (connectors.Authenticates with no credential
// values) and that names no credential would refuse every event with 401.
// The Env must know the catalog; with a nil Env there is nothing to check.
func ActivationErrors(def *Definition, env Env) []Error {
	t := def.Trigger
	if env == nil || t.Type != TriggerWebhook || t.Connector == "" || t.Credential != "" {
		return nil
	}
	spec, ok := env.Connector(t.Connector)
	if !ok {
		return nil
	}
	trig := ConnectorTrigger(spec, t.Type)
	if trig == nil || trig.Verifier == nil || !connectors.Authenticates(trig.Verifier, connectors.Values{}) {
		return nil
	}
	return []Error{{Path: "trigger.credential", Message: fmt.Sprintf(
		"is required to activate: the %s trigger checks every event with a signing secret, so without a credential every event would be refused (401); create a %s credential and name it here",
		spec.Title, spec.Title)}}
}

// Limits of the ordering and concurrency trigger options. They are named
// here, not in Limits, because the dispatcher relies on them too: a held
// event is kept in the inbox, and a window longer than a few minutes would
// turn "reorder the burst a provider sends" into "delay every event".
const (
	// MaxReorderWindow bounds trigger.reorder_window.
	MaxReorderWindow = 5 * time.Minute
	// DefaultReorderWindow is the window when reorder_window is not set:
	// none, so a stale event is skipped at once instead of being held.
	DefaultReorderWindow = time.Duration(0)
	// MinConcurrencyLimit and MaxConcurrencyLimit bound
	// trigger.concurrency.limit.
	MinConcurrencyLimit = 1
	MaxConcurrencyLimit = 1000
)

// SequenceHeaderPrefix starts a sequence source that reads a request
// header instead of the body: "header:X-Shopify-Triggered-At". A body path
// cannot start with it by accident, since gjson paths name keys and no
// provider's event body has a key called "header:…".
const SequenceHeaderPrefix = "header:"

// ConcurrencyLimit is trigger.concurrency: at most Limit runs of the
// workflow are in flight at once (started and not finished; a run waiting
// in a delay, wait_for_event or approval counts). Further events wait,
// durably, as "queued" in the event log, and start as runs finish.
type ConcurrencyLimit struct {
	Limit int `json:"limit"`
}

// SequenceSource is where a trigger's sequence value comes from: exactly
// one of Header (a request header name) or Path (a gjson path into the
// event body).
type SequenceSource struct {
	Header string
	Path   string
}

// ParseSequenceSource reads the trigger's sequence option:
// "header:<Name>" names a header, anything else is a gjson path into the
// body. The message of the error is meant for the author.
func ParseSequenceSource(s string) (SequenceSource, error) {
	if name, ok := strings.CutPrefix(s, SequenceHeaderPrefix); ok {
		name = strings.TrimSpace(name)
		if name == "" {
			return SequenceSource{}, fmt.Errorf("%q names no header; write it as \"header:X-Shopify-Triggered-At\"", s)
		}
		for i := 0; i < len(name); i++ {
			if !isTokenChar(name[i]) {
				return SequenceSource{}, fmt.Errorf("%q: %q is not a valid header name (character %d)", s, name, i+1)
			}
		}
		return SequenceSource{Header: name}, nil
	}
	if msg := checkBodyPath(s); msg != "" {
		return SequenceSource{}, errors.New(msg)
	}
	return SequenceSource{Path: s}, nil
}

// isTokenChar reports whether c may appear in an HTTP header name
// (RFC 9110 token).
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// orderingOptions checks sequence, reorder_window and concurrency. They
// belong to the event log's dispatcher, so schedule triggers (whose runs
// Temporal Schedules start without an event) cannot take them, and
// sequence compares events of one order_key, so it needs one.
func (r *run) orderingOptions(t *Trigger) {
	if t.Sequence != "" {
		switch {
		case t.Type != "" && t.Type != TriggerWebhook:
			r.errorf("trigger.sequence", "is only allowed on a webhook trigger")
		case t.OrderKey == "":
			r.errorf("trigger.sequence", "needs order_key: an event is compared with the newest one already processed for its order key (set order_key, for example \"data.object.id\")")
		}
		if _, err := ParseSequenceSource(t.Sequence); err != nil {
			r.errorf("trigger.sequence", "%v", err)
		}
	}
	if t.ReorderWindow != "" {
		r.duration("trigger.reorder_window", t.ReorderWindow, MaxReorderWindow, false)
		if t.Sequence == "" {
			r.errorf("trigger.reorder_window", "needs sequence: events are held for the window to be run in sequence order")
		}
	}
	if c := t.Concurrency; c != nil {
		if t.Type == TriggerSchedule {
			r.errorf("trigger.concurrency", "is not available on a schedule trigger: its runs are started by the schedule, not from the event log")
		}
		if c.Limit < MinConcurrencyLimit || c.Limit > MaxConcurrencyLimit {
			r.errorf("trigger.concurrency.limit", "must be between %d and %d, got %d", MinConcurrencyLimit, MaxConcurrencyLimit, c.Limit)
		}
	}
}

// maxRunNameTemplate caps the run_name template: it names runs in lists.
const maxRunNameTemplate = 500

// checkRunName validates trigger.run_name like every other template: it
// compiles, and names only trigger, event and vars (no step has run when
// a run is named). Its rendering is checked again at run time, where a
// failure names the run after its event instead of failing it.
func (r *run) checkRunName(tmpl string) {
	const path = "trigger.run_name"
	switch {
	case tmpl == "":
		return
	case len(tmpl) > maxRunNameTemplate:
		r.errorf(path, "is %d characters long; a run name template may have at most %d", len(tmpl), maxRunNameTemplate)
		return
	}
	r.template(path, tmpl, nil, expression.Context{})
}
