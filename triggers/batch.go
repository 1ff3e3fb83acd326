package triggers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
)

// BatchStarter starts many runs of one pinned version in one Temporal
// execution (interpreter.BatchWorkflow). A Starter that implements it
// gets batches (TemporalStarter does); one that does not starts every run
// on its own. StartBatch must treat a batch that already exists under
// in.BatchID as started.
type BatchStarter interface {
	StartBatch(ctx context.Context, in interpreter.BatchInput) error
}

// StartBatch implements BatchStarter.
func (t TemporalStarter) StartBatch(ctx context.Context, in interpreter.BatchInput) error {
	return interpreter.StartBatch(ctx, t.Client, t.TaskQueue, in)
}

var _ BatchStarter = TemporalStarter{}

// pendingEvent is an event waiting for a batch, with the dispatch attempt
// this is (see Dispatcher.dispatch).
type pendingEvent struct {
	ev      store.Event
	attempt int
	pinned  *interpreter.Pinned
	info    interpreter.EventInfo
	size    int
}

// batcher groups the events of batchable versions (interpreter.Batchable)
// into batches and starts each with one Temporal start. A lone event in a
// quiet system goes out at once, alone, so it adds no latency. When
// events arrive fast enough that at least two more are due within
// Config.BatchWait, a batch gathers them for up to BatchWait (or until
// BatchSize) after the previous start, which keeps batches large under
// steady load; while starts are busy, arriving events gather anyway.
type batcher struct {
	d       *Dispatcher
	starter BatchStarter
	reg     *connectors.Registry
	in      chan pendingEvent
	slots   chan struct{}

	mu        sync.Mutex
	batchable map[batchableKey]bool
}

type batchableKey struct {
	workflowID string
	version    int
	hash       string
}

// batchMaxBytes bounds a batch's encoded event bodies, well below
// Temporal's 2 MiB payload limit: a batch must never be refused for its
// size, whatever its events' sizes (each alone is at most the inline
// limit; larger bodies travel by reference).
const batchMaxBytes = 1 << 20

func newBatcher(d *Dispatcher, starter BatchStarter, reg *connectors.Registry) *batcher {
	return &batcher{d: d, starter: starter, reg: reg, in: make(chan pendingEvent, d.cfg.BatchSize*4),
		slots: make(chan struct{}, d.cfg.DispatchWorkers), batchable: map[batchableKey]bool{}}
}

// offer hands ev to a batch when its version is batchable and reports
// whether it did; it blocks while the batcher is full. The batcher then
// owns the event's dispatch: started and marked, or left pending with a
// backoff.
func (b *batcher) offer(ctx context.Context, ev store.Event, attempt int) bool {
	if ev.BatchID != "" {
		return false // already in a batch: restartBatch starts that one
	}
	p, err := b.d.pins.Load(ctx, b.d.store, ev.WorkflowID, ev.WorkflowVersion)
	if err != nil || !b.isBatchable(p) {
		return false // dispatch reports the load error
	}
	info, err := b.d.eventInfo(ctx, ev)
	if err != nil {
		return false
	}
	size := interpreter.EncodedSizeBound(info.Body) + 512
	for _, v := range ev.Headers {
		size += len(v) + 64
	}
	select {
	case b.in <- pendingEvent{ev: ev, attempt: attempt, pinned: p, info: info, size: size}:
		return true
	case <-ctx.Done():
		return false
	}
}

// isBatchable caches interpreter.Batchable per pinned version.
func (b *batcher) isBatchable(p *interpreter.Pinned) bool {
	k := batchableKey{p.WorkflowID, p.Version, p.Hash}
	b.mu.Lock()
	ok, seen := b.batchable[k]
	b.mu.Unlock()
	if seen {
		return ok
	}
	ok, _ = interpreter.Batchable(p.Def, b.reg)
	b.mu.Lock()
	if len(b.batchable) > 4096 {
		clear(b.batchable)
	}
	b.batchable[k] = ok
	b.mu.Unlock()
	return ok
}

// run gathers offered events into batches, one per pinned version, and
// starts each in a free slot, until ctx ends. Events still gathering at
// the end stay pending in the inbox; the next sweep starts them.
func (b *batcher) run(ctx context.Context) {
	type group struct {
		events []pendingEvent
		bytes  int
		first  time.Time
	}
	groups := map[batchableKey]*group{}
	var order []batchableKey // groups, oldest first
	var lastStart time.Time
	wait := b.d.cfg.BatchWait
	freed := make(chan struct{}, 1)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	// Starts in flight finish before run returns: the Service's Close
	// waits for run, and a start must not outlive the store.
	var starts sync.WaitGroup
	defer starts.Wait()
	gathered := 0 // events in all groups
	add := func(pe pendingEvent) {
		gathered++
		k := batchableKey{pe.pinned.WorkflowID, pe.pinned.Version, pe.pinned.Hash}
		g := groups[k]
		if g == nil {
			g = &group{first: time.Now()}
			groups[k] = g
			order = append(order, k)
		}
		g.events = append(g.events, pe)
		g.bytes += pe.size
	}
	// due says when the oldest group goes out: when it is full, has
	// waited BatchWait, or the system was quiet (no start within
	// BatchWait, or too few events arriving to fill a batch), so a lone
	// event goes out at once. While acceptance is
	// hot (Dispatcher.ingest), a start also waits for the gap that keeps
	// completions at HotStartRate: acknowledging webhooks comes first,
	// and the inbox holds the rest durably until the burst is over.
	dueAt := func(now time.Time) time.Time {
		g := groups[order[0]]
		full := len(g.events) >= b.d.cfg.BatchSize || g.bytes >= batchMaxBytes
		rate := b.d.ingest.rate(now)
		at := g.first.Add(wait)
		// Waiting pays only when more events are due within it: at 20
		// events/s a 50 ms wait gathered nothing and added 50 ms.
		if full || now.Sub(lastStart) >= wait || (rate > 0 && rate*wait.Seconds() < 2) {
			at = now
		}
		if rate >= float64(b.d.cfg.HotIngestRate) {
			gap := time.Duration(float64(len(g.events)) / float64(b.d.cfg.HotStartRate) * float64(time.Second))
			if full {
				at = now
			}
			at = later(at, lastStart.Add(gap))
		}
		return at
	}
	due := func(now time.Time) bool {
		return len(order) > 0 && !dueAt(now).After(now)
	}
	// take removes the oldest group's first batch (by count and bytes);
	// the rest of the group stays first in line.
	take := func() []pendingEvent {
		k := order[0]
		g := groups[k]
		n, bytes := 0, 0
		for n < len(g.events) && n < b.d.cfg.BatchSize {
			if n > 0 && bytes+g.events[n].size > batchMaxBytes {
				break
			}
			bytes += g.events[n].size
			n++
		}
		batch := g.events[:n:n]
		if n == len(g.events) {
			delete(groups, k)
			order = order[1:]
		} else {
			g.events, g.bytes = g.events[n:], g.bytes-bytes
		}
		gathered -= n
		return batch
	}
	for {
	starting:
		for due(time.Now()) {
			select {
			case b.slots <- struct{}{}:
				batch := take()
				lastStart = time.Now()
				starts.Go(func() {
					defer func() {
						<-b.slots
						select {
						case freed <- struct{}{}:
						default:
						}
					}()
					b.start(ctx, batch)
				})
			default:
				break starting // every slot busy: wait for one
			}
		}
		var deadline <-chan time.Time
		if now := time.Now(); len(order) > 0 && !due(now) {
			timer.Reset(dueAt(now).Sub(now))
			deadline = timer.C
		}
		// Enough gathered for every slot and the next start: stop taking
		// events until a slot frees, so offer blocks and the dispatch
		// queue and the inbox hold the rest (backpressure).
		in := b.in
		if gathered >= b.d.cfg.BatchSize*(cap(b.slots)+1) {
			in = nil
		}
		select {
		case <-ctx.Done():
			return
		case pe := <-in:
			add(pe)
		case <-freed:
		case <-deadline:
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// rateMeter measures a rate over the last full window of rateWindow.
type rateMeter struct {
	mu     sync.Mutex
	window int64 // the current window's number (unix time / rateWindow)
	count  int   // events in the current window
	last   int   // events in the previous window
}

const rateWindow = 250 * time.Millisecond

func (m *rateMeter) add(now time.Time) {
	w := now.UnixNano() / int64(rateWindow)
	m.mu.Lock()
	m.roll(w)
	m.count++
	m.mu.Unlock()
}

func (m *rateMeter) roll(w int64) {
	switch {
	case w == m.window:
	case w == m.window+1:
		m.window, m.last, m.count = w, m.count, 0
	default:
		m.window, m.last, m.count = w, 0, 0
	}
}

// rate is the events per second of the last full window.
func (m *rateMeter) rate(now time.Time) float64 {
	w := now.UnixNano() / int64(rateWindow)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.roll(w)
	return float64(m.last) / rateWindow.Seconds()
}

// newBatchID is a fresh batch id. It must never repeat: the store fixes a
// batch's events under it, and Temporal refuses a second start of it.
func newBatchID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "bat_" + hex.EncodeToString(b[:])
}

// start assigns the events to a new batch in the store and starts it. A
// batch of one, a lone event in a quiet system, starts on its own
// instead: the same run, without the batch's extra store write and
// execution, so a quiet system answers as fast as before batches.
func (b *batcher) start(ctx context.Context, events []pendingEvent) {
	d := b.d
	if len(events) == 1 {
		d.dispatchEvent(ctx, events[0].ev, events[0].attempt, false)
		return
	}
	id := newBatchID()
	ids := make([]string, len(events))
	for i, pe := range events {
		ids[i] = pe.ev.ID
	}
	assigned, err := d.store.AssignBatch(ctx, id, ids)
	if err != nil {
		for _, pe := range events {
			d.retryLaterWhy(ctx, pe.ev, pe.attempt, "attempt %d: assigning the event to a batch failed: %v", err)
		}
		return
	}
	in := map[string]bool{}
	for _, a := range assigned {
		in[a] = true
	}
	kept := events[:0:0]
	for _, pe := range events {
		if in[pe.ev.ID] {
			pe.ev.BatchID = id
			kept = append(kept, pe)
		}
		// An event left out is no longer pending (another process
		// started it) or is in another batch, which starts it.
	}
	if len(kept) == 0 {
		return
	}
	b.launch(ctx, id, kept, true)
}

// launch starts batch id with events (all of the batch's events, oldest
// first), offers them to waiting runs and marks them dispatched. first
// says this is the batch's first start: only then can a refusal prove
// that nothing of it runs.
func (b *batcher) launch(ctx context.Context, id string, events []pendingEvent, first bool) {
	d := b.d
	p := events[0].pinned
	bin := interpreter.BatchInput{BatchID: id, WorkflowID: p.WorkflowID, Version: p.Version, Definition: p.Definition,
		Hash: p.Hash, Runs: make([]interpreter.BatchRun, len(events)), Lanes: interpreter.DefaultBatchLanes}
	for i, pe := range events {
		bin.Runs[i] = interpreter.BatchRun{RunID: RunWorkflowIDFor(pe.ev), Event: pe.info}
	}
	startCtx, cancel := context.WithTimeout(ctx, d.cfg.StartTimeout)
	err := b.starter.StartBatch(startCtx, bin)
	cancel()
	if err != nil {
		if label, permanent := classifyStartError(err); permanent && first {
			// The first start, refused for good: nothing of it started, so
			// its events may start one by one, each failing or running on
			// its own merits. A later start's refusal proves nothing (an
			// earlier one may have started it), so that batch is kept and
			// retried, with the reason in the events log.
			d.log.Warn("a batch start was refused; starting its events one by one", "batch", id, "reason", label, "error", err)
			if cerr := d.store.ClearBatch(context.WithoutCancel(ctx), id); cerr != nil {
				for _, pe := range events {
					d.retryLaterWhy(ctx, pe.ev, pe.attempt, "attempt %d: taking the event out of a refused batch failed: %v", cerr)
				}
				return
			}
			for _, pe := range events {
				pe.ev.BatchID = ""
				d.dispatchEvent(ctx, pe.ev, pe.attempt, false)
			}
			return
		}
		for _, pe := range events {
			d.retryLaterWhy(ctx, pe.ev, pe.attempt, "batch start attempt %d failed: %v", err)
		}
		return
	}
	metrics.BatchesStarted.Inc()
	metrics.BatchRuns.Observe(float64(len(events)))
	runs := make([]store.Run, 0, len(events))
	now := d.now()
	// Whether anything waits for each event type: asked once per type
	// for the whole batch, after its start, as signalWaiting asks once
	// per event after its run's start.
	waited := map[string]bool{}
	var werr error
	for _, pe := range events {
		if _, ok := waited[pe.ev.EventType]; ok || pe.ev.EventType == "" || d.signal == nil {
			continue
		}
		w, err := d.waitedFor(ctx, pe.ev.EventType)
		if err != nil {
			werr = err
		}
		waited[pe.ev.EventType] = w
	}
	for i, pe := range events {
		metrics.DispatchLag.Observe(now.Sub(pe.ev.ReceivedAt).Seconds())
		var err error
		switch {
		case werr != nil:
			err = werr
		case waited[pe.ev.EventType]:
			err = d.signalWaiting(ctx, pe.ev)
		}
		if err != nil {
			if label, permanent := classifyStartError(err); permanent {
				d.log.Error("offering the event to waiting runs failed for good; its run started", "event", pe.ev.ID,
					"reason", label, "error", err)
			} else {
				// The batch started; the sweeper restarts it (a no-op)
				// and offers the event again.
				d.retryLaterWhy(ctx, pe.ev, pe.attempt, "signal attempt %d failed (the run started): %v", err)
				continue
			}
		}
		runs = append(runs, store.Run{ID: bin.Runs[i].RunID, WorkflowID: pe.ev.WorkflowID, WorkflowVersion: pe.ev.WorkflowVersion,
			EventID: pe.ev.ID, Status: store.RunRunning, StartedAt: now, ExecutionID: interpreter.BatchWorkflowID(id)})
	}
	if err := d.store.MarkBatchDispatched(context.WithoutCancel(ctx), runs); err != nil {
		// The batch runs; the sweeper finds its events pending, restarts
		// it (a no-op) and marks them.
		d.log.Warn("marking a batch dispatched", "batch", id, "events", len(runs), "error", err)
	}
}

// restartBatch starts the batch an event was assigned to before: after a
// crash, a failed start or a failed mark. Its events are read back from
// the store, so the start carries exactly the batch's events, and a batch
// that did start is left as it is (Temporal refuses the second start).
func (b *batcher) restartBatch(ctx context.Context, id string, claimed []store.Event) {
	d := b.d
	evs, err := d.store.BatchEvents(ctx, id)
	if err == nil && len(evs) == 0 {
		err = fmt.Errorf("batch %s has no events", id)
	}
	// The claimed events wait for the next sweep when any part fails.
	retry := func(format string, err error) {
		for _, ev := range claimed {
			d.retryLaterWhy(ctx, ev, ev.DispatchAttempts, format, err)
		}
	}
	if err != nil {
		retry("attempt %d: reading the event's batch failed: %v", err)
		return
	}
	attempts := map[string]int{}
	for _, ev := range claimed {
		attempts[ev.ID] = ev.DispatchAttempts
	}
	var events []pendingEvent
	for _, ev := range evs {
		p, err := d.pins.Load(ctx, d.store, ev.WorkflowID, ev.WorkflowVersion)
		if err != nil {
			retry("attempt %d: loading the batch's workflow version failed: %v", err)
			return
		}
		info, err := d.eventInfo(ctx, ev)
		if err != nil {
			retry("attempt %d: %v", err)
			return
		}
		a, ok := attempts[ev.ID]
		if !ok {
			a = ev.DispatchAttempts
		}
		events = append(events, pendingEvent{ev: ev, attempt: a, pinned: p, info: info})
	}
	b.launch(ctx, id, events, false)
}
