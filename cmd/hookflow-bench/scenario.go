package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/lib/pq"
)

// Scenario is one harness mode: a load shape plus, for chaos modes, a fault
// injected while the load runs.
type Scenario struct {
	Name        string
	Description string
	Split       bool // temporal + server + workers as separate processes
	Workers     int
	// Topology is the production topology: Servers servers (the load
	// generator round-robins between them) and Workers workers, with
	// Temporal and the store both on PostgreSQL.
	Topology bool
	Servers  int
	Postgres bool // the store runs on PostgreSQL (required)
	Copies   int  // each event sent this many times, concurrently
	Hostile  bool // the fault is the hostile mode's attack
	// MinDuration lengthens a short load (the CI smoke's) for modes whose
	// verdict needs enough events on each side of the fault.
	MinDuration time.Duration
	// Fault runs once, a third of the way into the load. It must undo its
	// fault before it returns, so that the drain can complete.
	Fault func(ctx context.Context, e *Env) error
}

// Env is what a fault can touch.
type Env struct {
	Cluster *Cluster
	Sink    *Sink
	Opts    *Options
	API     *API
	// Hostile collects the hostile mode's observations (nil elsewhere).
	Hostile *HostileReport
	Logf    func(format string, args ...any)
}

// Scenarios lists every mode by name.
func Scenarios(o *Options) map[string]*Scenario {
	all := devScenarios(o)
	for name, sc := range topologyScenarios(o) {
		all[name] = sc
	}
	return all
}

func devScenarios(o *Options) map[string]*Scenario {
	outage := o.Outage
	return map[string]*Scenario{
		"load":    {Name: "load", Description: "steady load, no faults"},
		"latency": {Name: "latency", Description: "one event at a time: end-to-end latency from webhook sent to the sink's POST received"},
		"sink-down": {Name: "sink-down", Description: fmt.Sprintf("the sink answers 503 for %s in the middle of the run", outage),
			Fault: func(ctx context.Context, e *Env) error {
				e.Sink.SetDown(true)
				e.Logf("sink down for %s", outage)
				sleep(ctx, outage)
				e.Sink.SetDown(false)
				e.Logf("sink up")
				return nil
			}},
		"slow-sink": {Name: "slow-sink", Description: "the sink takes 2 s per request",
			Fault: func(ctx context.Context, e *Env) error {
				e.Sink.SetDelay(2 * time.Second)
				e.Logf("sink slowed to 2 s per request for %s", outage)
				sleep(ctx, outage)
				e.Sink.SetDelay(0)
				return nil
			}},
		"hostile": {Name: "hostile", Description: "reference traffic while expression-bomb workflows run and are dry-run, and oversized, deep and slow requests arrive: the process stays up, nothing is lost, bad input is refused; the reference p99 under attack is measured against 2x its quiet value",
			Hostile: true, Fault: hostileAttack, MinDuration: 15 * time.Second},
		"duplicate-storm": {Name: "duplicate-storm", Description: "every event is sent 3 times, concurrently", Copies: 3},
		"kill-server": {Name: "kill-server", Description: "kill -9 of hookflow dev in the middle of the run, then a restart",
			Fault: func(ctx context.Context, e *Env) error {
				e.Logf("kill -9 hookflow dev (pid %d)", e.Cluster.Dev.PID())
				e.Cluster.Dev.Kill()
				sleep(ctx, time.Second)
				took, err := e.Cluster.Start(ctx)
				e.Logf("hookflow dev restarted, ready after %s", took.Round(time.Millisecond))
				return err
			}},
		"kill-during-batch": {Name: "kill-during-batch", Description: "kill -9 of hookflow dev while batch executions hold many runs in flight (the sink takes 300 ms per request), then a restart",
			Fault: func(ctx context.Context, e *Env) error {
				e.Sink.SetDelay(300 * time.Millisecond)
				e.Logf("sink slowed to 300 ms per request, so each batch holds its runs for seconds")
				sleep(ctx, 3*time.Second)
				batches, runs := batchMetrics(ctx, e.Cluster.BaseURL())
				delivered, _ := e.Sink.Count()
				inflight := runs - float64(delivered)
				e.Logf("kill -9 hookflow dev (pid %d): %.0f batches started so far carrying %.0f runs, about %.0f of them in flight",
					e.Cluster.Dev.PID(), batches, runs, inflight)
				if batches == 0 {
					return fmt.Errorf("no batch had started before the kill: the mode tests nothing")
				}
				e.Cluster.Dev.Kill()
				e.Sink.SetDelay(0)
				sleep(ctx, time.Second)
				took, err := e.Cluster.Start(ctx)
				e.Logf("hookflow dev restarted, ready after %s", took.Round(time.Millisecond))
				return err
			}},
		"kill-worker": {Name: "kill-worker", Description: "split mode (1 temporal, 1 server, 2 workers): kill -9 of a worker mid-run", Split: true, Workers: 2,
			Fault: func(ctx context.Context, e *Env) error {
				w := e.Cluster.WorkerPs[0]
				e.Logf("kill -9 %s (pid %d)", w.Name, w.PID())
				w.Kill()
				sleep(ctx, outage/2)
				e.Logf("restarting %s", w.Name)
				return w.Start(e.Cluster.Bin)
			}},
		"temporal-down": {Name: "temporal-down", Description: fmt.Sprintf("split mode: the Temporal server is stopped for %s", outage), Split: true, Workers: 1,
			Fault: func(ctx context.Context, e *Env) error {
				e.Logf("stopping the Temporal process")
				e.Cluster.Temporalp.Stop()
				sleep(ctx, outage)
				e.Logf("starting the Temporal process again")
				if err := e.Cluster.Temporalp.Start(e.Cluster.Bin); err != nil {
					return err
				}
				return waitTCP(ctx, e.Cluster.Temporal, 60*time.Second)
			}},
		"db-restart": {Name: "db-restart", Description: "split mode on PostgreSQL: PostgreSQL is restarted mid-run", Split: true, Workers: 1, Postgres: true,
			Fault: func(ctx context.Context, e *Env) error {
				e.Logf("restarting PostgreSQL")
				return restartPostgres(ctx)
			}},
	}
}

// topologyScenarios are the production topology's modes: 2 servers and 2
// workers (workers overrides the count: the scaling table runs 1, 2 and
// 3), Temporal and the store on PostgreSQL.
func topologyScenarios(o *Options) map[string]*Scenario {
	workers := o.Workers
	if workers <= 0 {
		workers = 2
	}
	topo := func(name, desc string, fault func(ctx context.Context, e *Env) error) *Scenario {
		return &Scenario{Name: name, Description: fmt.Sprintf("production topology (Temporal on PostgreSQL, 2 servers, %d worker(s), store on PostgreSQL): %s", workers, desc),
			Split: true, Topology: true, Servers: 2, Workers: workers, Postgres: true, Fault: fault}
	}
	return map[string]*Scenario{
		"topology": topo("topology", "steady load, round-robin over the servers", nil),
		"topology-kill-server": topo("topology-kill-server", "kill -9 of one server mid-run, then a restart; the other keeps serving",
			func(ctx context.Context, e *Env) error {
				s := e.Cluster.ExtraServers[0]
				e.Logf("kill -9 %s (pid %d)", s.Name, s.PID())
				s.Kill()
				sleep(ctx, e.Opts.Outage/2)
				e.Logf("restarting %s", s.Name)
				return s.Start(e.Cluster.Bin)
			}),
		"topology-kill-worker": topo("topology-kill-worker", "kill -9 of one worker mid-run, then a restart",
			func(ctx context.Context, e *Env) error {
				w := e.Cluster.WorkerPs[0]
				e.Logf("kill -9 %s (pid %d)", w.Name, w.PID())
				w.Kill()
				sleep(ctx, e.Opts.Outage/2)
				e.Logf("restarting %s", w.Name)
				return w.Start(e.Cluster.Bin)
			}),
		"topology-temporal-restart": topo("topology-temporal-restart", "the Temporal server is stopped and started again",
			func(ctx context.Context, e *Env) error {
				e.Logf("stopping the Temporal process")
				e.Cluster.Temporalp.Stop()
				sleep(ctx, e.Opts.Outage/2)
				e.Logf("starting the Temporal process again")
				if err := e.Cluster.Temporalp.Start(e.Cluster.Bin); err != nil {
					return err
				}
				return waitTCP(ctx, e.Cluster.Temporal, 60*time.Second)
			}),
		"topology-db-restart": topo("topology-db-restart", "PostgreSQL (Temporal's and the store's) is restarted",
			func(ctx context.Context, e *Env) error {
				e.Logf("restarting PostgreSQL")
				return restartPostgres(ctx)
			}),
	}
}

// TopologyOrder is the order `-mode topology-all` runs the topology modes in.
var TopologyOrder = []string{"topology", "topology-kill-server", "topology-kill-worker", "topology-temporal-restart", "topology-db-restart"}

// ChaosOrder is the order `-mode smoke` and `-mode all` run the modes in.
var ChaosOrder = []string{"load", "latency", "hostile", "duplicate-storm", "sink-down", "slow-sink", "kill-server", "kill-during-batch", "kill-worker", "temporal-down", "db-restart"}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// batchMetrics reads hookflow_batches_started_total and the runs they
// carried (hookflow_batch_runs_sum) from a process's /metrics; zeros when
// it cannot.
func batchMetrics(ctx context.Context, baseURL string) (batches, runs float64) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		return 0, 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	for _, line := range strings.Split(string(body), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "hookflow_batches_started_total":
			batches = v
		case "hookflow_batch_runs_sum":
			runs = v
		}
	}
	return batches, runs
}

func restartPostgres(ctx context.Context) error {
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) == 0 {
		return fmt.Errorf("restarting PostgreSQL: no cluster under /etc/postgresql")
	}
	cmd := exec.CommandContext(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", versions[0].Name(), "main", "restart")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("restarting PostgreSQL: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// freshPostgres creates an empty database for one run and returns its URL.
func freshPostgres(ctx context.Context, adminURL, name string) (string, error) {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("creating database %s: %w", name, err)
	}
	return withDatabase(adminURL, name)
}

// defaultTopologyShards is the history shard count of the topology's
// Temporal unless -temporal-shards says otherwise.
const defaultTopologyShards = 4

// dropTemporalDatabases drops the Temporal and visibility databases a
// topology run set up, once its processes are gone.
func dropTemporalDatabases(adminURL, temporalURL string) {
	u, err := url.Parse(temporalURL)
	if err != nil {
		return
	}
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return
	}
	defer db.Close()
	name := strings.TrimPrefix(u.Path, "/")
	for _, n := range []string{name, name + "_visibility"} {
		_, _ = db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, n)
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + n)
	}
}

// withDatabase returns adminURL with its database name replaced by name,
// keeping user, host and query parameters.
func withDatabase(adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("parsing the PostgreSQL URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Result is one scenario's outcome.
type Result struct {
	Scenario       string   `json:"scenario"`
	Description    string   `json:"description"`
	Mode           string   `json:"deployment"` // "dev (embedded Temporal, SQLite)" or split
	Conns          int      `json:"connections"`
	Rate           int      `json:"rate"` // 0 = closed loop
	DurationS      float64  `json:"duration_s"`
	StartToReadyMS float64  `json:"start_to_ready_ms"`
	IdleRSSMiB     float64  `json:"idle_rss_mib"`
	PeakRSSMiB     float64  `json:"peak_rss_mib"`
	Sent           int64    `json:"sent"`
	Acked          int      `json:"acked_events"`
	Rejected       int64    `json:"rejected"`
	TransportErrs  int64    `json:"transport_errors"`
	Omitted        int64    `json:"omitted_by_open_loop"`
	AcceptedPerSec float64  `json:"accepted_per_s"`
	Accept         Summary  `json:"accept_latency"`
	Completed      int      `json:"completed"`
	CompletedPerS  float64  `json:"completed_per_s"`
	EndToEnd       Summary  `json:"end_to_end_latency"`
	DrainS         float64  `json:"drain_s"`
	Lost           int      `json:"lost"`
	LostIDs        []string `json:"lost_ids,omitempty"`
	Duplicates     int      `json:"duplicate_deliveries"`
	// Resent counts deliveries an event's step sent again with the same
	// idempotency key after a crash hid the first one's outcome (see Sink).
	Resent   int            `json:"resent_same_key"`
	Statuses map[int]int64  `json:"statuses"`
	Hostile  *HostileReport `json:"hostile,omitempty"`
	Series   []Point        `json:"series"`
	Error    string         `json:"error,omitempty"`
}

// Passed reports whether the run kept hookflow's promise: nothing
// acknowledged was lost and no event had a second side effect.
// The hostile mode must also have kept the process up and refused what it
// sent to be refused (its latency target is reported, not judged here).
func (r *Result) Passed() bool {
	return r.Error == "" && r.Lost == 0 && r.Duplicates == 0 && (r.Hostile == nil || len(r.Hostile.Problems()) == 0)
}

// RunScenario runs one mode from a fresh data folder and returns what it
// measured.
func RunScenario(ctx context.Context, o *Options, sc *Scenario) (res *Result) {
	if o.Split && !sc.Split && !sc.Topology && sc.Name != "kill-server" {
		// kill-server kills `hookflow dev` itself; every other dev-mode
		// scenario runs the same way on a split deployment.
		split := *sc
		split.Split, split.Workers, split.Postgres = true, 1, o.PostgresURL != ""
		sc = &split
	}
	if sc.MinDuration > o.Duration {
		lengthened := *o
		lengthened.Duration = sc.MinDuration
		o = &lengthened
	}
	res = &Result{Scenario: sc.Name, Description: sc.Description, Conns: o.Conns, Rate: o.Rate}
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "[%s] %s\n", sc.Name, fmt.Sprintf(format, args...))
	}
	fail := func(err error) *Result {
		res.Error = err.Error()
		logf("error: %v", err)
		return res
	}
	dir, err := os.MkdirTemp(o.WorkDir, "bench-"+sc.Name+"-")
	if err != nil {
		return fail(err)
	}
	// Registered before the cluster's Stop, so it runs after it: a passed
	// run's folder (a load run leaves ~150 MiB) goes, a failed one stays
	// for the post-mortem.
	defer func() {
		if res.Passed() && !o.Keep {
			_ = os.RemoveAll(dir)
			return
		}
		logf("data folder and logs kept in %s", dir)
	}()
	sink, err := StartSink()
	if err != nil {
		return fail(err)
	}
	defer sink.Close()
	hp, err1 := freePort()
	tp, err2 := freePort()
	if err1 != nil || err2 != nil {
		return fail(fmt.Errorf("finding free ports: %v %v", err1, err2))
	}
	c := &Cluster{Bin: o.Bin, DataDir: dir, HTTPAddr: fmt.Sprintf("127.0.0.1:%d", hp),
		Temporal: fmt.Sprintf("127.0.0.1:%d", tp), Split: sc.Split, Workers: sc.Workers}
	for i := 1; i < sc.Servers; i++ {
		p, err := freePort()
		if err != nil {
			return fail(fmt.Errorf("finding free ports: %w", err))
		}
		c.ExtraHTTPAddrs = append(c.ExtraHTTPAddrs, fmt.Sprintf("127.0.0.1:%d", p))
	}
	storeURL := "sqlite:" + filepath.Join(dir, "hookflow.db")
	if sc.Postgres {
		if o.PostgresURL == "" {
			return fail(fmt.Errorf("%s needs PostgreSQL: set -postgres or HOOKFLOW_TEST_POSTGRES_URL", sc.Name))
		}
		u, err := freshPostgres(ctx, o.PostgresURL, fmt.Sprintf("bench_%d", time.Now().UnixNano()))
		if err != nil {
			return fail(err)
		}
		c.Database, storeURL = u, u
		if sc.Topology {
			c.TemporalShards = o.TemporalShards
			if c.TemporalShards <= 0 {
				c.TemporalShards = defaultTopologyShards
			}
			// Temporal's databases are created by `hookflow temporal
			// setup-schema`, as a deployment's are.
			if c.TemporalPostgres, err = withDatabase(o.PostgresURL, fmt.Sprintf("bench_temporal_%d", time.Now().UnixNano())); err != nil {
				return fail(err)
			}
			defer dropTemporalDatabases(o.PostgresURL, c.TemporalPostgres)
		}
	}
	res.Mode = "dev (embedded Temporal, SQLite)"
	switch {
	case sc.Topology:
		res.Mode = fmt.Sprintf("topology: temporal on PostgreSQL (%d shards) + %d servers + %d worker(s), store on PostgreSQL", c.TemporalShards, sc.Servers, sc.Workers)
	case sc.Split:
		res.Mode = fmt.Sprintf("split: temporal + server + %d worker(s), store on %s", sc.Workers, map[bool]string{true: "PostgreSQL", false: "SQLite"}[sc.Postgres])
	}
	took, err := c.Start(ctx)
	defer c.Stop()
	if err != nil {
		return fail(fmt.Errorf("%w\n%s", err, lastLines(filepath.Join(dir, "dev.log"), 20)))
	}
	res.StartToReadyMS = float64(took.Microseconds()) / 1000
	sleep(ctx, o.Settle)
	res.IdleRSSMiB, _ = RSSMiB(c.MainPID())

	secret := "whsec_bench_secret"
	api, hookURL, err := Install(ctx, c, o.Workflow, storeURL, sink.URL(), secret)
	if err != nil {
		return fail(err)
	}

	var hookURLs []string
	for _, addr := range c.ExtraHTTPAddrs {
		hookURLs = append(hookURLs, strings.Replace(hookURL, c.HTTPAddr, addr, 1))
	}
	if len(hookURLs) > 0 {
		hookURLs = append([]string{hookURL}, hookURLs...)
	}
	cfg := &LoadConfig{URL: hookURL, URLs: hookURLs, Secret: secret, Conns: o.Conns, Rate: o.Rate, Duration: o.Duration,
		MaxEvents: o.MaxEvents, Copies: max(sc.Copies, 1), RunID: fmt.Sprintf("%x", time.Now().UnixNano())}
	if sc.Name == "latency" {
		cfg.Conns, cfg.Rate = 1, min(max(o.Rate, 1), 20)
	}
	var ackedCount atomic.Int64
	cfg.OnAccepted = func(string, time.Time) { ackedCount.Add(1) }
	gen := NewGenerator(cfg)

	// Sample once a second: throughput, backlog, CPU and memory.
	sampler := NewProcSampler(c.MainPID())
	var mu sync.Mutex
	var series []Point
	stopSampling := make(chan struct{})
	var samplingDone sync.WaitGroup
	samplingDone.Add(1)
	t0 := time.Now()
	go func() {
		defer samplingDone.Done()
		var lastAcked, lastDone int
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
			if pid := c.MainPID(); pid != sampler.pid {
				sampler = NewProcSampler(pid) // the process was restarted
			}
			acked := int(ackedCount.Load())
			done, _ := sink.Count()
			rss, cpu := sampler.Sample()
			mu.Lock()
			series = append(series, Point{T: time.Since(t0).Seconds(), Accepted: acked - lastAcked, Completed: done - lastDone,
				Backlog: max(acked-done, 0), RSSMiB: rss, CPUPct: cpu})
			if rss > res.PeakRSSMiB {
				res.PeakRSSMiB = rss
			}
			mu.Unlock()
			lastAcked, lastDone = acked, done
		}
	}()

	faultErr := make(chan error, 1)
	if sc.Hostile {
		res.Hostile = &HostileReport{}
	}
	if sc.Fault != nil {
		go func() {
			sleep(ctx, o.Duration/3)
			faultErr <- sc.Fault(ctx, &Env{Cluster: c, Sink: sink, Opts: o, API: api, Hostile: res.Hostile, Logf: logf})
		}()
	} else {
		faultErr <- nil
	}
	logf("sending for %s (%d connections, rate %d/s, copies %d)", o.Duration, cfg.Conns, cfg.Rate, cfg.Copies)
	lr := gen.Run(ctx)
	if err := <-faultErr; err != nil {
		return fail(fmt.Errorf("injecting the fault: %w", err))
	}

	// Drain: wait until every acknowledged event reached the sink.
	drainStart := time.Now()
	for time.Since(drainStart) < o.Drain {
		if missing := missingAt(sink, lr.Acked, 1); len(missing) == 0 {
			break
		}
		sleep(ctx, 100*time.Millisecond)
	}
	res.DrainS = time.Since(drainStart).Seconds()
	// Give late duplicates a moment to show up before counting them.
	sleep(ctx, o.Settle)
	close(stopSampling)
	samplingDone.Wait()

	res.Sent, res.Acked, res.Rejected, res.TransportErrs, res.Omitted = lr.Sent, len(lr.Acked), lr.Rejected, lr.Errors, lr.Omitted
	res.DurationS = lr.Elapsed.Seconds()
	res.AcceptedPerSec = float64(len(lr.Acked)) / lr.Elapsed.Seconds()
	res.Accept = lr.Latencies.Summary()
	res.Statuses = lr.Statuses
	distinct, dups := sink.Count()
	res.Completed, res.Duplicates, res.Resent = distinct, dups, sink.Resent()
	if total := lr.Elapsed.Seconds() + res.DrainS; total > 0 {
		res.CompletedPerS = float64(distinct) / total
	}
	missing := missingAt(sink, lr.Acked, 0)
	res.Lost = len(missing)
	if len(missing) > 20 {
		missing = missing[:20]
	}
	res.LostIDs = missing
	e2e := &Latencies{}
	for id, sent := range lr.Acked {
		if at, ok := sink.Arrived(id); ok {
			e2e.Add(at.Sub(sent))
		}
	}
	res.EndToEnd = e2e.Summary()
	if res.Resent > 0 {
		logf("%d deliveries were resent with the same idempotency key after a crash hid the first outcome (not duplicates for a receiver that honours the key)", res.Resent)
	}
	if res.Hostile != nil {
		res.Hostile.finish(ctx, c, sink, lr.Acked)
		for _, p := range res.Hostile.Problems() {
			logf("hostile: %s", p)
		}
	}
	mu.Lock()
	res.Series = series
	mu.Unlock()
	return res
}

// missingAt lists acknowledged ids the sink has not seen; limit 0 means all.
func missingAt(s *Sink, acked map[string]time.Time, limit int) []string {
	var out []string
	for id := range acked {
		if _, ok := s.Arrived(id); !ok {
			out = append(out, id)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
	}
	return out
}
