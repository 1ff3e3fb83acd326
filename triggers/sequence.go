package triggers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
)

// Outcomes of the sequence check: the outcome label of
// hookflow_sequence_events_total.
const (
	seqInOrder     = "in_order"
	seqStale       = "stale"
	seqHeld        = "held"
	seqUnsequenced = "unsequenced"
)

// Thresholds that tell the unit of a numeric sequence value. Providers
// send unix seconds (Stripe "created"), milliseconds (HubSpot
// "occurredAt") and sometimes micro- or nanoseconds; below each bound the
// value is read in the coarser unit. Each bound is where the coarser unit
// would overflow int64 nanoseconds (year 2255), and the finer unit at the
// bound is a date in early 1970 that no real event carries.
const (
	maxSeconds = 9e9
	maxMillis  = 9e12
	maxMicros  = 9e15
)

// parseSequence reads a sequence value as unix nanoseconds: a number of
// seconds, milliseconds, microseconds or nanoseconds since 1970 (integer
// or decimal, as JSON number or numeric string), or an RFC 3339 time.
// The error says, for the events log, why the value was not usable.
func parseSequence(text string) (int64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, errors.New("it is empty")
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return scaleSequence(float64(i), i)
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return scaleSequence(f, 0)
	}
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a number nor an RFC 3339 time", truncate(text, 64))
	}
	if y := t.Year(); y < 1678 || y > 2261 {
		return 0, fmt.Errorf("%q is outside the years 1678 to 2261", text)
	}
	return t.UnixNano(), nil
}

// scaleSequence turns a number of unknown unit into nanoseconds; exact,
// when not 0, is the same number as an integer, kept exact for large
// millisecond and nanosecond values that a float64 would round.
func scaleSequence(f float64, exact int64) (int64, error) {
	if f < 0 {
		return 0, fmt.Errorf("%v is negative", f)
	}
	var mult int64
	switch {
	case f < maxSeconds:
		mult = int64(time.Second)
	case f < maxMillis:
		mult = int64(time.Millisecond)
	case f < maxMicros:
		mult = int64(time.Microsecond)
	default:
		mult = 1
	}
	if exact != 0 || f == 0 {
		return exact * mult, nil
	}
	if f*float64(mult) >= math.MaxInt64 {
		return 0, fmt.Errorf("%v is too large", f)
	}
	return int64(math.Round(f * float64(mult))), nil
}

// formatSequence shows a sequence value in the events log.
func formatSequence(ns int64) string {
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// sequenceOf reads the sequence value of ev from src: a header, or a
// gjson path into the body. A JSON number is read from its raw text, so a
// millisecond timestamp keeps every digit.
func sequenceOf(src definition.SequenceSource, ev store.Event) (int64, error) {
	if src.Header != "" {
		v, ok := ev.Headers[http.CanonicalHeaderKey(src.Header)]
		if !ok {
			for k, hv := range ev.Headers {
				if strings.EqualFold(k, src.Header) {
					v, ok = hv, true
					break
				}
			}
		}
		if !ok {
			return 0, fmt.Errorf("the request has no %s header", src.Header)
		}
		n, err := parseSequence(v)
		if err != nil {
			return 0, fmt.Errorf("header %s: %w", src.Header, err)
		}
		return n, nil
	}
	r := gjson.GetBytes(ev.Body, src.Path)
	var text string
	switch r.Type {
	case gjson.Number:
		text = r.Raw
	case gjson.String:
		text = r.Str
	case gjson.Null:
		if !r.Exists() {
			return 0, fmt.Errorf("the body has no value at %q", src.Path)
		}
		return 0, fmt.Errorf("the value at %q is null", src.Path)
	default:
		return 0, fmt.Errorf("the value at %q is not a number or a time", src.Path)
	}
	n, err := parseSequence(text)
	if err != nil {
		return 0, fmt.Errorf("the value at %q: %w", src.Path, err)
	}
	return n, nil
}

// gateResult is what gate decided for one event.
type gateResult struct {
	// proceed: start the run now. When false the event has been held,
	// queued or marked stale in the store, and the dispatcher is done.
	proceed bool
	// note, when not empty, is written to the event's reason after the
	// start: why its sequence option was not applied.
	note string
}

// gate applies the trigger options that may keep an event from starting
// now, in this order:
//
//  1. sequence (not for replays, which run deliberately): with a
//     reorder_window an event still inside its window is held; otherwise
//     its value is compared with its order key's high-water mark and an
//     older one is marked stale.
//  2. concurrency: the run takes a slot of its workflow, or the event is
//     queued until one frees.
//
// The check is made here, at dispatch, not at ingest: the dispatcher is
// the one place every start passes (fast path, sweeper after a restart or
// a failed start, replays), and the mark is advanced by the start that
// follows it, so the order holds across retries and restarts. Ingest-time
// order is only the order in which the database accepted the commits.
// Each store step is atomic and idempotent for the event (see
// store.CheckSequence and store.AcquireSlot): a crash between the check
// and the start leaves the event pending, and its retry passes the check
// and gets its slot again, so nothing is lost or started twice.
//
// released is true for events ReleaseHeld just handed back, which are not
// held again although some arrived less than a window ago.
func (d *Dispatcher) gate(ctx context.Context, ev store.Event, p *interpreter.Pinned, runID, key string, released bool) (gateResult, error) {
	t := p.Trigger
	if t == nil {
		return gateResult{proceed: true}, nil
	}
	var out gateResult
	if t.Sequence != "" && ev.ReplayOf == "" {
		proceed, note, err := d.checkSequence(ctx, ev, t, key, released)
		if err != nil || !proceed {
			return gateResult{}, err
		}
		out.note = note
	}
	if c := t.Concurrency; c != nil && c.Limit > 0 {
		ok, err := d.store.AcquireSlot(ctx, ev.WorkflowID, runID, ev.ID, ev.ReceivedAt, c.Limit)
		if err != nil {
			return gateResult{}, err
		}
		if !ok {
			reason := fmt.Sprintf("queued: this workflow has its limit of %d runs in flight (trigger concurrency.limit); it starts when one finishes", c.Limit)
			if err := d.store.QueueEvent(ctx, ev.ID, reason); err != nil && !errors.Is(err, store.ErrConflict) {
				return gateResult{}, err
			}
			metrics.EventsQueued.WithLabelValues(ev.WorkflowID).Inc()
			return gateResult{}, nil
		}
	}
	out.proceed = true
	return out, nil
}

// checkSequence is gate's step 1. An event without an order key or a
// usable sequence value runs, unordered, with a note saying why: refusing
// it would drop a genuine event for a formatting detail, and the note and
// the unsequenced count make the problem visible.
func (d *Dispatcher) checkSequence(ctx context.Context, ev store.Event, t *definition.Trigger, key string, released bool) (proceed bool, note string, err error) {
	src, err := definition.ParseSequenceSource(t.Sequence)
	var seq int64
	switch {
	case err != nil: // validated when saved; an old version may predate a rule
		note = "sequence not applied: trigger.sequence " + err.Error()
	case key == "":
		note = fmt.Sprintf("sequence not applied: the event has no order key at %q", t.OrderKey)
	default:
		seq, err = sequenceOf(src, ev)
		if err != nil {
			note = "sequence not applied: " + err.Error()
		}
	}
	if note != "" {
		metrics.SequenceEvents.WithLabelValues(ev.WorkflowID, seqUnsequenced).Inc()
		d.log.Info("event runs without its sequence check", "event", ev.ID, "reason", note)
		return true, truncate(note, 1000), nil
	}
	if window := t.ReorderWindow.Value(); window > 0 && !released && ev.Status == store.EventPending {
		until := ev.ReceivedAt.Add(window)
		if d.now().Before(until) {
			reason := fmt.Sprintf("held until %s to run in sequence order (reorder_window %s)",
				until.UTC().Format(time.RFC3339Nano), t.ReorderWindow)
			if err := d.store.HoldEvent(ctx, ev.ID, key, seq, until, reason); err != nil && !errors.Is(err, store.ErrConflict) {
				return false, "", err
			}
			metrics.SequenceEvents.WithLabelValues(ev.WorkflowID, seqHeld).Inc()
			return false, "", nil
		}
	}
	res, err := d.store.CheckSequence(ctx, ev.ID, ev.WorkflowID, key, seq)
	if err != nil {
		return false, "", err
	}
	if res.Stale {
		reason := truncate(fmt.Sprintf("stale: sequence %s is older than %s of event %s, already processed for order key %q; not run (replay the event to run it anyway)",
			formatSequence(seq), formatSequence(res.Mark.Seq), res.Mark.EventID, key), 1000)
		if err := d.store.MarkEventStale(ctx, ev.ID, reason); err != nil && !errors.Is(err, store.ErrConflict) {
			return false, "", err
		}
		metrics.SequenceEvents.WithLabelValues(ev.WorkflowID, seqStale).Inc()
		d.log.Info("stale event skipped", "event", ev.ID, "newer_event", res.Mark.EventID)
		return false, "", nil
	}
	metrics.SequenceEvents.WithLabelValues(ev.WorkflowID, seqInOrder).Inc()
	return true, "", nil
}

// maintainSlots is the sweeper's per-tick work for concurrency limits:
// free the slots of finished runs, make as many queued events due as there
// are free slots, and refresh the gauges.
func (d *Dispatcher) maintainSlots(ctx context.Context) {
	if _, err := d.store.ReleaseFinishedSlots(ctx); err != nil && ctx.Err() == nil {
		d.log.Warn("freeing run slots", "error", err)
	}
	if _, err := d.store.WakeQueued(ctx, d.now()); err != nil && ctx.Err() == nil {
		d.log.Warn("waking queued events", "error", err)
	}
	stats, err := d.store.ConcurrencyStats(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("reading concurrency stats", "error", err)
		}
		return
	}
	for _, s := range stats {
		metrics.WorkflowRunsInFlight.WithLabelValues(s.WorkflowID).Set(float64(s.InFlight))
		metrics.ConcurrencyLimit.WithLabelValues(s.WorkflowID).Set(float64(s.Limit))
		metrics.QueuedEvents.WithLabelValues(s.WorkflowID).Set(float64(s.Queued))
	}
}

// releaseHeld starts the held events whose reorder window has passed, a
// key at a time in sequence order (store.ReleaseHeld): the events of one
// key one after another, so that they reach the key's ordering mailbox in
// that order; different keys in parallel. When a start fails, the rest of
// its key stay pending under the release's lease and are retried after
// it, behind the failed one.
func (d *Dispatcher) releaseHeld(ctx context.Context) {
	groups, err := d.store.ReleaseHeld(ctx, d.now(), d.cfg.SweepLease, d.cfg.SweepBatch)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("releasing held events", "error", err)
		}
		return
	}
	sem := make(chan struct{}, d.cfg.DispatchWorkers)
	done := make(chan struct{})
	for _, group := range groups {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; done <- struct{}{} }()
			for _, ev := range group {
				if !d.dispatchEvent(ctx, ev, ev.DispatchAttempts, true) {
					return
				}
			}
		}()
	}
	for range groups {
		<-done
	}
}
