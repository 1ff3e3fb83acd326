package triggers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hookflow/hookflow/engine/store"
)

// listeners are the Listen calls waiting per endpoint.
type listeners struct {
	mu  sync.Mutex
	max int
	m   map[string][]chan store.Event
}

func newListeners(max int) *listeners {
	return &listeners{max: max, m: map[string][]chan store.Event{}}
}

func (l *listeners) add(endpointID string) (chan store.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m[endpointID]) >= l.max {
		return nil, ErrTooManyListeners
	}
	ch := make(chan store.Event, 1)
	l.m[endpointID] = append(l.m[endpointID], ch)
	return ch, nil
}

func (l *listeners) remove(endpointID string, ch chan store.Event) {
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

// notify hands a verified delivery to every listener of the endpoint
// without blocking.
func (l *listeners) notify(endpointID string, ev store.Event) {
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
// ErrListenTimeout when nothing arrives in time, and ErrTooManyListeners
// when the endpoint already has Config.MaxListeners listeners.
func (s *Service) Listen(ctx context.Context, endpointID string, timeout time.Duration) (store.Event, error) {
	if _, err := s.store.GetEndpoint(ctx, endpointID); err != nil {
		return store.Event{}, fmt.Errorf("listening on endpoint: %w", err)
	}
	ch, err := s.listen.add(endpointID)
	if err != nil {
		return store.Event{}, fmt.Errorf("listening on endpoint %s: %w", endpointID, err)
	}
	defer s.listen.remove(endpointID, ch)
	since := s.now()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	poll := time.NewTicker(s.cfg.ListenPoll)
	defer poll.Stop()
	for {
		select {
		case ev := <-ch:
			return s.capture(ctx, endpointID, ev)
		case <-poll.C:
			ev, ok, err := s.newestVerified(ctx, endpointID, since)
			if err != nil {
				return store.Event{}, fmt.Errorf("listening on endpoint %s: %w", endpointID, err)
			}
			if ok {
				return s.capture(ctx, endpointID, ev)
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
func (s *Service) newestVerified(ctx context.Context, endpointID string, since time.Time) (store.Event, bool, error) {
	evs, _, err := s.store.ListEvents(ctx, store.EventFilter{EndpointID: endpointID, Since: since.Truncate(time.Millisecond),
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

func (s *Service) capture(ctx context.Context, endpointID string, ev store.Event) (store.Event, error) {
	if err := s.store.SaveEndpointSample(ctx, endpointID, ev.Body); err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Event{}, fmt.Errorf("saving sample of endpoint %s: %w", endpointID, err)
	}
	return ev, nil
}
