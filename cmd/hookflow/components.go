package main

import (
	"fmt"

	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/api/wiring"
	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/triggers"
	tcomponent "github.com/hookflow/hookflow/triggers/component"
)

// components lists everything that plugs into a hookflow process: the
// webhook pipeline, the REST API and the interpreter. The same list is used
// by dev, server and worker; each process calls only the hooks of its role.
//
// The components share one connector registry, so the webhook pipeline, the
// API (catalog, validation) and the worker (actions) agree on every
// connector, and the API calls the very triggers service that serves
// /hooks/{token}. Order matters: triggers mounts before the API, which picks
// the service up.
func components(cfg config.Config) ([]app.Component, error) {
	reg, err := all.New(all.Options{Allow: cfg.SSRFAllow, AllowHTTP: cfg.AllowHTTP, BaseURLs: cfg.ConnectorBaseURLs})
	if err != nil {
		return nil, fmt.Errorf("building the connector registry: %w", err)
	}
	var trig *triggers.Service
	return []app.Component{
		tcomponent.New(triggers.Config{}, reg, func(s *triggers.Service) { trig = s }),
		wiring.Component(wiring.Options{Registry: reg, Triggers: func() *triggers.Service { return trig }}),
		interpreterComponent(reg),
	}, nil
}

// interpreterComponent registers the interpreter's workflows and activities
// on the worker.
func interpreterComponent(reg *connectors.Registry) app.Component {
	return app.Component{
		Name: "interpreter",
		RegisterWorker: func(w worker.Registry, deps app.Deps) error {
			var kr *secrets.Keyring
			if deps.SecretKey != "" {
				var err error
				if kr, err = secrets.ParseKeys(deps.SecretKey); err != nil {
					return fmt.Errorf("reading the secret key: %w", err)
				}
			}
			interpreter.Register(w, interpreter.Deps{Store: deps.Store, Registry: reg, Keyring: kr,
				Temporal: deps.Temporal, TaskQueue: deps.Config.TaskQueue, Logger: deps.Logger.With("component", "interpreter"),
				Limits: interpreter.Limits{ExpressionTimeout: deps.Config.ExpressionTimeout}})
			return nil
		},
	}
}
