// Package wiring connects the REST API (package api) to the services of a
// hookflow process: the triggers service (replay, manual runs, listen
// mode, schedules), Temporal run control (engine/services/runops), dry runs
// (engine/services/dryrun) and the management rules (engine/services/manage). cmd/hookflow
// plugs Component into `hookflow dev` and `hookflow server`.
package wiring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/api/ui"
	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/services/dryrun"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/services/runops"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/triggers"
)

// Options configure Component.
type Options struct {
	// Registry is the connector registry, shared with the triggers
	// service and the worker so all see the same catalog.
	Registry *connectors.Registry
	// Triggers returns the process's triggers service, or nil when it has
	// none (then replay, manual runs and listen answer 503). It is called
	// when the API is mounted, after the triggers component's Mount.
	Triggers func() *triggers.Service
}

// Component mounts the REST API, GET /metrics and the web UI.
func Component(opts Options) app.Component {
	return app.Component{
		Name: "api",
		Mount: func(router *gin.Engine, deps app.Deps) error {
			cfg, err := Config(deps, opts)
			if err != nil {
				return err
			}
			if err := api.Mount(router, cfg); err != nil {
				return err
			}
			ui.Mount(router)
			return nil
		},
	}
}

// Config builds the API configuration from a process's deps.
func Config(deps app.Deps, opts Options) (api.Config, error) {
	if opts.Registry == nil {
		return api.Config{}, errors.New("wiring the API: no connector registry")
	}
	var kr *secrets.Keyring
	if deps.SecretKey != "" {
		var err error
		if kr, err = secrets.ParseKeys(deps.SecretKey); err != nil {
			return api.Config{}, fmt.Errorf("reading the secret key: %w", err)
		}
	}
	svc := &manage.Service{Store: deps.Store, Registry: opts.Registry, Keyring: kr, WebhookBaseURL: deps.Config.WebhookBaseURL()}
	runner := &dryrun.Runner{Registry: opts.Registry, Store: deps.Store, Keyring: kr, Logger: deps.Logger}
	cfg := api.Config{Manage: svc, Logger: deps.Logger, Metrics: true, Tester: Tester(runner)}
	if deps.Temporal != nil {
		cfg.Runs = &runops.Controller{Store: deps.Store, Temporal: deps.Temporal, TaskQueue: deps.Config.TaskQueue}
	}
	var trig *triggers.Service
	if opts.Triggers != nil {
		trig = opts.Triggers()
	}
	if trig != nil {
		svc.SyncSchedule = trig.SyncSchedule
		cfg.Triggers = Triggers(trig)
		cfg.Changed = trig.Invalidate
	}
	return cfg, nil
}

// Tester runs API test runs as dry runs.
func Tester(r *dryrun.Runner) api.Tester {
	return func(ctx context.Context, t api.TestRun) (any, error) {
		return r.Run(ctx, dryrun.Request{
			WorkflowID: t.WorkflowID, Version: t.Version, Definition: t.Definition, Live: t.Live, Outputs: t.Outputs,
			Event: interpreter.EventInfo{ID: t.EventID, ProviderID: t.EventID, Type: t.EventType, Headers: t.Headers, Body: t.Event},
		})
	}
}

// triggersAPI adapts *triggers.Service to api.Triggers, translating its
// errors into the API's classes.
type triggersAPI struct{ s *triggers.Service }

// Triggers adapts a triggers service to the API.
func Triggers(s *triggers.Service) api.Triggers { return triggersAPI{s} }

func (t triggersAPI) Replay(ctx context.Context, eventID string, version int) (store.Event, error) {
	ev, err := t.s.Replay(ctx, eventID, version)
	return ev, classify(err)
}

func (t triggersAPI) RunManual(ctx context.Context, workflowID string, input json.RawMessage) (store.Event, error) {
	ev, err := t.s.RunManual(ctx, workflowID, input)
	return ev, classify(err)
}

func (t triggersAPI) Listen(ctx context.Context, endpointID string, timeout time.Duration) (store.Event, bool, error) {
	ev, err := t.s.Listen(ctx, endpointID, timeout)
	if errors.Is(err, triggers.ErrListenTimeout) {
		return store.Event{}, false, nil
	}
	if err != nil {
		return store.Event{}, false, classify(err)
	}
	return ev, true, nil
}

// classify maps the triggers service's sentinels onto the API's.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, triggers.ErrInvalidInput):
		return fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
	case errors.Is(err, triggers.ErrNotReplayable), errors.Is(err, triggers.ErrTooManyListeners):
		return fmt.Errorf("%w: %w", api.ErrConflict, err)
	case errors.Is(err, triggers.ErrUnavailable), errors.Is(err, triggers.ErrClosed):
		return fmt.Errorf("%w: %w", api.ErrUnavailable, err)
	}
	return err
}
