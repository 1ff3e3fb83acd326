package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
)

// Dispatcher starts the run of each committed event, pinned to the
// version the event was received for, offers the event to the runs
// waiting for its type, and only then marks it dispatched. Events reach it
// three ways: Enqueue (the fast path, right after the commit), Dispatch
// (manual runs and replays, which wait for the start) and the sweeper
// (Run), which claims due pending events from the inbox with a lease, so
// several processes share the work and an event committed just before a
// crash starts after the restart. It implements Dispatch.
type Dispatcher struct {
	cfg      Config
	log      *slog.Logger
	store    *store.Store
	pins     *interpreter.Pins
	starter  Starter
	signal   Signaller     // nil: events are not offered to waiting runs
	temporal client.Client // nil: no synchronous replies
	queue    chan store.Event
	// batch starts batches (batch.go); nil when the Starter cannot.
	batch *batcher
	// ingest measures how fast events are accepted (Enqueue).
	ingest rateMeter
	// waitedTypes caches the event types store.WaitedFor said yes to.
	waitedTypes sync.Map
	ctx         context.Context // the Service's: cancelled by Close
}

// newDispatcher builds the Dispatcher and starts its dispatch workers on
// wg, until ctx ends.
func newDispatcher(ctx context.Context, cfg Config, st *store.Store, reg *connectors.Registry, pins *interpreter.Pins, starter Starter,
	signal Signaller, tc client.Client, wg *sync.WaitGroup) *Dispatcher {
	d := &Dispatcher{cfg: cfg, log: cfg.Logger, store: st, pins: pins, starter: starter, signal: signal, temporal: tc,
		queue: make(chan store.Event, cfg.DispatchQueue), ctx: ctx}
	if bs, ok := starter.(BatchStarter); ok {
		// Even with BatchSize 1 the batcher restarts the batches of
		// events assigned before (a crash under another setting).
		d.batch = newBatcher(d, bs, reg)
		wg.Go(func() { d.batch.run(ctx) })
	}
	for range cfg.DispatchWorkers {
		wg.Go(d.work)
	}
	return d
}

func (d *Dispatcher) now() time.Time { return d.cfg.Now() }

// Enqueue implements Dispatch. When the queue is full the event is simply
// left in the inbox: the sweeper starts it once its grace period has
// passed.
func (d *Dispatcher) Enqueue(ev store.Event) bool {
	d.ingest.add(d.now())
	select {
	case <-d.ctx.Done():
		return false
	default:
	}
	select {
	case d.queue <- ev:
		return true
	default:
		d.log.Debug("dispatch queue full; the sweeper will start the event", "event", ev.ID)
		return false
	}
}

// work is one dispatch worker: it starts the events Enqueue hands over.
func (d *Dispatcher) work() {
	for {
		select {
		case <-d.ctx.Done():
			return
		case ev := <-d.queue:
			// The event's own attempt count: the fast path has not claimed it.
			if d.offerBatch(d.ctx, ev, ev.DispatchAttempts+1) {
				continue
			}
			d.dispatch(d.ctx, ev, ev.DispatchAttempts+1)
		}
	}
}

// offerBatch hands ev to the batcher when batches are on and ev's version
// is batchable (interpreter.Batchable), and reports whether it did.
func (d *Dispatcher) offerBatch(ctx context.Context, ev store.Event, attempt int) bool {
	return d.batch != nil && d.cfg.BatchSize > 1 && d.batch.offer(ctx, ev, attempt)
}

// Dispatch implements Dispatch.
func (d *Dispatcher) Dispatch(ctx context.Context, ev store.Event) {
	d.dispatch(ctx, ev, ev.DispatchAttempts+1)
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
// version the event was received for, and returns that version.
func (d *Dispatcher) runInput(ctx context.Context, ev store.Event) (interpreter.RunInput, *interpreter.Pinned, error) {
	p, err := d.pins.Load(ctx, d.store, ev.WorkflowID, ev.WorkflowVersion)
	if err != nil {
		return interpreter.RunInput{}, nil, fmt.Errorf("loading version %d of workflow %s: %w", ev.WorkflowVersion, ev.WorkflowID, err)
	}
	in := interpreter.RunInput{
		RunID:      RunWorkflowIDFor(ev),
		WorkflowID: ev.WorkflowID,
		Version:    ev.WorkflowVersion,
		Definition: p.Definition,
		Hash:       p.Hash,
	}
	if in.Event, err = d.eventInfo(ctx, ev); err != nil {
		return interpreter.RunInput{}, nil, err
	}
	return in, p, nil
}

// eventInfo is the event as a run's input carries it, its body inline or,
// when large, by reference (EventInfo.SetBody).
func (d *Dispatcher) eventInfo(ctx context.Context, ev store.Event) (interpreter.EventInfo, error) {
	info := interpreter.EventInfo{ID: ev.ID, ProviderID: ev.ProviderEventID, Type: ev.EventType, ReceivedAt: ev.ReceivedAt,
		Headers: ev.Headers, Replay: ev.ReplayOf != ""}
	err := info.SetBody(ctx, d.store, ev.Body, d.cfg.InlineBodyBytes)
	return info, err
}

// orderKey is the value at the pinned trigger's order_key path in the
// event body ("" when the trigger sets none).
func orderKey(p *interpreter.Pinned, ev store.Event) string {
	if p.OrderKey == "" || len(ev.Body) == 0 {
		return ""
	}
	return gjson.GetBytes(ev.Body, p.OrderKey).String()
}

// dispatch starts the run of one pending event and records the outcome.
// attempt counts this attempt (1 for the first).
func (d *Dispatcher) dispatch(ctx context.Context, ev store.Event, attempt int) {
	d.dispatchEvent(ctx, ev, attempt, false)
}

// dispatchEvent is dispatch; released marks an event ReleaseHeld handed
// back (see gate). It reports false when the event is left to be retried
// later (its start or the gate failed for a reason that may pass), true
// when its outcome is recorded: started, failed for good, or held,
// queued or stale by the gate.
func (d *Dispatcher) dispatchEvent(ctx context.Context, ev store.Event, attempt int, released bool) bool {
	in, p, err := d.runInput(ctx, ev)
	var g gateResult
	if err == nil {
		key := orderKey(p, ev)
		var gerr error
		if g, gerr = d.gate(ctx, ev, p, in.RunID, key, released); gerr != nil {
			// A store failure: transient, whatever its error says.
			d.retryLaterWhy(ctx, ev, attempt, "attempt %d: checking the sequence and the run slot failed: %v", gerr)
			return false
		}
		if !g.proceed {
			return true
		}
		// An ordered run may wait behind others in its mailbox, so only an
		// unordered one is listed as running by the dispatcher (see below).
		in.Listed = key == ""
		startCtx, cancel := context.WithTimeout(ctx, d.cfg.StartTimeout)
		err = d.starter.StartRun(startCtx, in, key)
		cancel()
	}
	if err != nil {
		if label, permanent := classifyStartError(err); permanent {
			d.failEvent(ctx, ev, label, err)
			return true
		}
		d.retryLater(ctx, ev, attempt, err)
		return false
	}
	metrics.DispatchLag.Observe(d.now().Sub(ev.ReceivedAt).Seconds())
	// The event is dispatched only once waiting runs have been offered it
	// too; a retry starts nothing new (the start is a no-op) and re-sends
	// the signals, which runs that already have the event drop.
	if err := d.signalWaiting(ctx, ev); err != nil {
		if label, permanent := classifyStartError(err); permanent {
			// Temporal refuses this signal every time: retrying would hold
			// the event pending forever although its own run started.
			d.log.Error("offering the event to waiting runs failed for good; its run started", "event", ev.ID,
				"reason", label, "error", err)
		} else {
			d.retryLaterWhy(ctx, ev, attempt, "signal attempt %d failed (the run started): %v", err)
			return false
		}
	}
	mark := func(ctx context.Context) error { return d.store.MarkDispatched(ctx, ev.ID, in.RunID) }
	if in.Listed {
		// The run skips its own first save (RunInput.Listed): list it
		// here, in the transaction that marks its event.
		run := store.Run{ID: in.RunID, WorkflowID: ev.WorkflowID, WorkflowVersion: ev.WorkflowVersion, EventID: ev.ID,
			Status: store.RunRunning, StartedAt: d.now()}
		mark = func(ctx context.Context) error { return d.store.MarkDispatchedListed(ctx, ev.ID, run) }
	}
	if err := mark(context.WithoutCancel(ctx)); err != nil {
		// The run exists; the sweeper will find the event still pending
		// and its start will be a no-op that marks it again.
		d.log.Warn("marking event dispatched", "event", ev.ID, "error", err)
	}
	if g.note != "" {
		if err := d.store.SetEventReason(context.WithoutCancel(ctx), ev.ID, g.note); err != nil {
			d.log.Warn("noting why the sequence was not applied", "event", ev.ID, "error", err)
		}
	}
	return true
}

// AwaitReply implements Dispatch: it starts the run with
// interpreter.StartAndAwaitResponse and waits for the reply (a respond
// step, or the run's end). The event was committed before, so a timeout
// or a Temporal failure still ends in a run: the dispatcher takes over.
func (d *Dispatcher) AwaitReply(ctx context.Context, ev store.Event) (interpreter.Response, bool) {
	in, p, err := d.runInput(ctx, ev)
	if err != nil || d.temporal == nil {
		d.Enqueue(ev)
		return interpreter.Response{}, false
	}
	// Held, queued and stale events give no synchronous reply: the
	// caller answers 202 and the event log says what became of it.
	g, err := d.gate(ctx, ev, p, in.RunID, orderKey(p, ev), false)
	if err != nil {
		d.log.Warn("checking the event's sequence and run slot failed; the dispatcher will retry", "event", ev.ID, "error", err)
		d.Enqueue(ev)
		return interpreter.Response{}, false
	}
	if !g.proceed {
		return interpreter.Response{}, false
	}
	timeout := d.cfg.RespondTimeout
	if p.RespondTimeout > 0 {
		timeout = p.RespondTimeout
	}
	resp, started, err := interpreter.StartAndAwaitResponse(ctx, d.temporal, d.cfg.TaskQueue, in, timeout)
	if err != nil && !started {
		d.log.Warn("starting run for a synchronous reply failed; the dispatcher will retry", "event", ev.ID, "error", err)
		d.Enqueue(ev)
		return interpreter.Response{}, false
	}
	if serr := d.signalWaiting(ctx, ev); serr != nil {
		// The run exists; the dispatcher's start is a no-op and it
		// offers the event to waiting runs again.
		d.log.Warn("offering the event to waiting runs failed; the dispatcher will retry", "event", ev.ID, "error", serr)
		d.Enqueue(ev)
	} else if merr := d.store.MarkDispatched(context.WithoutCancel(ctx), ev.ID, in.RunID); merr != nil {
		d.log.Warn("marking event dispatched", "event", ev.ID, "error", merr)
	} else if g.note != "" {
		if nerr := d.store.SetEventReason(context.WithoutCancel(ctx), ev.ID, g.note); nerr != nil {
			d.log.Warn("noting why the sequence was not applied", "event", ev.ID, "error", nerr)
		}
	}
	if err != nil {
		// Timed out (or the run ended without a reply): the run goes on.
		return interpreter.Response{}, false
	}
	return resp, true
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
func (d *Dispatcher) failEvent(ctx context.Context, ev store.Event, label string, cause error) {
	reason := truncate("the run cannot start (not retried): "+cause.Error(), 1000)
	d.log.Error("event failed: its run cannot start", "event", ev.ID, "reason", label, "error", cause)
	metrics.EventsFailed.WithLabelValues(label).Inc()
	if err := d.store.SetEventStatus(context.WithoutCancel(ctx), ev.ID, store.EventFailed, reason); err != nil {
		d.log.Error("failing undispatchable event", "event", ev.ID, "error", err)
	}
}

func (d *Dispatcher) retryLater(ctx context.Context, ev store.Event, attempt int, cause error) {
	d.retryLaterWhy(ctx, ev, attempt, "start attempt %d failed: %v", cause)
}

// retryLaterWhy schedules the next dispatch attempt of ev with its backoff
// and records why: format takes the attempt and the cause.
func (d *Dispatcher) retryLaterWhy(ctx context.Context, ev store.Event, attempt int, format string, cause error) {
	if ctx.Err() != nil {
		return // shutting down: the lease or grace period hands it to the next process
	}
	wait := d.backoff(attempt)
	reason := fmt.Sprintf(format, attempt, cause)
	d.log.Warn("dispatching event failed; will retry", "event", ev.ID, "attempt", attempt, "retry_in", wait, "error", reason)
	if err := d.store.MarkDispatchFailed(context.WithoutCancel(ctx), ev.ID, d.now().Add(wait), truncate(reason, 1000)); err != nil &&
		!errors.Is(err, store.ErrConflict) {
		d.log.Error("recording failed start", "event", ev.ID, "error", err)
	}
}

// signalWaiting offers an accepted event to the runs waiting for its type
// (see waitSignals), each signal bounded by Config.StartTimeout.
func (d *Dispatcher) signalWaiting(ctx context.Context, ev store.Event) error {
	if d.signal == nil || ev.EventType == "" {
		return nil
	}
	waited, err := d.waitedFor(ctx, ev.EventType)
	if err != nil {
		return err
	}
	if !waited {
		// No wait_for_event step has ever waited for this type, so no
		// router exists: skip the call to Temporal, which cost about 4%
		// of `hookflow dev`'s CPU per event under load.
		return nil
	}
	p, err := d.pins.Load(ctx, d.store, ev.WorkflowID, ev.WorkflowVersion)
	if err != nil {
		return fmt.Errorf("loading version %d of workflow %s: %w", ev.WorkflowVersion, ev.WorkflowID, err)
	}
	// A large body is offered by reference, as the run's own trigger is:
	// a signal is a Temporal payload with the same size limit.
	var body interpreter.EventInfo
	body.ID = ev.ID
	if err := body.SetBody(ctx, d.store, ev.Body, d.cfg.InlineBodyBytes); err != nil {
		return err
	}
	for _, sig := range waitSignals(ev, p.CorrelationKey, body.Payload()) {
		sctx, cancel := context.WithTimeout(ctx, d.cfg.StartTimeout)
		err := d.signal.SignalWaiting(sctx, sig)
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
func (d *Dispatcher) waitedFor(ctx context.Context, typ string) (bool, error) {
	if _, ok := d.waitedTypes.Load(typ); ok {
		return true, nil
	}
	ok, err := d.store.WaitedFor(ctx, typ)
	if err != nil || !ok {
		return false, err
	}
	d.waitedTypes.Store(typ, struct{}{})
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
func (d *Dispatcher) backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	b := d.cfg.BackoffBase
	for i := 1; i < attempt && b < d.cfg.BackoffMax; i++ {
		b *= 2
	}
	b = min(b, d.cfg.BackoffMax)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(b) * jitter)
}

// Run is the sweeper: until ctx ends, it re-dispatches due pending
// events, ones whose fast-path start failed (after their backoff), ones
// the full queue left behind, and ones committed just before a crash.
// store.ClaimPendingEvents leases each event, so several processes can
// sweep the same inbox. Service.Start runs it.
func (d *Dispatcher) Run(ctx context.Context) {
	t := time.NewTicker(d.cfg.SweepInterval)
	defer t.Stop()
	for {
		for d.Sweep(ctx) == d.cfg.SweepBatch && ctx.Err() == nil {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep claims one batch of due pending events, dispatches them, and
// returns how many it claimed. The sweeper calls it; tests and operators
// may too.
func (d *Dispatcher) Sweep(ctx context.Context) int {
	// Slots first, so queued events woken here are claimed below; then
	// the held events whose reorder window has passed, in key order.
	d.maintainSlots(ctx)
	d.releaseHeld(ctx)
	evs, err := d.store.ClaimPendingEvents(ctx, d.cfg.SweepBatch, d.now(), d.cfg.SweepLease)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("sweeping pending events", "error", err)
		}
		return 0
	}
	// An event already in a batch is started with its batch (restartBatch
	// reads the batch's events back); a batchable one joins a new batch;
	// every other one starts on its own.
	var single []store.Event
	batches := map[string][]store.Event{}
	var batchOrder []string
	for _, ev := range evs {
		switch {
		case ev.BatchID != "" && d.batch != nil:
			if batches[ev.BatchID] == nil {
				batchOrder = append(batchOrder, ev.BatchID)
			}
			batches[ev.BatchID] = append(batches[ev.BatchID], ev)
		case ev.BatchID != "":
			// Started alone it could run twice (its batch may have
			// started): only a process that starts batches may start it.
			d.retryLaterWhy(ctx, ev, ev.DispatchAttempts, "attempt %d: %v", fmt.Errorf(
				"the event belongs to batch %s, and this process's starter cannot start batches", ev.BatchID))
		case d.offerBatch(ctx, ev, ev.DispatchAttempts): // the claim counted this attempt
		default:
			single = append(single, ev)
		}
	}
	sem := make(chan struct{}, d.cfg.DispatchWorkers)
	var wg sync.WaitGroup
	for _, id := range batchOrder {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d.batch.restartBatch(ctx, id, batches[id])
		})
	}
	for _, ev := range single {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			// The claim counted this attempt.
			d.dispatch(ctx, ev, ev.DispatchAttempts)
		})
	}
	wg.Wait()
	return len(evs)
}
