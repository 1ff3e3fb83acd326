package triggers

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hookflow/hookflow/engine/store"
)

// inbox group-commits events: requests queue their events, one committer
// goroutine writes everything waiting in one store.InsertEvents
// transaction and then wakes each request with its results. One
// transaction per batch instead of per request is what lifts ingestion
// above the database's commit rate.
type inbox struct {
	st      *store.Store
	q       chan *commitReq
	batch   int
	wait    time.Duration
	timeout time.Duration

	stop    chan struct{} // closed by close: the committers finish up
	stopped chan struct{} // closed when every committer has exited
	once    sync.Once
	running sync.WaitGroup
}

type commitReq struct {
	events []*store.Event
	done   chan commitResult // buffered: the committer never blocks on it
}

type commitResult struct {
	results []store.InsertResult
	err     error
}

func newInbox(st *store.Store, cfg Config, wg *sync.WaitGroup) *inbox {
	b := &inbox{st: st, q: make(chan *commitReq, cfg.CommitQueue), batch: cfg.CommitBatch, wait: cfg.CommitWait,
		timeout: cfg.CommitTimeout, stop: make(chan struct{}), stopped: make(chan struct{})}
	n := cfg.Committers
	if n <= 0 {
		n = DefaultCommitters
		if st.Dialect() == store.DialectPostgres {
			n = DefaultPostgresCommitters
		}
	}
	for range n {
		b.running.Go(b.run)
	}
	wg.Go(func() {
		b.running.Wait()
		close(b.stopped)
	})
	return b
}

// Commit implements Committer: it durably stores events and returns one
// result per event, or an error wrapping ErrUnavailable when the write
// failed, the queue is full or the inbox is closed. The events are stored
// even if ctx ends while waiting; ctx only bounds how long the caller
// waits for the answer.
func (b *inbox) Commit(ctx context.Context, events []*store.Event) ([]store.InsertResult, error) {
	if len(events) == 0 {
		return nil, nil
	}
	req := &commitReq{events: events, done: make(chan commitResult, 1)}
	select {
	case <-b.stop:
		return nil, fmt.Errorf("committing events: %w: %w", ErrUnavailable, ErrClosed)
	default:
	}
	select {
	case b.q <- req:
	default:
		return nil, fmt.Errorf("committing events: %w: too many requests are waiting for the database", ErrUnavailable)
	}
	select {
	case res := <-req.done:
		return res.results, res.err
	case <-b.stopped:
		// The committer answers every request it took before exiting.
		select {
		case res := <-req.done:
			return res.results, res.err
		default:
			return nil, fmt.Errorf("committing events: %w: %w", ErrUnavailable, ErrClosed)
		}
	case <-ctx.Done():
		return nil, fmt.Errorf("committing events: %w", ctx.Err())
	}
}

func (b *inbox) close() { b.once.Do(func() { close(b.stop) }) }

func (b *inbox) run() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var first *commitReq
		select {
		case first = <-b.q:
		case <-b.stop:
			b.drain()
			return
		}
		reqs := []*commitReq{first}
		n := len(first.events)
		// Take everything already waiting, then wait a moment for more:
		// under load the next requests are microseconds away.
		timer.Reset(b.wait)
	collect:
		for n < b.batch {
			select {
			case r := <-b.q:
				reqs = append(reqs, r)
				n += len(r.events)
			case <-timer.C:
				break collect
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		b.write(reqs, n)
	}
}

// drain fails the requests still queued at close.
func (b *inbox) drain() {
	for {
		select {
		case r := <-b.q:
			r.done <- commitResult{err: fmt.Errorf("committing events: %w: %w", ErrUnavailable, ErrClosed)}
		default:
			return
		}
	}
}

func (b *inbox) write(reqs []*commitReq, n int) {
	all := make([]*store.Event, 0, n)
	for _, r := range reqs {
		all = append(all, r.events...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	results, err := b.st.InsertEvents(ctx, all)
	cancel()
	if err != nil {
		err = fmt.Errorf("committing %d events: %w: %w", n, ErrUnavailable, err)
	}
	off := 0
	for _, r := range reqs {
		if err != nil {
			r.done <- commitResult{err: err}
			continue
		}
		r.done <- commitResult{results: results[off : off+len(r.events)]}
		off += len(r.events)
	}
}
