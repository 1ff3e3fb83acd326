package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/platform/metrics"
	"github.com/hookflow/hookflow/engine/store"
)

// enqueue hands a committed pending event to the dispatch workers. When
// the queue is full the event is simply left in the inbox: the sweeper
// starts it once its grace period has passed. It never blocks, so a slow
// or unreachable Temporal cannot slow acceptance down.
func (s *Service) enqueue(ev store.Event) bool {
	select {
	case <-s.ctx.Done():
		return false
	default:
	}
	select {
	case s.dispatchQ <- ev:
		return true
	default:
		s.cfg.Logger.Debug("dispatch queue full; the sweeper will start the event", "event", ev.ID)
		return false
	}
}

func (s *Service) dispatchLoop() {
	for {
		select {
		case <-s.ctx.Done():
			return
		case ev := <-s.dispatchQ:
			// The event's own attempt count: the fast path has not claimed it.
			s.dispatch(s.ctx, ev, ev.DispatchAttempts+1)
		}
	}
}

// RunWorkflowIDFor is the Temporal workflow id of an inbox event's run:
// derived from the endpoint (or, without one, the workflow) and the
// provider's event id (or, for events without one such as replays and
// manual runs, the inbox event id). Every start of the same provider event
// therefore uses one id and Temporal refuses the second.
func RunWorkflowIDFor(ev store.Event) string {
	owner := ev.EndpointID
	if owner == "" {
		owner = ev.WorkflowID
	}
	key := ev.DedupeKey
	if key == "" {
		key = ev.ID
	}
	return interpreter.RunWorkflowID(owner, key)
}

// runInput builds the interpreter input of an event, pinned to the
// version the event was received for, and its order key.
func (s *Service) runInput(ctx context.Context, ev store.Event) (interpreter.RunInput, string, error) {
	p, err := s.version(ctx, ev.WorkflowID, ev.WorkflowVersion)
	if err != nil {
		return interpreter.RunInput{}, "", fmt.Errorf("loading version %d of workflow %s: %w", ev.WorkflowVersion, ev.WorkflowID, err)
	}
	in := interpreter.RunInput{
		RunID:      RunWorkflowIDFor(ev),
		WorkflowID: ev.WorkflowID,
		Version:    ev.WorkflowVersion,
		Definition: p.definition,
		Hash:       p.hash,
		Event: interpreter.EventInfo{ID: ev.ID, ProviderID: ev.ProviderEventID, Type: ev.EventType, ReceivedAt: ev.ReceivedAt, Headers: ev.Headers,
			Replay: ev.ReplayOf != ""},
	}
	if err := in.Event.SetBody(ctx, s.store, ev.Body, s.cfg.InlineBodyBytes); err != nil {
		return interpreter.RunInput{}, "", err
	}
	orderKey := ""
	if p.orderKey != "" && len(ev.Body) > 0 {
		orderKey = gjson.GetBytes(ev.Body, p.orderKey).String()
	}
	return in, orderKey, nil
}

// dispatch starts the run of one pending event and records the outcome.
// attempt counts this attempt (1 for the first).
func (s *Service) dispatch(ctx context.Context, ev store.Event, attempt int) {
	in, orderKey, err := s.runInput(ctx, ev)
	if err == nil {
		// An ordered run may wait behind others in its mailbox, so only an
		// unordered one is listed as running by the dispatcher (see below).
		in.Listed = orderKey == ""
		startCtx, cancel := context.WithTimeout(ctx, s.cfg.StartTimeout)
		err = s.starter.StartRun(startCtx, in, orderKey)
		cancel()
	}
	if err != nil {
		if label, permanent := classifyStartError(err); permanent {
			s.failEvent(ctx, ev, label, err)
			return
		}
		s.retryLater(ctx, ev, attempt, err)
		return
	}
	metrics.DispatchLag.Observe(s.now().Sub(ev.ReceivedAt).Seconds())
	// The event is dispatched only once waiting runs have been offered it
	// too; a retry starts nothing new (the start is a no-op) and re-sends
	// the signals, which runs that already have the event drop.
	if err := s.signalWaiting(ctx, ev); err != nil {
		if label, permanent := classifyStartError(err); permanent {
			// Temporal refuses this signal every time: retrying would hold
			// the event pending forever although its own run started.
			s.cfg.Logger.Error("offering the event to waiting runs failed for good; its run started", "event", ev.ID,
				"reason", label, "error", err)
		} else {
			s.retryLaterWhy(ctx, ev, attempt, "signal attempt %d failed (the run started): %v", err)
			return
		}
	}
	mark := func(ctx context.Context) error { return s.store.MarkDispatched(ctx, ev.ID, in.RunID) }
	if in.Listed {
		// The run skips its own first save (RunInput.Listed): list it
		// here, in the transaction that marks its event.
		run := store.Run{ID: in.RunID, WorkflowID: ev.WorkflowID, WorkflowVersion: ev.WorkflowVersion, EventID: ev.ID,
			Status: store.RunRunning, StartedAt: s.now()}
		mark = func(ctx context.Context) error { return s.store.MarkDispatchedListed(ctx, ev.ID, run) }
	}
	if err := mark(context.WithoutCancel(ctx)); err != nil {
		// The run exists; the sweeper will find the event still pending
		// and its start will be a no-op that marks it again.
		s.cfg.Logger.Warn("marking event dispatched", "event", ev.ID, "error", err)
	}
}

// Reasons an event fails before its run starts: the reason label of
// hookflow_events_failed_total. Each is a cause retrying cannot cure.
const (
	failVersionMissing = "version_missing"  // the pinned workflow version was deleted
	failTooLarge       = "too_large"        // Temporal refused the run input's size
	failInvalid        = "invalid_argument" // Temporal refused the start request itself
	failEncoding       = "encoding"         // the run input cannot be encoded
)

// classifyStartError sorts a failed start into permanent (a fixed reason
// label) or transient. Only Temporal's and the encoder's refusals of the
// request itself are permanent: the same input is refused every time, and
// retrying it every few minutes forever hid it from everyone. Everything
// else (Unavailable, DeadlineExceeded, ResourceExhausted rate limits, an
// unreachable store) may pass and is retried with backoff.
func classifyStartError(err error) (label string, permanent bool) {
	var (
		invalid    *serviceerror.InvalidArgument
		exhausted  *serviceerror.ResourceExhausted
		marshaler  *json.MarshalerError
		unsupType  *json.UnsupportedTypeError
		unsupValue *json.UnsupportedValueError
	)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return failVersionMissing, true
	case errors.As(err, &invalid):
		if isSizeRefusal(invalid.Message) {
			return failTooLarge, true
		}
		return failInvalid, true
	case errors.As(err, &exhausted) && isSizeRefusal(exhausted.Message):
		// gRPC's message size limit, not a rate limit. (The SDK turns
		// every gRPC status into its serviceerror type.)
		return failTooLarge, true
	case errors.Is(err, converter.ErrUnableToEncode), errors.As(err, &marshaler),
		errors.As(err, &unsupType), errors.As(err, &unsupValue):
		return failEncoding, true
	}
	return "", false
}

// isSizeRefusal recognises Temporal's and gRPC's size refusals ("Blob
// data size exceeds limit", "grpc: received message larger than max").
func isSizeRefusal(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "size exceeds limit") || strings.Contains(msg, "larger than max")
}

// failEvent ends an event whose run can never start as failed, with the
// reason in the events log and a count in hookflow_events_failed_total.
func (s *Service) failEvent(ctx context.Context, ev store.Event, label string, cause error) {
	reason := truncate("the run cannot start (not retried): "+cause.Error(), 1000)
	s.cfg.Logger.Error("event failed: its run cannot start", "event", ev.ID, "reason", label, "error", cause)
	metrics.EventsFailed.WithLabelValues(label).Inc()
	if err := s.store.SetEventStatus(context.WithoutCancel(ctx), ev.ID, store.EventFailed, reason); err != nil {
		s.cfg.Logger.Error("failing undispatchable event", "event", ev.ID, "error", err)
	}
}

func (s *Service) retryLater(ctx context.Context, ev store.Event, attempt int, cause error) {
	s.retryLaterWhy(ctx, ev, attempt, "start attempt %d failed: %v", cause)
}

// retryLaterWhy schedules the next dispatch attempt of ev with its backoff
// and records why: format takes the attempt and the cause.
func (s *Service) retryLaterWhy(ctx context.Context, ev store.Event, attempt int, format string, cause error) {
	if ctx.Err() != nil {
		return // shutting down: the lease or grace period hands it to the next process
	}
	wait := s.backoff(attempt)
	reason := fmt.Sprintf(format, attempt, cause)
	s.cfg.Logger.Warn("dispatching event failed; will retry", "event", ev.ID, "attempt", attempt, "retry_in", wait, "error", reason)
	if err := s.store.MarkDispatchFailed(context.WithoutCancel(ctx), ev.ID, s.now().Add(wait), truncate(reason, 1000)); err != nil &&
		!errors.Is(err, store.ErrConflict) {
		s.cfg.Logger.Error("recording failed start", "event", ev.ID, "error", err)
	}
}

// signalWaiting offers an accepted event to the runs waiting for its type
// (see waitSignals), each signal bounded by Config.StartTimeout.
func (s *Service) signalWaiting(ctx context.Context, ev store.Event) error {
	if s.signal == nil || ev.EventType == "" {
		return nil
	}
	waited, err := s.waitedFor(ctx, ev.EventType)
	if err != nil {
		return err
	}
	if !waited {
		// No wait_for_event step has ever waited for this type, so no
		// router exists: skip the call to Temporal, which cost about 4%
		// of `hookflow dev`'s CPU per event under load.
		return nil
	}
	p, err := s.version(ctx, ev.WorkflowID, ev.WorkflowVersion)
	if err != nil {
		return fmt.Errorf("loading version %d of workflow %s: %w", ev.WorkflowVersion, ev.WorkflowID, err)
	}
	// A large body is offered by reference, as the run's own trigger is:
	// a signal is a Temporal payload with the same size limit.
	var body interpreter.EventInfo
	body.ID = ev.ID
	if err := body.SetBody(ctx, s.store, ev.Body, s.cfg.InlineBodyBytes); err != nil {
		return err
	}
	for _, sig := range waitSignals(ev, p.correlationKey, body.Payload()) {
		sctx, cancel := context.WithTimeout(ctx, s.cfg.StartTimeout)
		err := s.signal.SignalWaiting(sctx, sig)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// waitedFor reports whether a wait_for_event step has ever waited for
// events of type typ (store.WaitedFor). A yes is remembered, because a
// type once recorded stays recorded; a no is asked again for every event,
// since a wait may begin at any moment, in any worker process.
func (s *Service) waitedFor(ctx context.Context, typ string) (bool, error) {
	if _, ok := s.waitedTypes.Load(typ); ok {
		return true, nil
	}
	ok, err := s.store.WaitedFor(ctx, typ)
	if err != nil || !ok {
		return false, err
	}
	s.waitedTypes.Store(typ, struct{}{})
	return true, nil
}

// waitSignals are the signals that offer ev to waiting runs: one under
// the key at the trigger's correlation_key path (correlationPath), and,
// when that key is not empty, one more under no key, because a wait
// without correlation_key receives every event of its type. An event with
// no type is offered to nobody. EventID is the inbox id, so a re-sent
// signal is recognised by the runs that already have it.
//
// payload, when not nil, replaces the body as the signals' payload (a
// blob reference for a large body).
func waitSignals(ev store.Event, correlationPath string, payload json.RawMessage) []interpreter.EventSignal {
	if ev.EventType == "" {
		return nil
	}
	if payload == nil {
		payload = json.RawMessage(ev.Body)
	}
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	} else if !json.Valid(payload) {
		payload, _ = json.Marshal(string(ev.Body)) // not JSON: offered as a string
	}
	sig := interpreter.EventSignal{Type: ev.EventType, EventID: ev.ID, Payload: payload}
	key := ""
	if correlationPath != "" && len(ev.Body) > 0 {
		key = CorrelationKey(gjson.GetBytes(ev.Body, correlationPath))
	}
	if key == "" {
		return []interpreter.EventSignal{sig}
	}
	keyed := sig
	keyed.Key = key
	return []interpreter.EventSignal{keyed, sig}
}

// CorrelationKey is the key under which an event is offered to waiting
// runs: the value at the trigger's correlation_key path, turned into text
// by the same rule the interpreter applies to a wait's key
// (interpreter.CorrelationKey). A missing value, null, an object or an
// array is no key.
func CorrelationKey(v gjson.Result) string {
	if !v.Exists() {
		return ""
	}
	key, err := interpreter.CorrelationKey(v.Value())
	if err != nil {
		return ""
	}
	return key
}

// backoff is the wait before attempt+1: base·2^(attempt-1), capped, with
// ±20% jitter so that events failed together do not retry together.
func (s *Service) backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := s.cfg.BackoffBase
	for i := 1; i < attempt && d < s.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.BackoffMax)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// sweepLoop re-dispatches due pending events: ones whose fast-path start
// failed (after their backoff), ones the full queue left behind, and ones
// committed just before a crash. ClaimPendingEvents leases each event, so
// several processes can sweep the same inbox.
func (s *Service) sweepLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		for s.sweepOnce(ctx) == s.cfg.SweepBatch && ctx.Err() == nil {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepOnce claims and dispatches one batch and returns its size.
func (s *Service) sweepOnce(ctx context.Context) int {
	evs, err := s.store.ClaimPendingEvents(ctx, s.cfg.SweepBatch, s.now(), s.cfg.SweepLease)
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.Logger.Warn("sweeping pending events", "error", err)
		}
		return 0
	}
	sem := make(chan struct{}, s.cfg.DispatchWorkers)
	done := make(chan struct{})
	for _, ev := range evs {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; done <- struct{}{} }()
			// The claim counted this attempt.
			s.dispatch(ctx, ev, ev.DispatchAttempts)
		}()
	}
	for range evs {
		<-done
	}
	return len(evs)
}

// Sweep runs one sweep now and returns how many events it dispatched
// (or tried to). Tests and operators use it; the sweeper calls the same.
func (s *Service) Sweep(ctx context.Context) int { return s.sweepOnce(ctx) }

// pruneLoop deletes events older than the retention, at start and then
// every PruneInterval. PruneEvents deletes in small batches, each its own
// statement, so ingestion interleaves with it.
func (s *Service) pruneLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.PruneInterval)
	defer t.Stop()
	for {
		if _, err := s.Prune(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("pruning events", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Prune deletes events received more than Config.Retention ago (pending
// events are kept whatever their age), with the finished runs, finished
// deliveries and stored blobs of the same age, and returns how many events
// it deleted. Logging is only for pruned events, so an idle store says
// nothing.
func (s *Service) Prune(ctx context.Context) (int, error) {
	before := s.now().Add(-s.cfg.Retention)
	n, err := s.store.PruneEvents(ctx, before, s.cfg.PruneBatch)
	if err != nil {
		return n, fmt.Errorf("pruning events: %w", err)
	}
	// Run summaries, finished deliveries and stored step outputs (large
	// outputs and recorded call results) age out with the events, so the
	// store does not grow without bound.
	others := []struct {
		what  string
		prune func(context.Context, time.Time, int) (int, error)
	}{
		{"runs", s.store.PruneRuns},
		{"deliveries", s.store.PruneDeliveries},
		{"blobs", s.store.PruneBlobs},
	}
	pruned := []any{"events", n}
	for _, o := range others {
		m, err := o.prune(ctx, before, s.cfg.PruneBatch)
		if err != nil {
			return n, fmt.Errorf("pruning %s: %w", o.what, err)
		}
		pruned = append(pruned, o.what, m)
	}
	if n > 0 {
		s.cfg.Logger.Info("pruned old records", append(pruned, "retention", s.cfg.Retention)...)
	}
	return n, nil
}
