// Package component plugs the triggers Service into a hookflow process
// through engine/platform/app's Component hooks. It is separate from package
// triggers so that the API, which engine/platform/app imports, can import triggers
// without a cycle.
package component

import (
	"context"
	"fmt"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/triggers"
)

// New plugs the triggers Service into a hookflow process (dev and
// server): Mount builds the Service from the process's deps and mounts it
// at /hooks/:token for every method; Background runs the sweeper and the
// pruner until shutdown and then closes the Service. Fields of cfg left
// zero are taken from the process config (task queue, public URL, body
// cap, retention, trusted proxies) and the secret key. reg may be nil for the built-in
// connectors. onReady, when not nil, is called with the Service once it
// is built, so the API can call Replay, Listen, RunManual and
// SyncSchedule on the same instance.
func New(cfg triggers.Config, reg *connectors.Registry, onReady func(*triggers.Service)) app.Component {
	var (
		mu  sync.Mutex
		svc *triggers.Service
	)
	build := func(deps app.Deps) (*triggers.Service, error) {
		mu.Lock()
		defer mu.Unlock()
		if svc != nil {
			return svc, nil
		}
		c := cfg
		if c.TaskQueue == "" {
			c.TaskQueue = deps.Config.TaskQueue
		}
		if c.PublicURL == "" {
			c.PublicURL = deps.Config.PublicURL
		}
		if c.MaxBodyBytes == 0 {
			c.MaxBodyBytes = deps.Config.MaxBodyBytes
		}
		if c.MaxBodyDepth == 0 {
			c.MaxBodyDepth = deps.Config.MaxBodyDepth
		}
		if c.InlineBodyBytes == 0 {
			c.InlineBodyBytes = deps.Config.InlineBodyBytes
		}
		if c.Retention == 0 {
			c.Retention = deps.Config.EventRetention
		}
		if c.TrustedProxies == nil {
			c.TrustedProxies = deps.Config.TrustedProxies
		}
		if c.Logger == nil {
			c.Logger = deps.Logger.With("component", "triggers")
		}
		if c.Keyring == nil && deps.SecretKey != "" {
			kr, err := secrets.ParseKeys(deps.SecretKey)
			if err != nil {
				return nil, fmt.Errorf("reading secret key: %w", err)
			}
			c.Keyring = kr
		}
		r := reg
		if r == nil {
			var err error
			if r, err = all.New(all.Options{}); err != nil {
				return nil, err
			}
		}
		s, err := triggers.New(c, deps.Store, r, deps.Temporal)
		if err != nil {
			return nil, err
		}
		svc = s
		if onReady != nil {
			onReady(s)
		}
		return s, nil
	}
	return app.Component{
		Name: "triggers",
		Mount: func(router *gin.Engine, deps app.Deps) error {
			s, err := build(deps)
			if err != nil {
				return err
			}
			router.Any(triggers.HookPath, func(c *gin.Context) { s.Serve(c.Writer, c.Request, c.Param("token")) })
			return nil
		},
		Background: func(ctx context.Context, deps app.Deps) error {
			s, err := build(deps)
			if err != nil {
				return err
			}
			if err := s.Start(ctx); err != nil {
				return err
			}
			<-ctx.Done()
			return s.Close()
		},
	}
}
