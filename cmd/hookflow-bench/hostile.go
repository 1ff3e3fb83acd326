package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookflow/hookflow/engine/platform/config"
)

// The hostile mode (issue 11) checks that nothing a workflow author or a
// sender on the internet can do takes hookflow down or starves the other
// workflows. While the reference traffic flows, a third of the way in, it
//
//   - saves and activates three workflows whose expressions used to crash
//     or hang the process (a reference cycle, an allocation bomb, a CPU
//     bomb), sends them events and dry-runs them through the test API;
//   - sends oversized, deeply nested and escape-heavy bodies;
//   - holds slow connections that dribble a body one byte at a time;
//
// and then reports whether the process stayed up, whether the reference
// workflow's end-to-end p99 under attack stayed within HostileMaxRatio of
// its quiet value (a measured target, reported but not failing the run),
// and, as every mode does, whether any acknowledged event was lost.

// Hostile-mode bounds and shapes.
const (
	// HostileMaxRatio is how much slower the reference workflow's p99 may
	// get under attack.
	HostileMaxRatio = 2.0
	// hostileEvery spaces the attack rounds.
	hostileEvery = 500 * time.Millisecond
	// hostileSlowConns is how many slow clients are held at once.
	hostileSlowConns = 50
	// hostileDepth is the nesting depth of the deep body.
	hostileDepth = 100_000
	// slowClientWait is how long a slow client waits for the server to
	// hang up: the default body deadline and a margin.
	slowClientWait = config.DefaultHTTPBodyTimeout + 10*time.Second
)

// hostileDefinitions are the workflows of issue 11's item 1.
var hostileDefinitions = map[string]string{
	"cycle": `{{ steps }}`,
	"alloc": `{{ len(repeat(repeat("x", 999999), 999999)) }}`,
	"cpu":   `{{ len(reduce(1..400000, upper(steps.s1.v), "")) }}`,
}

func hostileDefinition(name, expr string) map[string]any {
	return map[string]any{
		"name":    "hostile " + name,
		"trigger": map[string]any{"type": "webhook", "connector": "webhook", "options": map[string]any{"id_path": "id"}},
		"steps": []any{
			map[string]any{"id": "s1", "type": "map", "map": map[string]any{"v": `{{ repeat("v", 10000) }}`}},
			map[string]any{"id": "bomb", "type": "map", "map": map[string]any{"all": expr}},
		},
	}
}

// HostileReport is what the hostile mode saw.
type HostileReport struct {
	QuietP99MS  float64 `json:"quiet_p99_ms"`
	AttackP99MS float64 `json:"attack_p99_ms"`
	Ratio       float64 `json:"p99_ratio"`
	QuietN      int     `json:"quiet_events"`
	AttackN     int     `json:"attack_events"`
	// ProcessUp: the process that served the quiet phase still answers
	// /readyz after the attack, with the same pid.
	ProcessUp bool `json:"process_up"`
	// Requests counts the hostile requests by kind and HTTP status.
	Requests map[string]map[int]int `json:"requests"`
	// SlowConns were opened; SlowClosed of them the server closed within
	// slowClientWait.
	SlowConns  int `json:"slow_connections"`
	SlowClosed int `json:"slow_closed_by_server"`

	mu     sync.Mutex
	start  time.Time
	pid    int
	failed []string
}

func (h *HostileReport) count(kind string, status int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.Requests == nil {
		h.Requests = map[string]map[int]int{}
	}
	if h.Requests[kind] == nil {
		h.Requests[kind] = map[int]int{}
	}
	h.Requests[kind][status]++
}

// LatencyTargetMet reports whether the reference workflow's p99 under
// attack stayed within HostileMaxRatio of its quiet value. Like every
// speed target of the harness it is measured and reported, not a reason
// to fail the run: the verdict is about harm (a crash, a lost event, an
// input let through), which Problems lists.
func (h *HostileReport) LatencyTargetMet() bool { return h.Ratio <= HostileMaxRatio }

// Problems lists why the mode failed; empty means it passed.
func (h *HostileReport) Problems() []string {
	out := append([]string(nil), h.failed...)
	if !h.ProcessUp {
		out = append(out, "the process did not stay up")
	}
	for kind, want := range map[string]func(int) bool{
		"oversized": func(s int) bool { return s == http.StatusRequestEntityTooLarge },
		"deep":      func(s int) bool { return s >= 400 && s < 500 },
	} {
		for status, n := range h.Requests[kind] {
			if !want(status) {
				out = append(out, fmt.Sprintf("%d %s request(s) answered %d", n, kind, status))
			}
		}
	}
	if h.SlowConns > 0 && h.SlowClosed < h.SlowConns {
		out = append(out, fmt.Sprintf("%d of %d slow connections were still open after %s", h.SlowConns-h.SlowClosed, h.SlowConns, slowClientWait))
	}
	return out
}

// hostileAttack is the hostile mode's fault: it runs until the load ends.
func hostileAttack(ctx context.Context, e *Env) error {
	h := e.Hostile
	h.start = time.Now()
	h.pid = e.Cluster.MainPID()
	until := h.start.Add(e.Opts.Duration * 2 / 3)
	actx, cancel := context.WithDeadline(ctx, until)
	defer cancel()

	hooks := map[string]string{}
	for name, expr := range hostileDefinitions {
		url, err := e.API.installWorkflow(actx, hostileDefinition(name, expr))
		if err != nil {
			return fmt.Errorf("installing the %s workflow: %w", name, err)
		}
		hooks[name] = url
	}
	e.Logf("hostile workflows active; attacking until the load ends")

	// Slow clients are held until the server hangs up on them or its body
	// deadline has clearly passed, however short the load is.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sctx, scancel := context.WithTimeout(ctx, slowClientWait)
		defer scancel()
		h.slowClients(sctx, e.Cluster.HTTPAddr, hooks["cycle"])
	}()
	client := &http.Client{Timeout: 30 * time.Second}
	post := func(kind, url string, body []byte, auth bool) {
		req, err := http.NewRequestWithContext(actx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.Header.Set("Authorization", "Bearer "+e.API.Key)
		}
		resp, err := client.Do(req)
		status := 0
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		}
		if actx.Err() == nil {
			h.count(kind, status)
		}
	}
	oversized := []byte(`{"id": "big", "pad": "` + strings.Repeat("a", 1<<20+1024) + `"}`)
	deep := []byte(strings.Repeat("[", hostileDepth) + strings.Repeat("]", hostileDepth))
	escapes := []byte(`{"id": "lt-%d", "pad": "` + strings.Repeat("<", 400<<10) + `"}`)
	// HOOKFLOW_BENCH_HOSTILE_SKIP (any of event, dry, bodies, or
	// event:NAME and dry:NAME for one workflow of hostileDefinitions)
	// leaves a kind of attack out, to find which one a slowdown comes
	// from. Each comma-separated item is one kind: "event:cpu" skips
	// that workflow's events, not every event.
	skipped := map[string]bool{}
	for _, k := range strings.Split(os.Getenv("HOOKFLOW_BENCH_HOSTILE_SKIP"), ",") {
		skipped[strings.TrimSpace(k)] = true
	}
	skip := func(kind string) bool { return skipped[kind] }
	for round := 0; actx.Err() == nil; round++ {
		for name, url := range hooks {
			if !skip("event") && !skip("event:"+name) {
				post("event:"+name, url, fmt.Appendf(nil, `{"id": "%s-%d"}`, name, round), false)
			}
			if !skip("dry") && !skip("dry:"+name) {
				dry := map[string]any{"definition": hostileDefinition(name, hostileDefinitions[name]), "event": map[string]any{"id": "x"}}
				dryBody, _ := json.Marshal(dry)
				post("dry-run:"+name, e.API.Base+"/api/v1/workflows/test", dryBody, true)
			}
		}
		if !skip("bodies") {
			post("oversized", hooks["alloc"], oversized, false)
			post("deep", hooks["alloc"], deep, false)
			post("escapes", hooks["alloc"], bytes.Replace(escapes, []byte("%d"), fmt.Appendf(nil, "%d", round), 1), false)
		}
		sleep(actx, hostileEvery)
	}
	wg.Wait()
	return nil
}

// slowClients holds hostileSlowConns connections that send a webhook's
// headers and then one body byte every 2 s, and counts those the server
// closes before ctx ends.
func (h *HostileReport) slowClients(ctx context.Context, addr, hook string) {
	u, err := url.Parse(hook)
	if err != nil {
		h.failed = append(h.failed, "slow clients: "+err.Error())
		return
	}
	var closed atomic.Int64
	var wg sync.WaitGroup
	for range hostileSlowConns {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			continue
		}
		h.SlowConns++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", u.Path, addr)
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(2 * time.Second):
				}
				if _, err := conn.Write([]byte(" ")); err != nil {
					closed.Add(1)
					return
				}
				// A closed connection may still accept a write; a read
				// sees the server's answer or its close.
				_ = conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
				var b [1]byte
				if _, err := conn.Read(b[:]); err != nil && !isTimeout(err) {
					closed.Add(1)
					return
				} else if err == nil {
					closed.Add(1) // the server answered (408/413) before the body ended
					return
				}
			}
		}()
	}
	wg.Wait()
	h.SlowClosed = int(closed.Load())
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// finish splits the reference events at the attack's start and checks
// the process.
func (h *HostileReport) finish(ctx context.Context, c *Cluster, sink *Sink, acked map[string]time.Time) {
	quiet, attack := &Latencies{}, &Latencies{}
	for id, sent := range acked {
		at, ok := sink.Arrived(id)
		if !ok {
			continue
		}
		if sent.Before(h.start) {
			quiet.Add(at.Sub(sent))
		} else {
			attack.Add(at.Sub(sent))
		}
	}
	qs, as := quiet.Summary(), attack.Summary()
	h.QuietP99MS, h.AttackP99MS, h.QuietN, h.AttackN = qs.P99, as.P99, qs.Count, as.Count
	if qs.P99 > 0 {
		h.Ratio = as.P99 / qs.P99
	}
	if h.QuietN == 0 || h.AttackN == 0 {
		h.failed = append(h.failed, fmt.Sprintf("too few reference events to compare (%d quiet, %d under attack)", h.QuietN, h.AttackN))
	}
	h.ProcessUp = c.MainPID() == h.pid && c.WaitReady(ctx, 5*time.Second) == nil
}

// installWorkflow saves and activates a definition and returns its
// webhook URL.
func (a *API) installWorkflow(ctx context.Context, def map[string]any) (string, error) {
	var wf struct {
		ID        string `json:"id"`
		Endpoints []struct {
			URL string `json:"url"`
		} `json:"endpoints"`
	}
	if err := a.do(ctx, http.MethodPost, "/api/v1/workflows", map[string]any{"definition": def}, &wf); err != nil {
		return "", err
	}
	if err := a.do(ctx, http.MethodPost, "/api/v1/workflows/"+wf.ID+"/activate", nil, nil); err != nil {
		return "", err
	}
	if len(wf.Endpoints) == 0 {
		return "", fmt.Errorf("the workflow %s came back without a webhook endpoint", wf.ID)
	}
	return wf.Endpoints[0].URL, nil
}
