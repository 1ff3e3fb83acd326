// Package api is hookflow's HTTP layer: a gin router with health checks, the
// REST API under /api/v1, webhook routes and the web UI. Handlers stay thin:
// they bind the request, call a service in engine/ or triggers/ and render the
// result.
package api

import (
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
)

// DefaultProbeTimeout bounds each readiness probe, so a hung dependency makes
// /readyz answer 503 instead of hanging the caller.
const DefaultProbeTimeout = 2 * time.Second

// RouterConfig configures NewRouter.
type RouterConfig struct {
	// Probes decide /readyz. They run concurrently on each request.
	Probes []Probe
	// ProbeTimeout bounds each probe; zero means DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// Logger receives recovered panics; nil means slog.Default().
	Logger *slog.Logger
}

func init() {
	// Release mode keeps gin from printing its debug route table on start.
	gin.SetMode(gin.ReleaseMode)
}

// NewRouter returns the base router: panic recovery, GET /healthz and GET
// /readyz. Other routes are mounted on the returned engine.
func NewRouter(cfg RouterConfig) *gin.Engine {
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = DefaultProbeTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := gin.New()
	r.Use(recovery(cfg.Logger))
	h := &health{probes: cfg.Probes, timeout: cfg.ProbeTimeout}
	r.GET("/healthz", h.live)
	r.HEAD("/healthz", h.live)
	r.GET("/readyz", h.ready)
	r.HEAD("/readyz", h.ready)
	return r
}

// recovery turns a panicking handler into a 500 and logs it, without the
// request body or headers (they may hold secrets).
func recovery(logger *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, err any) {
		logger.Error("handler panicked", "method", c.Request.Method, "path", c.FullPath(), "panic", err)
		c.AbortWithStatusJSON(500, gin.H{"error": "internal error"})
	})
}
