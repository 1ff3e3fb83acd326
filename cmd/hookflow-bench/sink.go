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
// acknowledged event id that never arrives) from duplicate side effects (a
// key that arrives twice).
type Sink struct {
	mu         sync.Mutex
	seen       map[string]int
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
	s := &Sink{seen: map[string]int{}, firstAt: map[string]time.Time{}, ln: ln}
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
	s.seen[key]++
	if s.seen[key] == 1 {
		s.firstAt[key] = time.Now()
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true}`))
}

// Count reports how many distinct keys arrived and how many arrived more
// than once.
func (s *Sink) Count() (distinct, duplicates int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.seen {
		if n > 1 {
			duplicates += n - 1
		}
	}
	return len(s.seen), duplicates
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
