package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
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

// ProbeResult is one entry of the /readyz body.
type ProbeResult struct {
	Status   string `json:"status"` // "ok" or "fail"
	Error    string `json:"error,omitempty"`
	Optional bool   `json:"optional,omitempty"`
}

// ReadyBody is the JSON body of /readyz.
type ReadyBody struct {
	Status string                 `json:"status"` // "ready" or "not_ready"
	Checks map[string]ProbeResult `json:"checks"`
}

type health struct {
	probes  []Probe
	timeout time.Duration
}

// live answers 200 whenever the process can serve HTTP at all.
func (h *health) live(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// ready answers 200 only when every required probe passes.
func (h *health) ready(c *gin.Context) {
	body := RunProbes(c.Request.Context(), h.probes, h.timeout)
	status := http.StatusOK
	if body.Status != "ready" {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, body)
}

// RunProbes runs probes concurrently, each bounded by timeout, and reports
// "ready" when every required probe passed.
func RunProbes(ctx context.Context, probes []Probe, timeout time.Duration) ReadyBody {
	results := make([]ProbeResult, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			r := ProbeResult{Status: "ok", Optional: p.Optional}
			if err := p.Check(pctx); err != nil {
				r.Status, r.Error = "fail", err.Error()
			}
			results[i] = r
		})
	}
	wg.Wait()
	body := ReadyBody{Status: "ready", Checks: make(map[string]ProbeResult, len(probes))}
	for i, p := range probes {
		body.Checks[p.Name] = results[i]
		if results[i].Status != "ok" && !p.Optional {
			body.Status = "not_ready"
		}
	}
	return body
}
