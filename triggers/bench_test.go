package triggers

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// BenchmarkIngest measures the webhook path end to end over loopback HTTP:
// Stripe signature verification, extraction, the filter, dedupe and the
// durable group commit, then the 202 — with the dispatcher marking events
// dispatched as it would in production (the run start itself is recorded,
// not sent to Temporal). 50 client goroutines send concurrently, each
// signing its own unique event. It reports accepted events/s and the 99th
// percentile latency.
//
//	go test ./triggers -run '^$' -bench BenchmarkIngest -benchtime 20000x
//	HOOKFLOW_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable go test ./triggers -run '^$' -bench BenchmarkIngest -benchtime 20000x
func BenchmarkIngest(b *testing.B) {
	backends := []string{store.DialectSQLite}
	if os.Getenv(storetest.PostgresEnv) != "" {
		backends = append(backends, store.DialectPostgres)
	}
	for _, name := range backends {
		b.Run(name, func(b *testing.B) {
			var be storetest.Backend
			if name == store.DialectSQLite {
				be = storetest.SQLite(b)
			} else {
				be = storetest.Postgres(b)
			}
			benchIngest(b, be.Store)
		})
	}
}

const benchConcurrency = 50

func benchIngest(b *testing.B, st *store.Store) {
	e := newEnv(b, st, func(c *Config) { c.RouteCacheTTL = DefaultRouteCacheTTL })
	ep := e.workflow("bench", stripeTrigger, store.NewEndpoint{})
	srv := httptest.NewServer(e.svc.Ingestor)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchConcurrency, MaxConnsPerHost: benchConcurrency}}
	url := srv.URL + "/hooks/" + ep.Token

	var (
		seq       atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
		failures  atomic.Int64
	)
	b.SetParallelism((benchConcurrency + 1) / max(1, runtimeProcs()))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			body := stripeBody(fmt.Sprintf("evt_bench_%d", seq.Add(1)), 5000)
			r := stripeSigned(ep.Token, body, time.Now(), stripeSecret)
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header = r.Header
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				failures.Add(1)
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t0))
			if resp.StatusCode != http.StatusAccepted {
				failures.Add(1)
			}
		}
		mu.Lock()
		latencies = append(latencies, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests were not accepted", n, b.N)
	}
	slices.Sort(latencies)
	p99 := latencies[len(latencies)*99/100]
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// BenchmarkServeSequential sends signed Stripe deliveries one after
// another straight to the Ingestor (no HTTP, no concurrency), so each
// group commit holds one event and the allocations and CPU per delivery,
// dispatch included, are steady enough to compare two builds:
//
//	go test ./triggers -run '^$' -bench BenchmarkServeSequential -benchmem -benchtime 3000x
func BenchmarkServeSequential(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b).Store, func(c *Config) { c.RouteCacheTTL = DefaultRouteCacheTTL })
	ep := e.workflow("bench", stripeTrigger, store.NewEndpoint{})
	reqs := make([]*http.Request, b.N)
	for i := range reqs {
		reqs[i] = stripeSigned(ep.Token, stripeBody(fmt.Sprintf("evt_seq_%d", i), 5000), time.Now(), stripeSecret)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		w := httptest.NewRecorder()
		e.svc.Ingestor.Serve(w, reqs[i], ep.Token)
		if w.Code != http.StatusAccepted {
			b.Fatalf("delivery %d: %d %s", i, w.Code, w.Body)
		}
	}
	// Wait for the dispatcher, whose work is part of each delivery's cost.
	for e.starter.count() < b.N {
		time.Sleep(time.Millisecond)
	}
}
