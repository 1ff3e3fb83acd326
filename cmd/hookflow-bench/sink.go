package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Sink is the downstream service the reference workflow posts to. It counts
// deliveries per idempotency key, so the harness can tell lost events (an
// acknowledged event id that never arrives) from duplicate side effects.
//
// It behaves as a receiver that honours Idempotency-Key, as Stripe's API
// does, and tells two kinds of repeat apart by the hookflow event id the
// reference workflow sends in HeaderEvent:
//
//   - a duplicate: the key arrives from a second hookflow event (the
//     provider's event was taken in twice) or without an event id. That
//     is a second side effect and fails the run.
//   - a resend: the same event's step sends the same key again. A worker
//     killed after the request left but before its result was recorded
//     leaves Temporal no way to know the call happened, so the step runs
//     again with the same key; no engine can close that window without a
//     receiver that dedupes on the key. Resends are counted and reported,
//     not failed.
type Sink struct {
	mu         sync.Mutex
	seen       map[string]map[string]int // idempotency key -> event id -> deliveries
	firstAt    map[string]time.Time
	deliveries atomic.Int64
	down       atomic.Bool
	delay      atomic.Int64 // nanoseconds each request waits before answering

	ln  net.Listener
	srv *http.Server
}

// StartSink listens on a free loopback port.
func StartSink() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Sink{seen: map[string]map[string]int{}, firstAt: map[string]time.Time{}, ln: ln}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// URL is where the workflow's HTTP step posts.
func (s *Sink) URL() string { return "http://" + s.ln.Addr().String() + "/sink" }

// SetDown makes the sink answer 503 (a downstream outage) while down is true.
func (s *Sink) SetDown(down bool) { s.down.Store(down) }

// SetDelay makes every request wait d before it is answered (a slow sink).
func (s *Sink) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if d := time.Duration(s.delay.Load()); d > 0 {
		time.Sleep(d)
	}
	if s.down.Load() {
		http.Error(w, "sink is down", http.StatusServiceUnavailable)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		var v struct {
			EventID string `json:"event_id"`
		}
		_ = json.Unmarshal(body, &v)
		key = v.EventID
	}
	s.deliveries.Add(1)
	s.mu.Lock()
	if s.seen[key] == nil {
		s.seen[key] = map[string]int{}
		s.firstAt[key] = time.Now()
	}
	s.seen[key][r.Header.Get(HeaderEvent)]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true}`))
}

// HeaderEvent carries the hookflow event id ({{ event.id }}) of the run
// that sent a delivery.
const HeaderEvent = "X-Hookflow-Event"

// Count reports how many distinct keys arrived and how many duplicate side
// effects arrived (see Sink): every delivery of a key beyond the first,
// except the resends of one event, which Resent counts.
func (s *Sink) Count() (distinct, duplicates int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, byEvent := range s.seen {
		duplicates += len(byEvent) - 1
		if n := byEvent[""]; n > 1 {
			duplicates += n - 1 // no event id: every repeat is a second effect
		}
	}
	return len(s.seen), duplicates
}

// Resent reports how many deliveries repeated a key an event had already
// sent, from the same event (see Sink).
func (s *Sink) Resent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, byEvent := range s.seen {
		for ev, c := range byEvent {
			if ev != "" && c > 1 {
				n += c - 1
			}
		}
	}
	return n
}

// Arrived returns the first-arrival time of key.
func (s *Sink) Arrived(key string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.firstAt[key]
	return t, ok
}

// Close stops the sink. It is safe to call twice.
func (s *Sink) Close() error { return s.srv.Close() }
