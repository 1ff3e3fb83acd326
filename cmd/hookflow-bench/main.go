// Command hookflow-bench is hookflow's benchmark and chaos harness. It
// starts hookflow (from this checkout) in a temporary folder, installs the
// reference workflow through the API, drives signed Stripe-like webhooks at
// it with a built-in load generator, counts what a local sink receives, and
// reports accepted/s, latency percentiles, completed/s, backlog over time,
// CPU and RSS, lost events and duplicate deliveries, as JSON, a text table
// and an SVG chart.
//
// Chaos modes inject one fault in the middle of the run (sink down, kill -9,
// Temporal down, PostgreSQL restart, duplicate storm, slow sink) and fail the
// run when any acknowledged event is lost or delivered twice.
//
//	go run ./cmd/hookflow-bench -mode load -conns 50 -duration 60s
//	go run ./cmd/hookflow-bench -mode smoke        # every mode, short, as CI runs it
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// Options are the harness's flags.
type Options struct {
	Mode      string
	Bin       string
	Conns     int
	Rate      int
	Duration  time.Duration
	MaxEvents int
	Outage    time.Duration
	Drain     time.Duration
	Settle    time.Duration
	Out       string
	WorkDir   string
	// Keep keeps every run's data folder (database and process logs);
	// by default only a failed run's folder is kept.
	Keep        bool
	PostgresURL string
	Workflow    string
	// Split runs the modes that normally use `hookflow dev` as separate
	// temporal, server and worker processes instead, with the store on
	// PostgreSQL when PostgresURL is set.
	Split bool
	// Workers is the worker count of the topology modes (0: 2).
	Workers int
	// TemporalShards is the topology's history shard count (0: 4).
	TemporalShards int
}

func main() {
	o := &Options{}
	flag.StringVar(&o.Mode, "mode", "load", "mode: "+strings.Join(ChaosOrder, ", ")+", all (every mode), smoke (every mode, short, for CI), or "+strings.Join(TopologyOrder, ", ")+", topology-all (the production topology on PostgreSQL); several may be comma-separated")
	flag.StringVar(&o.Bin, "hookflow", "", "hookflow binary to run (default: build ./cmd/hookflow from this checkout)")
	flag.IntVar(&o.Conns, "conns", 50, "concurrent connections (closed loop), or the in-flight cap of the open loop")
	flag.IntVar(&o.Rate, "rate", 0, "open-loop rate in events/s; 0 runs a closed loop")
	flag.DurationVar(&o.Duration, "duration", 30*time.Second, "how long to send")
	flag.IntVar(&o.MaxEvents, "max-events", 0, "stop after this many events (0: no cap)")
	flag.DurationVar(&o.Outage, "outage", 30*time.Second, "how long a fault lasts (sink down, Temporal down, slow sink)")
	flag.DurationVar(&o.Drain, "drain", 5*time.Minute, "how long to wait after the load for the backlog to drain")
	flag.DurationVar(&o.Settle, "settle", 3*time.Second, "pause before measuring idle RSS and before counting late duplicates")
	flag.StringVar(&o.Out, "out", "bench-results", "folder for results.json, results.txt and one SVG chart per mode")
	flag.StringVar(&o.WorkDir, "workdir", "", "where temporary data folders go (default: the system temp folder)")
	flag.BoolVar(&o.Keep, "keep", false, "keep every run's data folder and logs (default: only those of failed runs, whose path is printed)")
	flag.StringVar(&o.Workflow, "workflow", DefaultWorkflowFile, "the reference workflow definition; its vars.sink is pointed at the harness's sink")
	flag.IntVar(&o.Workers, "workers", 0, "worker processes of the topology modes (default 2); run -mode topology with -workers 1, 2 and 3 for the scaling table")
	flag.IntVar(&o.TemporalShards, "temporal-shards", 0, "history shards of the topology modes' Temporal (default 4)")
	flag.BoolVar(&o.Split, "split", false, "run dev-mode scenarios (load, latency, duplicate-storm, sink-down, slow-sink) as one temporal, one server and one worker process; with -postgres the store is on PostgreSQL")
	flag.StringVar(&o.PostgresURL, "postgres", os.Getenv("HOOKFLOW_TEST_POSTGRES_URL"), "PostgreSQL URL for db-restart (a fresh database is created per run)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, o))
}

func run(ctx context.Context, o *Options) int {
	modes, err := expandModes(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hookflow-bench:", err)
		return 2
	}
	if o.Bin == "" {
		dir, err := os.MkdirTemp("", "hookflow-bench-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "hookflow-bench:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, "building ./cmd/hookflow …")
		if o.Bin, err = buildHookflow(ctx, dir); err != nil {
			fmt.Fprintln(os.Stderr, "hookflow-bench:", err)
			return 1
		}
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "hookflow-bench:", err)
		return 1
	}
	all := Scenarios(o)
	var results []*Result
	for _, m := range modes {
		if ctx.Err() != nil {
			break
		}
		r := RunScenario(ctx, o, all[m])
		results = append(results, r)
		if f, err := os.Create(filepath.Join(o.Out, m+".svg")); err == nil {
			WriteChart(f, fmt.Sprintf("hookflow-bench %s: %s", m, r.Mode), r.Series)
			f.Close()
		}
		printTable(os.Stderr, []*Result{r})
	}
	if err := writeResults(o.Out, results); err != nil {
		fmt.Fprintln(os.Stderr, "hookflow-bench:", err)
		return 1
	}
	printTable(os.Stdout, results)
	code := 0
	for _, r := range results {
		if !r.Passed() {
			code = 1
		}
	}
	return code
}

// expandModes turns -mode into the list of modes to run. smoke shortens
// every mode so that all of them fit in a CI run.
func expandModes(o *Options) ([]string, error) {
	switch o.Mode {
	case "all":
		return skipPG(o, ChaosOrder), nil
	case "smoke":
		o.Conns, o.Rate = min(o.Conns, 10), 50
		// About 30 s per mode, so that every mode fits in CI after the
		// test suite (measured: under 5 minutes for the nine modes).
		o.Duration, o.Outage, o.Drain, o.Settle = 6*time.Second, 3*time.Second, 2*time.Minute, time.Second
		// One chaos mode of the production topology: a worker killed
		// while two servers and two workers share Temporal on PostgreSQL.
		return skipPG(o, append(append([]string(nil), ChaosOrder...), "topology-kill-worker")), nil
	case "topology-all":
		if o.PostgresURL == "" {
			return nil, fmt.Errorf("topology-all needs PostgreSQL: set -postgres or HOOKFLOW_TEST_POSTGRES_URL")
		}
		return TopologyOrder, nil
	}
	all := Scenarios(o)
	var out []string
	for _, m := range strings.Split(o.Mode, ",") {
		m = strings.TrimSpace(m)
		if _, ok := all[m]; !ok {
			return nil, fmt.Errorf("unknown mode %q (want one of %s, all, smoke, %s, topology-all)", m, strings.Join(ChaosOrder, ", "), strings.Join(TopologyOrder, ", "))
		}
		out = append(out, m)
	}
	return out, nil
}

// skipPG leaves out the PostgreSQL mode when no PostgreSQL is configured,
// and says so: a silent skip would read as a pass.
func skipPG(o *Options, modes []string) []string {
	if o.PostgresURL != "" {
		return modes
	}
	fmt.Fprintln(os.Stderr, "note: the PostgreSQL modes (db-restart, topology) are left out: no PostgreSQL (-postgres or HOOKFLOW_TEST_POSTGRES_URL)")
	var out []string
	for _, m := range modes {
		if all := Scenarios(o); all[m] == nil || !all[m].Postgres {
			out = append(out, m)
		}
	}
	return out
}

func writeResults(dir string, results []*Result) error {
	b, err := json.MarshalIndent(map[string]any{
		"machine": machine(),
		"when":    time.Now().UTC().Format(time.RFC3339),
		"results": results,
	}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), b, 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "results.txt"))
	if err != nil {
		return err
	}
	defer f.Close()
	printTable(f, results)
	return nil
}

func printTable(w io.Writer, results []*Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tacked\taccepted/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\tcompleted/s\te2e p50 ms\tready ms\tidle MiB\tpeak MiB\tlost\tdup\tresult\t")
	for _, r := range results {
		verdict := "PASS"
		if !r.Passed() {
			verdict = "FAIL"
			if r.Error != "" {
				verdict = "ERROR"
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%.1f\t%.0f\t%.0f\t%.0f\t%d\t%d\t%s\t\n",
			r.Scenario, r.Acked, r.AcceptedPerSec, r.Accept.P50, r.Accept.P90, r.Accept.P99, r.Accept.Max,
			r.CompletedPerS, r.EndToEnd.P50, r.StartToReadyMS, r.IdleRSSMiB, r.PeakRSSMiB, r.Lost, r.Duplicates, verdict)
	}
	tw.Flush()
	for _, r := range results {
		if r.Error != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Scenario, r.Error)
		}
		if r.Lost > 0 {
			fmt.Fprintf(w, "%s: lost %d acknowledged events, e.g. %s\n", r.Scenario, r.Lost, strings.Join(r.LostIDs, ", "))
		}
		if h := r.Hostile; h != nil {
			target := "met"
			if !h.LatencyTargetMet() {
				target = "MISSED"
			}
			fmt.Fprintf(w, "%s: process up %v; reference e2e p99 %.1f ms quiet (%d events), %.1f ms under attack (%d events): %.2fx (target %.0fx: %s); slow connections closed by the server %d/%d; hostile requests by status %v\n",
				r.Scenario, h.ProcessUp, h.QuietP99MS, h.QuietN, h.AttackP99MS, h.AttackN, h.Ratio, HostileMaxRatio, target, h.SlowClosed, h.SlowConns, h.Requests)
			for _, p := range h.Problems() {
				fmt.Fprintf(w, "%s: FAIL: %s\n", r.Scenario, p)
			}
		}
	}
}

func machine() map[string]any {
	m := map[string]any{"cpus": numCPU()}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if line, _, ok := strings.Cut(string(b), "\n"); ok {
			m["memory"] = strings.TrimSpace(strings.TrimPrefix(line, "MemTotal:"))
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				_, v, _ := strings.Cut(line, ":")
				m["cpu"] = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}
