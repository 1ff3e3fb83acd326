package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// LoadConfig shapes one load run.
type LoadConfig struct {
	URL string // the webhook URL
	// URLs, when set, are the same webhook on several servers; events go
	// to them round-robin (the production topology's load balancer).
	URLs        []string
	Secret      string        // the Stripe webhook signing secret
	Conns       int           // concurrent connections (closed loop) or the in-flight cap (open loop)
	Rate        int           // events per second for the open loop; 0 means closed loop
	Duration    time.Duration // how long to send
	MaxEvents   int           // stop after this many events; 0 means no cap
	Copies      int           // how many times each event is sent, concurrently (duplicate-storm)
	RunID       string        // prefix that makes event ids unique across runs
	Timeout     time.Duration // per-request client timeout
	OnAccepted  func(id string, at time.Time)
	stopSending atomic.Bool
}

// LoadResult is what the generator saw.
type LoadResult struct {
	Sent      int64
	Accepted  int64 // 2xx answers ("accepted" or "duplicate")
	Rejected  int64 // non-2xx answers
	Errors    int64 // transport errors (connection refused while the server is down, timeouts)
	Omitted   int64 // open loop only: ticks skipped because every connection was busy
	Latencies *Latencies
	Elapsed   time.Duration
	// Acked holds every event id that got a 2xx, with the time it was
	// (meant to be) sent: the harness's promise list.
	Acked map[string]time.Time
	// Statuses counts answers by HTTP status (0 = transport error).
	Statuses map[int]int64
}

// Generator sends signed Stripe-like payment_intent.succeeded events.
type Generator struct {
	cfg    *LoadConfig
	client *http.Client
	seq    atomic.Int64

	mu       sync.Mutex
	acked    map[string]time.Time
	statuses map[int]int64
}

// NewGenerator prepares a generator with its own connection pool, so the
// harness measures hookflow and not connection set-up.
func NewGenerator(cfg *LoadConfig) *Generator {
	if cfg.Copies < 1 {
		cfg.Copies = 1
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Conns * cfg.Copies,
		MaxIdleConnsPerHost: cfg.Conns * cfg.Copies,
		MaxConnsPerHost:     cfg.Conns * cfg.Copies,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Generator{
		cfg:      cfg,
		client:   &http.Client{Transport: tr, Timeout: cfg.Timeout},
		acked:    map[string]time.Time{},
		statuses: map[int]int64{},
	}
}

// Stop ends sending early (used by chaos scenarios).
func (g *Generator) Stop() { g.cfg.stopSending.Store(true) }

// Run sends until the duration or the event cap is reached.
func (g *Generator) Run(ctx context.Context) *LoadResult {
	res := &LoadResult{Latencies: &Latencies{}}
	ctx, cancel := context.WithTimeout(ctx, g.cfg.Duration)
	defer cancel()
	start := time.Now()
	if g.cfg.Rate > 0 {
		g.openLoop(ctx, res)
	} else {
		g.closedLoop(ctx, res)
	}
	res.Elapsed = time.Since(start)
	g.mu.Lock()
	res.Acked = g.acked
	res.Statuses = g.statuses
	g.mu.Unlock()
	return res
}

func (g *Generator) more(ctx context.Context) (int64, bool) {
	if ctx.Err() != nil || g.cfg.stopSending.Load() {
		return 0, false
	}
	n := g.seq.Add(1)
	if g.cfg.MaxEvents > 0 && n > int64(g.cfg.MaxEvents) {
		return 0, false
	}
	return n, true
}

func (g *Generator) closedLoop(ctx context.Context, res *LoadResult) {
	var wg sync.WaitGroup
	for i := 0; i < g.cfg.Conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, ok := g.more(ctx)
				if !ok {
					return
				}
				g.sendEvent(n, time.Now(), res)
			}
		}()
	}
	wg.Wait()
}

// openLoop sends at a fixed rate whatever the server does, and measures
// latency from the intended send time, so a stalled server shows up in the
// percentiles instead of silently slowing the generator down (coordinated
// omission).
func (g *Generator) openLoop(ctx context.Context, res *LoadResult) {
	interval := time.Second / time.Duration(g.cfg.Rate)
	slots := make(chan struct{}, g.cfg.Conns)
	var wg sync.WaitGroup
	next := time.Now()
	for {
		n, ok := g.more(ctx)
		if !ok {
			break
		}
		if d := time.Until(next); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
			if ctx.Err() != nil {
				break
			}
		}
		intended := next
		next = next.Add(interval)
		select {
		case slots <- struct{}{}:
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				g.sendEvent(n, intended, res)
			}()
		default:
			atomic.AddInt64(&res.Omitted, 1)
		}
	}
	wg.Wait()
}

// EventID is the Stripe event id of the n-th event of a run.
func EventID(runID string, n int64) string { return fmt.Sprintf("evt_%s_%d", runID, n) }

// sendEvent sends event n (Copies times, concurrently) and records the
// answers.
func (g *Generator) sendEvent(n int64, intended time.Time, res *LoadResult) {
	id := EventID(g.cfg.RunID, n)
	body := stripeEvent(id, n)
	var wg sync.WaitGroup
	for c := 0; c < g.cfg.Copies; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomic.AddInt64(&res.Sent, 1)
			// Copies go to different servers when there are several: the
			// hardest case for dedupe.
			status, err := g.post(n+int64(c), body)
			lat := time.Since(intended)
			g.mu.Lock()
			g.statuses[status]++
			g.mu.Unlock()
			switch {
			case err != nil:
				atomic.AddInt64(&res.Errors, 1)
			case status >= 200 && status < 300:
				atomic.AddInt64(&res.Accepted, 1)
				res.Latencies.Add(lat)
				g.mu.Lock()
				_, seen := g.acked[id]
				if !seen {
					g.acked[id] = intended
				}
				g.mu.Unlock()
				if !seen && g.cfg.OnAccepted != nil {
					g.cfg.OnAccepted(id, time.Now())
				}
			default:
				atomic.AddInt64(&res.Rejected, 1)
			}
		}()
	}
	wg.Wait()
}

func (g *Generator) post(n int64, body []byte) (int, error) {
	url := g.cfg.URL
	if len(g.cfg.URLs) > 0 {
		url = g.cfg.URLs[int(n)%len(g.cfg.URLs)]
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", StripeSignature(g.cfg.Secret, time.Now(), body))
	resp, err := g.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// StripeSignature signs body the way Stripe does: t=<unix>,v1=<hex
// HMAC-SHA256 of "t.body">.
func StripeSignature(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// stripeEvent is the reference workflow's trigger: a payment_intent.succeeded
// of 20.00 USD for customer cus_1 and order A1.
func stripeEvent(id string, n int64) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2024-06-20","created":%d,"type":"payment_intent.succeeded","livemode":false,`+
		`"data":{"object":{"id":"pi_%d","object":"payment_intent","amount":2000,"currency":"usd","customer":"cus_1",`+
		`"metadata":{"order_id":"A1"},"status":"succeeded","receipt_email":"jenny@example.com"}}}`, id, time.Now().Unix(), n))
}
