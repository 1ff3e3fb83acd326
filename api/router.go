// Package api is hookflow's HTTP layer: a gin router, the REST API under
// /api/v1 and the web UI. Handlers stay thin: they bind the request, call
// a service in engine/ or triggers/ and render the result. The process
// wiring (cmd/hookflow) builds the router here and mounts the webhook
// route and the health probes (engine/platform/health) beside the API.
package api

import (
	"log/slog"

	"github.com/gin-gonic/gin"
)

// RouterConfig configures NewRouter.
type RouterConfig struct {
	// Logger receives recovered panics; nil means slog.Default().
	Logger *slog.Logger
}

func init() {
	// Release mode keeps gin from printing its debug route table on start.
	gin.SetMode(gin.ReleaseMode)
}

// NewRouter returns the base router, with panic recovery. Routes are
// mounted on the returned engine.
func NewRouter(cfg RouterConfig) *gin.Engine {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := gin.New()
	r.Use(recovery(cfg.Logger))
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
