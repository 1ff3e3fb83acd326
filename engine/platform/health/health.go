// Package health answers the process's liveness and readiness probes:
// GET /healthz (the process serves HTTP at all) and GET /readyz (every
// required dependency answers). The process wiring (engine/platform/app)
// decides which probes a process has and mounts the handlers on the
// router it was given, so the HTTP layer (package api) knows nothing of
// them.
package health

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// DefaultProbeTimeout bounds each readiness probe, so a hung dependency
// makes /readyz answer 503 instead of hanging the caller.
const DefaultProbeTimeout = 2 * time.Second

// Paths of the probes. Neither needs an API key.
const (
	LivePath  = "/healthz"
	ReadyPath = "/readyz"
)

// Report statuses.
const (
	StatusReady    = "ready"
	StatusNotReady = "not_ready"
)

// Probe is one readiness check, such as "the store answers a ping".
type Probe struct {
	// Name appears in the /readyz body.
	Name string
	// Check returns nil when the dependency is usable. It must honour ctx,
	// which carries the probe timeout. The error text is shown in /readyz,
	// so it must not contain secrets.
	Check func(ctx context.Context) error
	// Optional probes are reported but do not make /readyz fail. The API
	// server marks Temporal optional: webhooks are still accepted into the
	// inbox while Temporal is down.
	Optional bool
}

// Result is one entry of the /readyz body.
type Result struct {
	Status   string `json:"status"` // "ok" or "fail"
	Error    string `json:"error,omitempty"`
	Optional bool   `json:"optional,omitempty"`
}

// Report is the JSON body of /readyz.
type Report struct {
	Status string            `json:"status"` // StatusReady or StatusNotReady
	Checks map[string]Result `json:"checks"`
}

// Run runs probes concurrently, each bounded by timeout (zero means
// DefaultProbeTimeout), and reports StatusReady when every required probe
// passed.
func Run(ctx context.Context, probes []Probe, timeout time.Duration) Report {
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	results := make([]Result, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			r := Result{Status: "ok", Optional: p.Optional}
			if err := p.Check(pctx); err != nil {
				r.Status, r.Error = "fail", err.Error()
			}
			results[i] = r
		})
	}
	wg.Wait()
	body := Report{Status: StatusReady, Checks: make(map[string]Result, len(probes))}
	for i, p := range probes {
		body.Checks[p.Name] = results[i]
		if results[i].Status != "ok" && !p.Optional {
			body.Status = StatusNotReady
		}
	}
	return body
}

// Live answers 200 whenever the process can serve HTTP at all.
func Live(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Ready returns the /readyz handler: 200 with the Report when every
// required probe passes, else 503 with it.
func Ready(probes []Probe, timeout time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body := Run(r.Context(), probes, timeout)
		status := http.StatusOK
		if body.Status != StatusReady {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, body)
	}
}

// Mount adds GET and HEAD LivePath and ReadyPath to r.
func Mount(r gin.IRoutes, probes []Probe, timeout time.Duration) {
	live, ready := gin.WrapF(Live), gin.WrapF(Ready(probes, timeout))
	r.GET(LivePath, live)
	r.HEAD(LivePath, live)
	r.GET(ReadyPath, ready)
	r.HEAD(ReadyPath, ready)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
