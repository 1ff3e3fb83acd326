package triggers

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// Errors callers of the triggers types can check with errors.Is.
var (
	// ErrUnavailable means the event store could not take a write (or is
	// overloaded); nothing was acknowledged and the caller should retry.
	ErrUnavailable = errors.New("event store unavailable")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("triggers service closed")
	// ErrListenTimeout means Listen saw no delivery within its timeout.
	ErrListenTimeout = errors.New("no delivery arrived before the timeout")
	// ErrTooManyListeners means Config.MaxListeners Listen calls already
	// wait on the endpoint.
	ErrTooManyListeners = errors.New("too many listeners on this endpoint")
	// ErrNotReplayable means the event cannot be replayed, such as a
	// delivery that failed verification.
	ErrNotReplayable = errors.New("event cannot be replayed")
	// ErrInvalidInput means the caller's input (a manual run body, a
	// version) is wrong; the message names the problem.
	ErrInvalidInput = errors.New("invalid input")
)

// Committer durably stores events: the inbox, which group-commits the
// events of concurrent callers in one transaction.
//
// Callers are the ingestion stages (every delivery that reaches a known
// endpoint is logged, accepted or not) and the Replayer (manual runs and
// replays). Commit returns one result per event, in order, once all of
// them are durable; a result marked Duplicate names the event already in
// the inbox under the same endpoint and dedupe key. An error wraps
// ErrUnavailable when the write failed, too many callers were waiting or
// the inbox is closed: nothing of the batch may be acknowledged. ctx only
// bounds the wait: events already handed to the committer are stored even
// when ctx ends first (the error then wraps ctx's).
type Committer interface {
	Commit(ctx context.Context, events []*store.Event) ([]store.InsertResult, error)
}

// Dispatch starts the runs of committed events. The Dispatcher implements
// it; ingestion and the Replayer call it after their commit.
type Dispatch interface {
	// Enqueue hands a committed pending event over for its run to start
	// soon. It never blocks, so a slow or unreachable Temporal cannot
	// slow acceptance down: false means the event was not taken (the
	// queue is full, or closing) and the sweeper starts it once
	// Config.SweepGrace has passed.
	Enqueue(ev store.Event) bool
	// Dispatch starts the run of a committed pending event now, in the
	// caller's goroutine, and records the outcome on the event:
	// dispatched, pending with the time of the next attempt, or failed
	// for good. It reports nothing, since a failure is the sweeper's to
	// retry; callers read the event back.
	Dispatch(ctx context.Context, ev store.Event)
	// AwaitReply starts the run of a committed, accepted event and waits
	// for its synchronous reply (a trigger with respond: on_complete), at
	// most the trigger's respond_timeout. ok is false when there is no
	// reply to give (timed out, the run ended without one, Temporal
	// unreachable); the run then goes on, or the event is left to the
	// dispatcher, and is never lost.
	AwaitReply(ctx context.Context, ev store.Event) (resp interpreter.Response, ok bool)
}

// Observer is told of each delivery the pipeline committed to a known
// endpoint with a verified body, for "listen for a test event". It is
// called on the request path, once per delivery with its first row, and
// must not block. The Listener implements it.
type Observer interface {
	Observe(endpointID string, ev store.Event)
}

// Starter starts the run of one committed event. It must be idempotent per
// in.RunID: starting a run id that already exists, running or finished, is
// success and starts nothing. orderKey, when not empty, queues the run
// behind earlier runs with the same key. The production Starter is
// TemporalStarter; the dispatcher treats any error as "try again later"
// unless Temporal refused the request itself.
type Starter interface {
	StartRun(ctx context.Context, in interpreter.RunInput, orderKey string) error
}

// Signaller offers a committed event to the runs waiting for it: the
// wait_for_event steps whose event is sig.Type and whose correlation key is
// sig.Key. Calling it twice for one event is safe, because a run drops an
// EventID it has already received; that is what lets the dispatcher
// re-send a signal whose delivery it is unsure of. No run waiting is
// success. The production Signaller is TemporalStarter; the dispatcher
// treats any error as "try again later".
type Signaller interface {
	SignalWaiting(ctx context.Context, sig interpreter.EventSignal) error
}

// TemporalStarter starts runs and signals waiting runs with the
// interpreter's helpers.
type TemporalStarter struct {
	Client    client.Client
	TaskQueue string
}

var (
	_ Starter   = TemporalStarter{}
	_ Signaller = TemporalStarter{}

	_ Committer = (*inbox)(nil)
	_ Dispatch  = (*Dispatcher)(nil)
	_ Observer  = (*Listener)(nil)
)

// SignalWaiting implements Signaller.
func (t TemporalStarter) SignalWaiting(ctx context.Context, sig interpreter.EventSignal) error {
	return interpreter.SignalWaiting(ctx, t.Client, t.TaskQueue, sig)
}

// StartRun implements Starter.
func (t TemporalStarter) StartRun(ctx context.Context, in interpreter.RunInput, orderKey string) error {
	if orderKey != "" {
		_, err := interpreter.StartOrdered(ctx, t.Client, t.TaskQueue, orderKey, in)
		return err
	}
	_, err := interpreter.Start(ctx, t.Client, t.TaskQueue, in)
	return err
}

// Service assembles the ingestion side over one store and one inbox:
//
//   - Ingestor serves /hooks/{token} (admit → verify → extract → commit →
//     respond) and commits each delivery to the inbox;
//   - Dispatcher starts the run of each committed event, offers it to
//     waiting runs, and sweeps the inbox for events left behind;
//   - Listener answers "listen for a test event";
//   - Replayer starts runs of logged events and manual runs, through the
//     same inbox;
//   - Scheduler keeps each schedule trigger's Temporal Schedule;
//   - Pruner deletes what is older than the retention.
//
// The parts share one pinned-version cache, so a definition version is
// decoded once per process. Build it with New, mount Ingestor, call Start
// once for the sweeper and the pruner, and Close at shutdown. All methods
// are safe for concurrent use.
type Service struct {
	Ingestor   *Ingestor
	Dispatcher *Dispatcher
	Listener   *Listener
	Replayer   *Replayer
	Scheduler  *Scheduler
	Pruner     *Pruner

	inbox *inbox
	pins  *interpreter.Pins

	ctx       context.Context // cancelled by Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	startOnce sync.Once
	closeOnce sync.Once
}

// New builds a Service and starts its committer and dispatch workers (the
// Ingestor needs them); Start adds the sweeper and the pruner. st and reg
// are required; tc may be nil only when cfg.Starter is set and schedules
// are not used.
func New(cfg Config, st *store.Store, reg *connectors.Registry, tc client.Client) (*Service, error) {
	if st == nil || reg == nil {
		return nil, errors.New("creating triggers service: store and registry are required")
	}
	cfg = cfg.withDefaults()
	if cfg.TaskQueue == "" && cfg.Starter == nil {
		return nil, errors.New("creating triggers service: TaskQueue is required")
	}
	trusted, err := parsePrefixes(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("creating triggers service: trusted proxies: %w", err)
	}
	starter := cfg.Starter
	if starter == nil {
		if tc == nil {
			return nil, errors.New("creating triggers service: a Temporal client or a Starter is required")
		}
		starter = TemporalStarter{Client: tc, TaskQueue: cfg.TaskQueue}
	}
	signal := cfg.Signaller
	if signal == nil {
		signal, _ = starter.(Signaller)
	}
	if cfg.Credentials == nil {
		cfg.Credentials = StoreCredentials(st, cfg.Keyring)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{pins: interpreter.NewPins(cfg.MaxPinnedVersions), ctx: ctx, cancel: cancel}
	s.inbox = newInbox(st, cfg, &s.wg)
	s.Dispatcher = newDispatcher(ctx, cfg, st, reg, s.pins, starter, signal, tc, &s.wg)
	s.Listener = newListener(cfg, st)
	s.Ingestor = newIngestor(cfg, st, reg, s.pins, trusted, s.inbox, s.Dispatcher, s.Listener)
	s.Replayer = &Replayer{cfg: cfg, store: st, inbox: s.inbox, runs: s.Dispatcher}
	s.Scheduler = &Scheduler{client: tc, store: st, pins: s.pins, taskQueue: cfg.TaskQueue}
	s.Pruner = &Pruner{cfg: cfg, store: st}
	return s, nil
}

// Start runs the sweeper and the pruner until ctx is cancelled or Close is
// called. It returns at once; calling it again does nothing.
func (s *Service) Start(ctx context.Context) error {
	s.startOnce.Do(func() {
		loopCtx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-s.ctx.Done():
			case <-loopCtx.Done():
			}
			cancel()
		}()
		s.wg.Go(func() { s.Dispatcher.Run(loopCtx) })
		s.wg.Go(func() { s.Pruner.Run(loopCtx) })
	})
	return nil
}

// Close stops the background loops and the committer and waits for them.
// Requests still waiting for a commit get 503. Safe to call twice.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.inbox.close()
		s.wg.Wait()
	})
	return nil
}

// Invalidate forgets cached endpoint lookups and decoded versions, so a
// change made through the API (a disabled endpoint, a rotated token, a
// new version, an edited credential) applies to the next delivery.
func (s *Service) Invalidate() {
	s.Ingestor.routes.reset()
	s.pins.Reset()
}

// StoreCredentials resolves a credential by name (or id, see package
// engine/credentials) from the store and decrypts it with kr. The
// plaintext is the JSON object of the credential's field values.
func StoreCredentials(st *store.Store, kr *secrets.Keyring) CredentialFunc {
	return func(ctx context.Context, name string) (connectors.Values, error) {
		_, v, err := credentials.Open(ctx, st, kr, name)
		return v, err
	}
}
