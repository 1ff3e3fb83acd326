package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/api/ui"
	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/platform/app"
	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/services/dryrun"
	"github.com/hookflow/hookflow/engine/services/health"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/services/runops"
	"github.com/hookflow/hookflow/triggers"
)

// This file is the one place a hookflow process is wired. engine/platform/app
// opens what every process shares (listeners, store, Temporal client and
// worker, the keyring parsed once from the secret key, the readiness
// probes); newApp puts everything else on top, the same way for dev,
// server and worker, each process calling only the hooks of its role:
//
//   - the connector registry, built once from the process config and shared,
//     so the webhook pipeline, the API (catalog, validation) and the worker
//     (actions) agree on every connector;
//   - the worker: the interpreter's workflows and activities;
//   - the HTTP side: the triggers service at /hooks/{token} and its
//     background loops, the REST API (management rules, dry runs, run
//     control, and the very triggers service that serves the webhooks) and
//     the web UI, on the API's router.

// newApp builds the App of one process: opts says its role and start-up
// options; the router and the components are filled in here.
func newApp(ctx context.Context, cfg config.Config, opts app.Options) (*app.App, error) {
	reg, err := all.New(all.Options{Allow: cfg.SSRFAllow, AllowHTTP: cfg.AllowHTTP, BaseURLs: cfg.ConnectorBaseURLs})
	if err != nil {
		return nil, fmt.Errorf("building the connector registry: %w", err)
	}
	w := &wiring{reg: reg}
	opts.Router = func(logger *slog.Logger) *gin.Engine { return api.NewRouter(api.RouterConfig{Logger: logger}) }
	opts.Components = []app.Component{
		{Name: "interpreter", RegisterWorker: w.registerWorker},
		{Name: "http", Mount: w.mount, Background: w.background},
	}
	return app.New(ctx, cfg, opts)
}

// wiring holds what the components of one process share.
type wiring struct {
	reg *connectors.Registry
	// oauthOnce builds oauth, shared by the worker (token refresh) and
	// the API (connect, callback, disconnect) of one process.
	oauthOnce sync.Once
	oauth     *credentials.OAuth
	oauthErr  error
	// trig is the triggers service, built by mount (API processes only).
	trig *triggers.Service
	// health evaluates the alert rules and sets the health gauges, built
	// by mount and run by background (API processes only).
	health *health.Evaluator
}

// alertInterval, when set, overrides --alert-interval: tests shorten it
// below the flag's one-second floor.
var alertInterval time.Duration

// oauthFor returns the process's OAuth 2 service, or nil when no
// --oauth-clients are configured.
func (w *wiring) oauthFor(deps app.Deps) (*credentials.OAuth, error) {
	w.oauthOnce.Do(func() {
		clients, err := credentials.ParseOAuthClients(deps.Config.OAuthClients)
		if err != nil || len(clients) == 0 || deps.Keyring == nil {
			w.oauthErr = err
			return
		}
		w.oauth = credentials.NewOAuth(credentials.OAuthConfig{Clients: clients, RedirectURL: deps.Config.OAuthRedirectURL()},
			deps.Store, deps.Keyring, w.reg)
	})
	return w.oauth, w.oauthErr
}

// registerWorker registers the interpreter's workflows and activities.
func (w *wiring) registerWorker(reg worker.Registry, deps app.Deps) error {
	oauth, err := w.oauthFor(deps)
	if err != nil {
		return err
	}
	interpreter.Register(reg, interpreter.Deps{Store: deps.Store, Registry: w.reg, Keyring: deps.Keyring, OAuth: oauth,
		Temporal: deps.Temporal, TaskQueue: deps.Config.TaskQueue, Logger: deps.Logger.With("component", "interpreter"),
		Limits: interpreter.Limits{ExpressionTimeout: deps.Config.ExpressionTimeout}, PublicURL: deps.Config.PublicURL})
	return nil
}

// triggersConfig is the triggers service's configuration from the
// process's: task queue, public URL, body limits, retention, trusted
// proxies and the keyring. Everything else takes the triggers defaults.
func triggersConfig(deps app.Deps) triggers.Config {
	c := deps.Config
	return triggers.Config{
		TaskQueue:       c.TaskQueue,
		PublicURL:       c.PublicURL,
		MaxBodyBytes:    c.MaxBodyBytes,
		MaxBodyDepth:    c.MaxBodyDepth,
		InlineBodyBytes: c.InlineBodyBytes,
		Retention:       c.EventRetention,
		TrustedProxies:  c.TrustedProxies,
		DispatchWorkers: c.DispatchWorkers,
		BatchSize:       c.DispatchBatch,
		Keyring:         deps.Keyring,
		Logger:          deps.Logger.With("component", "triggers"),
	}
}

// mount builds the triggers service and mounts it at /hooks/:token (every
// method), then the REST API and the web UI.
func (w *wiring) mount(router *gin.Engine, deps app.Deps) error {
	trig, err := triggers.New(triggersConfig(deps), deps.Store, w.reg, deps.Temporal)
	if err != nil {
		return err
	}
	w.trig = trig
	router.Any(triggers.HookPath, func(c *gin.Context) { trig.Ingestor.Serve(c.Writer, c.Request, c.Param("token")) })

	svc := &manage.Service{Store: deps.Store, Registry: w.reg, Keyring: deps.Keyring,
		WebhookBaseURL: deps.Config.WebhookBaseURL(), SyncSchedule: trig.Scheduler.Sync}
	oauth, err := w.oauthFor(deps)
	if err != nil {
		return err
	}
	runner := &dryrun.Runner{Registry: w.reg, Store: deps.Store, Keyring: deps.Keyring, OAuth: oauth, Logger: deps.Logger}
	cfg := api.Config{Manage: svc, Logger: deps.Logger, Metrics: true, Tester: api.DryRuns(runner),
		Triggers: api.TriggersService(trig), Changed: trig.Invalidate, OAuth: oauth, OAuthRedirectURL: deps.Config.OAuthRedirectURL()}
	if deps.Temporal != nil {
		cfg.Runs = &runops.Controller{Store: deps.Store, Temporal: deps.Temporal, TaskQueue: deps.Config.TaskQueue, Keyring: deps.Keyring}
	}
	if err := api.Mount(router, cfg); err != nil {
		return err
	}
	// Alert runs start through the manual-run path, as POST
	// /workflows/{id}/run does; several API processes may evaluate, the
	// store lets exactly one notify each incident.
	interval := deps.Config.AlertInterval
	if alertInterval > 0 {
		interval = alertInterval
	}
	hc := health.Config{Store: deps.Store, Manage: svc, Starter: cfg.Triggers, Interval: interval,
		Logger: deps.Logger.With("component", "health")}
	if deps.Temporal != nil {
		hc.Waiting = health.TemporalWaiting(deps.Store, deps.Temporal, 0)
	}
	if w.health, err = health.NewEvaluator(hc); err != nil {
		return err
	}
	ui.Mount(router)
	return nil
}

// background runs the triggers service's loops (sweeper, pruner) and the
// health evaluator until shutdown, then closes the triggers service.
func (w *wiring) background(ctx context.Context, deps app.Deps) error {
	if w.trig == nil {
		return errors.New("the triggers service was not built: mount must run first")
	}
	if err := w.trig.Start(ctx); err != nil {
		return err
	}
	go w.health.Run(ctx)
	<-ctx.Done()
	return w.trig.Close()
}
