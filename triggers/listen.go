package triggers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hookflow/hookflow/engine/store"
)

// Listener answers "listen for a test event": Listen waits for the next
// verified delivery to an endpoint and keeps its body as the endpoint's
// sample. The Ingestor tells it of every delivery it commits (Observe);
// deliveries committed by other server processes are found by polling
// the inbox. It implements Observer.
type Listener struct {
	cfg   Config
	store *store.Store

	mu  sync.Mutex
	max int
	m   map[string][]chan store.Event // the Listen calls waiting, per endpoint
}

func newListener(cfg Config, st *store.Store) *Listener {
	return &Listener{cfg: cfg, store: st, max: cfg.MaxListeners, m: map[string][]chan store.Event{}}
}

func (l *Listener) add(endpointID string) (chan store.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m[endpointID]) >= l.max {
		return nil, ErrTooManyListeners
	}
	ch := make(chan store.Event, 1)
	l.m[endpointID] = append(l.m[endpointID], ch)
	return ch, nil
}

func (l *Listener) remove(endpointID string, ch chan store.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	list := l.m[endpointID]
	for i, c := range list {
		if c == ch {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(l.m, endpointID)
	} else {
		l.m[endpointID] = list
	}
}

// waiting is how many Listen calls wait on the endpoint.
func (l *Listener) waiting(endpointID string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m[endpointID])
}

// Observe implements Observer: it hands a committed delivery to every
// Listen call waiting on the endpoint, without blocking.
func (l *Listener) Observe(endpointID string, ev store.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ch := range l.m[endpointID] {
		select {
		case ch <- ev:
		default:
		}
	}
}

// Listen waits up to timeout for the next verified delivery to an
// endpoint ("wait for a test event"), stores its body as the endpoint's
// sample payload and returns the logged event. It sees deliveries that
// this process receives at once and, by polling the inbox every
// Config.ListenPoll, those received by other server processes. Listening
// starts nothing: a delivery to an inactive workflow is logged as ignored,
// and one to an active workflow runs as it would anyway. It returns
// ErrListenTimeout when nothing arrives in time, ErrTooManyListeners
// when the endpoint already has Config.MaxListeners listeners, and
// store.ErrNotFound for an unknown endpoint.
func (l *Listener) Listen(ctx context.Context, endpointID string, timeout time.Duration) (store.Event, error) {
	if _, err := l.store.GetEndpoint(ctx, endpointID); err != nil {
		return store.Event{}, fmt.Errorf("listening on endpoint: %w", err)
	}
	ch, err := l.add(endpointID)
	if err != nil {
		return store.Event{}, fmt.Errorf("listening on endpoint %s: %w", endpointID, err)
	}
	defer l.remove(endpointID, ch)
	since := l.cfg.Now()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	poll := time.NewTicker(l.cfg.ListenPoll)
	defer poll.Stop()
	for {
		select {
		case ev := <-ch:
			return l.capture(ctx, endpointID, ev)
		case <-poll.C:
			ev, ok, err := l.newestVerified(ctx, endpointID, since)
			if err != nil {
				return store.Event{}, fmt.Errorf("listening on endpoint %s: %w", endpointID, err)
			}
			if ok {
				return l.capture(ctx, endpointID, ev)
			}
		case <-deadline.C:
			return store.Event{}, fmt.Errorf("listening on endpoint %s for %s: %w", endpointID, timeout, ErrListenTimeout)
		case <-ctx.Done():
			return store.Event{}, fmt.Errorf("listening on endpoint %s: %w", endpointID, ctx.Err())
		}
	}
}

// newestVerified finds the first verified delivery to the endpoint since
// a time, in the inbox.
func (l *Listener) newestVerified(ctx context.Context, endpointID string, since time.Time) (store.Event, bool, error) {
	evs, _, err := l.store.ListEvents(ctx, store.EventFilter{EndpointID: endpointID, Since: since.Truncate(time.Millisecond),
		IncludeBody: true, ListOptions: store.ListOptions{Limit: store.MaxListLimit}})
	if err != nil {
		return store.Event{}, false, err
	}
	for i := len(evs) - 1; i >= 0; i-- { // oldest first
		if evs[i].Verification == store.VerificationOK && evs[i].Status != store.EventRejected && len(evs[i].Body) > 0 {
			return evs[i], true, nil
		}
	}
	return store.Event{}, false, nil
}

func (l *Listener) capture(ctx context.Context, endpointID string, ev store.Event) (store.Event, error) {
	if err := l.store.SaveEndpointSample(ctx, endpointID, ev.Body); err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Event{}, fmt.Errorf("saving sample of endpoint %s: %w", endpointID, err)
	}
	return ev, nil
}
