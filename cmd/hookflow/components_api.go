package main

import (
	"fmt"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/api/wiring"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/connectors/secrets"
	"github.com/hookflow/hookflow/engine/app"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/triggers"
	tcomponent "github.com/hookflow/hookflow/triggers/component"
)

// The stack's components share one connector registry, so the webhook
// pipeline, the API (catalog, validation) and the worker (actions) agree
// on every connector, and the API calls the very triggers service that
// serves /hooks/{token}. Order matters: triggers mounts before the API,
// which picks the service up.
func init() {
	reg, err := all.New(all.Options{})
	if err != nil {
		extraComponents = append(extraComponents, app.Component{Name: "connectors",
			Mount: func(*gin.Engine, app.Deps) error { return err }})
		return
	}
	var trig *triggers.Service
	extraComponents = append(extraComponents,
		tcomponent.New(triggers.Config{}, reg, func(s *triggers.Service) { trig = s }),
		wiring.Component(wiring.Options{Registry: reg, Triggers: func() *triggers.Service { return trig }}),
		app.Component{
			Name: "interpreter",
			RegisterWorker: func(w worker.Registry, deps app.Deps) error {
				var kr *secrets.Keyring
				if deps.SecretKey != "" {
					if kr, err = secrets.ParseKeys(deps.SecretKey); err != nil {
						return fmt.Errorf("reading the secret key: %w", err)
					}
				}
				interpreter.Register(w, interpreter.Deps{Store: deps.Store, Registry: reg, Keyring: kr,
					Temporal: deps.Temporal, TaskQueue: deps.Config.TaskQueue, Logger: deps.Logger.With("component", "interpreter")})
				return nil
			},
		},
	)
}
