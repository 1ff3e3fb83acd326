// Package app wires one hookflow process together: the store, the Temporal
// client, the Temporal worker and the HTTP server, with readiness tracking
// and a graceful shutdown.
//
// cmd/hookflow builds an App for each command (dev, server, worker) and tests
// start one in-process. What runs on top of it is wired in cmd/hookflow
// and plugs in through Component: the interpreter registers its workflow
// and activities, the API and triggers mount their routes and run their
// background jobs. The App owns the plumbing every process shares: the
// listeners, the store, the Temporal client and worker, the keyring
// (parsed once, handed out in Deps) and the readiness probes, which it
// mounts (package health) on the router the wiring gives it. This package
// never imports go.temporal.io/server, nor anything above engine/;
// `hookflow dev` starts the embedded server first and passes its address
// in Config.TemporalAddress.
package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/platform/health"
	"github.com/hookflow/hookflow/engine/platform/httpedge"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// Named defaults of start-up. The HTTP server's limits are settings (see
// engine/platform/config).
const (
	// readyPollInterval is how often WaitReady re-runs the probes.
	readyPollInterval = 25 * time.Millisecond
	// dialRetryInterval is the pause between attempts to reach Temporal.
	dialRetryInterval = 250 * time.Millisecond
)

func init() {
	// Release mode keeps gin from printing its debug route table on start.
	gin.SetMode(gin.ReleaseMode)
}

// Role says which parts a process runs. `hookflow dev` runs both.
type Role uint

// The roles.
const (
	// RoleAPI serves HTTP (API, UI, webhooks) and runs background jobs.
	RoleAPI Role = 1 << iota
	// RoleWorker polls the Temporal task queue.
	RoleWorker

	RoleAll = RoleAPI | RoleWorker
)

// Deps are the shared services handed to every Component hook.
type Deps struct {
	Config config.Config
	// Keyring encrypts credentials at rest: the secret key, parsed once
	// here for everything in the process. Nil when Options did not ask
	// for a secret key.
	Keyring *secrets.Keyring
	Store   *store.Store
	// Temporal is the client for starting, signalling and querying
	// workflows. In an API-only process it connects lazily, so the API keeps
	// accepting webhooks while Temporal is down.
	Temporal client.Client
	Logger   *slog.Logger
}

// Component is how a package plugs into a hookflow process. Every hook is
// optional and is called once, in the order components are listed.
type Component struct {
	// Name identifies the component in errors and logs.
	Name string
	// RegisterWorker registers workflows and activities. It is called in
	// worker processes before the worker starts polling. An error aborts
	// start-up.
	RegisterWorker func(reg worker.Registry, deps Deps) error
	// Mount adds HTTP routes. It is called in API processes before the
	// server accepts connections. An error aborts start-up.
	Mount func(router *gin.Engine, deps Deps) error
	// Background runs a long-lived job (dispatcher, sweeper, retention
	// pruning) in API processes. It must return when ctx is cancelled; a
	// non-nil error other than ctx's stops the whole process.
	Background func(ctx context.Context, deps Deps) error
}

// Options configure New.
type Options struct {
	Role       Role
	Components []Component
	// Migrate applies pending store migrations before anything else.
	Migrate bool
	// SecretKey resolves Config.SecretKey and parses it into
	// Deps.Keyring. SecretKeyGenerate lets it be created in the data
	// folder (dev only).
	SecretKey         bool
	SecretKeyGenerate bool
	// Router builds the HTTP router the App mounts its probes and the
	// components' routes on, given the process logger; the wiring injects
	// the API's (panic recovery and all). Nil means a bare gin router.
	Router func(logger *slog.Logger) *gin.Engine
	// Logger defaults to Config.NewLogger().
	Logger *slog.Logger
}

// App is a running (or ready to run) hookflow process.
type App struct {
	cfg    config.Config
	opts   Options
	log    *slog.Logger
	deps   Deps
	worker worker.Worker
	router *gin.Engine
	ln     net.Listener
	http   *http.Server
	// challengeLn and challenge serve ACME http-01 challenges and redirect
	// plain HTTP to HTTPS, with automatic certificates only.
	challengeLn net.Listener
	challenge   *http.Server
	pprof       *Pprof
	probes      []health.Probe

	workerStarted atomic.Bool
	ran           atomic.Bool
	closeOnce     sync.Once
	closeErr      error
}

// New opens the store, connects to Temporal, builds the worker and the router
// and binds the HTTP port. Nothing is served until Run. On error everything
// opened so far is closed again.
func New(ctx context.Context, cfg config.Config, opts Options) (a *App, err error) {
	if opts.Role == 0 {
		return nil, errors.New("creating app: Options.Role is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = cfg.NewLogger()
	}
	a = &App{cfg: cfg, opts: opts, log: logger}
	a.deps = Deps{Config: cfg, Logger: logger}
	// `return nil, err` clears a before deferred calls run, so keep our own
	// reference for the clean-up.
	opened := a
	defer func() {
		if err != nil {
			_ = opened.Close()
		}
	}()

	// Bind the port before the slow parts, so a second instance fails at once
	// with the port in the message. A worker serves only health checks, and
	// only when given an address.
	listenAddr := cfg.HTTPAddr
	if opts.Role&RoleAPI == 0 {
		listenAddr = cfg.HealthAddr
	}
	if listenAddr != "" {
		ln, err := net.Listen("tcp", listenAddr)
		if err != nil {
			return nil, fmt.Errorf("HTTP port %s is busy or not usable: %w", listenAddr, err)
		}
		a.ln = ln
	}

	// Certificates are read, and the challenge port bound, before the slow
	// parts too: a bad certificate file is a start-up error naming it.
	var edgeTLS *httpedge.TLS
	if a.ln != nil && opts.Role&RoleAPI != 0 && cfg.TLSEnabled() {
		if edgeTLS, err = a.setUpTLS(); err != nil {
			return nil, err
		}
	}

	ApplyMemoryLimit(cfg.MemoryLimitMiB)
	if cfg.PprofAddr != "" {
		if a.pprof, err = ServePprof(cfg.PprofAddr, logger); err != nil {
			return nil, err
		}
	}

	if cfg.DatabaseURL == "" {
		// The default store lives in the data folder; a fresh machine has none.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("creating data folder: %w", err)
		}
	}
	st, err := store.Open(ctx, cfg.StoreURL())
	if err != nil {
		return nil, err // one line, names the host, never the password
	}
	a.deps.Store = st
	if opts.Migrate {
		if err := st.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("migrating store: %w", err)
		}
	}
	if opts.SecretKey {
		key, err := cfg.EnsureSecretKey(opts.SecretKeyGenerate)
		if err != nil {
			return nil, err
		}
		if a.deps.Keyring, err = secrets.ParseKeys(key); err != nil {
			return nil, fmt.Errorf("reading the secret key (%s): %w", config.EnvName("secret-key"), err)
		}
	}

	copts, err := clientOptions(cfg, logger)
	if err != nil {
		return nil, err
	}
	if opts.Role&RoleWorker != 0 {
		// A worker is useless without Temporal, so wait for it (bounded).
		a.deps.Temporal, err = dialWithRetry(ctx, copts, cfg.TemporalConnectTimeout)
	} else {
		a.deps.Temporal, err = client.NewLazyClient(copts)
	}
	if err != nil {
		return nil, err
	}

	if opts.Role&RoleWorker != 0 {
		a.worker = worker.New(a.deps.Temporal, cfg.TaskQueue, worker.Options{
			WorkerStopTimeout:                drainBudget(cfg.ShutdownTimeout),
			MaxConcurrentWorkflowTaskPollers: cfg.WorkerPollers,
			MaxConcurrentActivityTaskPollers: cfg.WorkerPollers,
		})
		for _, c := range opts.Components {
			if c.RegisterWorker == nil {
				continue
			}
			if err := c.RegisterWorker(a.worker, a.deps); err != nil {
				return nil, fmt.Errorf("registering %s on the worker: %w", c.Name, err)
			}
		}
	}

	a.probes = a.buildProbes()
	if a.ln != nil {
		if opts.Router != nil {
			a.router = opts.Router(logger)
		} else {
			a.router = gin.New()
		}
		health.Mount(a.router, a.probes, health.DefaultProbeTimeout)
	}
	if opts.Role&RoleAPI != 0 {
		for _, c := range opts.Components {
			if c.Mount == nil {
				continue
			}
			if err := c.Mount(a.router, a.deps); err != nil {
				return nil, fmt.Errorf("mounting %s routes: %w", c.Name, err)
			}
		}
	}
	if a.ln != nil {
		a.http = &http.Server{
			Handler: httpedge.Guard(capBodies(a.router, cfg.MaxBodyBytes), httpedge.GuardConfig{
				BodyTimeout: cfg.HTTPBodyTimeout,
				MaxInFlight: cfg.MaxInFlightWebhooks,
				Limited:     isWebhook,
				Logger:      logger,
			}),
			ReadHeaderTimeout: cfg.HTTPReadHeaderTimeout,
			IdleTimeout:       cfg.HTTPIdleTimeout,
			// No ReadTimeout: the guard bounds each body on its own. No
			// WriteTimeout: it would cut the replies that wait by design,
			// "listen for a test event" (up to api.MaxListenTimeout) and
			// synchronous webhook replies (a trigger's respond_timeout).
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		}
		if edgeTLS != nil {
			a.http.TLSConfig = edgeTLS.Config
		}
	}
	return a, nil
}

// setUpTLS loads the HTTPS certificate source and, for automatic
// certificates with a challenge address, binds the plain-HTTP listener.
func (a *App) setUpTLS() (*httpedge.TLS, error) {
	cfg := a.cfg
	t, err := httpedge.NewTLS(httpedge.TLSConfig{
		CertFile:      cfg.TLSCert,
		KeyFile:       cfg.TLSKey,
		AutoHosts:     cfg.TLSAutoHosts,
		CacheDir:      cfg.TLSCacheFolder(),
		ACMEDirectory: cfg.TLSACMEDirectory,
		Email:         cfg.TLSACMEEmail,
		HTTPChallenge: cfg.TLSChallengeAddr != "",
		Logger:        a.log.With("component", "tls"),
	})
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Scheme == "http" {
		a.log.Warn("serving HTTPS but --public-url is http://; webhook URLs shown to users will be plain HTTP",
			"public_url", cfg.PublicURL)
	}
	if t.Challenge != nil {
		ln, err := net.Listen("tcp", cfg.TLSChallengeAddr)
		if err != nil {
			return nil, fmt.Errorf("ACME challenge port %s (--tls-challenge-addr) is busy or not usable: %w; "+
				"set --tls-challenge-addr to a usable address, or to \"\" to rely on tls-alpn-01 on the HTTPS port", cfg.TLSChallengeAddr, err)
		}
		a.challengeLn = ln
		a.challenge = &http.Server{
			Handler:           t.Challenge,
			ReadHeaderTimeout: cfg.HTTPReadHeaderTimeout,
			ReadTimeout:       cfg.HTTPBodyTimeout, // nothing here waits after its request
			WriteTimeout:      cfg.HTTPBodyTimeout,
			IdleTimeout:       cfg.HTTPIdleTimeout,
			ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		}
	}
	return t, nil
}

// isWebhook selects webhook deliveries, whose bodies the guard caps in
// flight. The API's own requests are authenticated and fewer.
func isWebhook(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, webhookPathPrefix)
}

// webhookPathPrefix is where the triggers pipeline serves deliveries.
const webhookPathPrefix = "/hooks/"

func (a *App) buildProbes() []health.Probe {
	probes := []health.Probe{
		{Name: "store", Check: a.deps.Store.Ping},
		{
			Name: "temporal",
			Check: func(ctx context.Context) error {
				_, err := a.deps.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			},
			// An API-only process stays ready without Temporal: webhooks
			// wait in the inbox until the dispatcher can start them.
			Optional: a.opts.Role&RoleWorker == 0,
		},
	}
	if a.opts.Role&RoleWorker != 0 {
		probes = append(probes, health.Probe{Name: "worker", Check: func(context.Context) error {
			if !a.workerStarted.Load() {
				return errors.New("worker not started")
			}
			return nil
		}})
	}
	return probes
}

// Deps returns the shared services (store, Temporal client, config).
func (a *App) Deps() Deps { return a.deps }

// Router is the HTTP router (nil in a worker without --health-addr).
func (a *App) Router() *gin.Engine { return a.router }

// Addr is the bound HTTP address, useful when Config.HTTPAddr has port 0.
// It is nil in a worker without --health-addr.
func (a *App) Addr() net.Addr {
	if a.ln == nil {
		return nil
	}
	return a.ln.Addr()
}

// ChallengeAddr is the bound address of the plain-HTTP listener of
// automatic certificates (--tls-challenge-addr), or nil when there is none.
func (a *App) ChallengeAddr() net.Addr {
	if a.challengeLn == nil {
		return nil
	}
	return a.challengeLn.Addr()
}

// Ready runs the readiness probes once, as GET /readyz does.
func (a *App) Ready(ctx context.Context) health.Report {
	return health.Run(ctx, a.probes, health.DefaultProbeTimeout)
}

// WaitReady blocks until every required probe passes or ctx ends.
func (a *App) WaitReady(ctx context.Context) error {
	for {
		body := a.Ready(ctx)
		if body.Status == health.StatusReady {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for readiness %v: %w", body.Checks, ctx.Err())
		case <-time.After(readyPollInterval):
		}
	}
}

// Run starts the worker, the HTTP server and the background jobs, and blocks
// until ctx is cancelled or one of them fails. It then drains in-flight HTTP
// requests and worker tasks within Config.ShutdownTimeout and closes
// everything. Run may be called once.
func (a *App) Run(ctx context.Context) error {
	if !a.ran.CompareAndSwap(false, true) {
		return errors.New("app: Run called twice")
	}
	defer a.Close()

	jobCtx, cancelJobs := context.WithCancel(context.Background())
	defer cancelJobs()
	errc := make(chan error, len(a.opts.Components)+3)
	var jobs sync.WaitGroup

	if a.worker != nil {
		if err := a.worker.Start(); err != nil {
			return fmt.Errorf("starting worker on task queue %q: %w", a.cfg.TaskQueue, err)
		}
		a.workerStarted.Store(true)
	}
	if a.http != nil {
		go func() {
			var err error
			if a.http.TLSConfig != nil {
				// The certificate comes from TLSConfig.GetCertificate.
				err = a.http.ServeTLS(a.ln, "", "")
			} else {
				err = a.http.Serve(a.ln)
			}
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serving HTTP on %s: %w", a.ln.Addr(), err)
			}
		}()
	}
	if a.challenge != nil {
		go func() {
			if err := a.challenge.Serve(a.challengeLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serving ACME challenges on %s: %w", a.challengeLn.Addr(), err)
			}
		}()
	}
	if a.opts.Role&RoleAPI != 0 {
		for _, c := range a.opts.Components {
			if c.Background == nil {
				continue
			}
			jobs.Go(func() {
				if err := c.Background(jobCtx, a.deps); err != nil && jobCtx.Err() == nil {
					errc <- fmt.Errorf("running %s: %w", c.Name, err)
				}
			})
		}
	}

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
		a.log.Error("stopping after failure", "error", runErr)
	}

	// Drain HTTP and the worker at the same time, both bounded by the
	// shutdown timeout.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), drainBudget(a.cfg.ShutdownTimeout))
	defer cancel()
	var drain sync.WaitGroup
	if a.http != nil {
		drain.Go(func() {
			if err := a.http.Shutdown(shutdownCtx); err != nil {
				a.log.Warn("HTTP drain cut short", "error", err)
				_ = a.http.Close()
			}
		})
	}
	if a.challenge != nil {
		drain.Go(func() {
			if err := a.challenge.Shutdown(shutdownCtx); err != nil {
				_ = a.challenge.Close()
			}
		})
	}
	if a.worker != nil {
		drain.Go(func() {
			a.worker.Stop() // waits for running tasks up to WorkerStopTimeout
			a.workerStarted.Store(false)
		})
	}
	drain.Wait()
	cancelJobs()
	jobsDone := make(chan struct{})
	go func() { jobs.Wait(); close(jobsDone) }()
	select {
	case <-jobsDone:
	case <-shutdownCtx.Done():
		a.log.Warn("background jobs did not stop within the shutdown timeout")
	}
	return runErr
}

// Close releases the listener, Temporal client and store. Run calls it on
// return; call it yourself only when Run was never called. Safe to call
// twice.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		var errs []error
		if a.ln != nil {
			// Already closed when the HTTP server shut down; that error is
			// expected and says nothing.
			if err := a.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, err)
			}
		}
		if a.challengeLn != nil {
			if err := a.challengeLn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, err)
			}
		}
		if err := a.pprof.Close(); err != nil {
			errs = append(errs, err)
		}
		if a.deps.Temporal != nil {
			a.deps.Temporal.Close()
		}
		if a.deps.Store != nil {
			if err := a.deps.Store.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing store: %w", err))
			}
		}
		a.closeErr = errors.Join(errs...)
	})
	return a.closeErr
}

// drainBudget is the part of the shutdown timeout given to draining HTTP
// requests and worker tasks; the rest is left for closing connections and,
// in `hookflow dev`, stopping the embedded Temporal server, so the process
// exits within the configured timeout.
func drainBudget(timeout time.Duration) time.Duration {
	return timeout * 7 / 10
}

// clientOptions builds the Temporal client options: address, namespace, TLS
// or mTLS, and an API key.
func clientOptions(cfg config.Config, logger *slog.Logger) (client.Options, error) {
	opts := client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace,
		Logger:    sdklog.NewStructuredLogger(temporalClientLogger(cfg, logger)),
	}
	if isLoopback(cfg.TemporalAddress) {
		// The SDK gzips every request by default. On loopback that buys
		// nothing and cost 4% of `hookflow dev`'s CPU under load (both
		// ends compress and decompress); across a network it is kept.
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	if cfg.TemporalTLSEnabled() {
		tlsCfg := &tls.Config{ServerName: cfg.TemporalTLSServerName, MinVersion: tls.VersionTLS12}
		if cfg.TemporalTLSCert != "" {
			cert, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
			if err != nil {
				return opts, fmt.Errorf("loading Temporal client certificate (--temporal-tls-cert/--temporal-tls-key): %w", err)
			}
			tlsCfg.Certificates = []tls.Certificate{cert}
		}
		if cfg.TemporalTLSCA != "" {
			pem, err := os.ReadFile(cfg.TemporalTLSCA)
			if err != nil {
				return opts, fmt.Errorf("reading Temporal CA (--temporal-tls-ca): %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return opts, fmt.Errorf("reading Temporal CA (--temporal-tls-ca): %s holds no PEM certificate", cfg.TemporalTLSCA)
			}
			tlsCfg.RootCAs = pool
		}
		opts.ConnectionOptions.TLS = tlsCfg
	}
	if cfg.TemporalAPIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.TemporalAPIKey)
	}
	return opts, nil
}

// isLoopback reports whether hostPort names this machine: localhost or a
// loopback IP.
func isLoopback(hostPort string) bool {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		host = hostPort
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dialWithRetry connects to Temporal, retrying until timeout: in compose and
// in `hookflow dev` the server may still be starting.
func dialWithRetry(ctx context.Context, opts client.Options, timeout time.Duration) (client.Client, error) {
	deadline := time.Now().Add(timeout)
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := client.DialContext(attemptCtx, opts)
		if err == nil {
			// A server that has just started may not serve the namespace
			// yet (a PostgreSQL-backed one registers it after it starts
			// listening; docker-compose set-ups create it after the
			// server is up): wait for it as for the server itself, since
			// a worker started now would fail with "namespace not found".
			_, err = c.WorkflowService().DescribeNamespace(attemptCtx, &workflowservice.DescribeNamespaceRequest{Namespace: opts.Namespace})
			var missing *serviceerror.NamespaceNotFound
			if !errors.As(err, &missing) {
				cancel()
				return c, nil
			}
			c.Close()
		}
		cancel()
		if ctx.Err() != nil || time.Now().After(deadline) {
			return nil, fmt.Errorf("connecting to Temporal at %s (namespace %s): %w", opts.HostPort, opts.Namespace, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connecting to Temporal at %s: %w", opts.HostPort, ctx.Err())
		case <-time.After(dialRetryInterval):
		}
	}
}

// temporalClientLogger is the logger of the Temporal SDK (client and
// worker). The SDK reports routine events ("Started Worker", each poller)
// at info, so it logs at the embedded server's level (warn by default) or
// hookflow's own, whichever is stricter: Temporal stays quiet unless
// something is wrong, and `hookflow dev` prints just its banner.
func temporalClientLogger(cfg config.Config, logger *slog.Logger) *slog.Logger {
	level, err := config.ParseLevel(cfg.TemporalLogLevel)
	if err != nil {
		level = slog.LevelWarn
	}
	return slog.New(minLevelHandler{Handler: logger.Handler(), min: level}).With("component", "temporal-client")
}

// minLevelHandler drops records below min before they reach Handler.
type minLevelHandler struct {
	slog.Handler
	min slog.Level
}

func (h minLevelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevelHandler{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h minLevelHandler) WithGroup(name string) slog.Handler {
	return minLevelHandler{Handler: h.Handler.WithGroup(name), min: h.min}
}

// capBodies caps every request body at limit, except webhook deliveries
// under /hooks/: the triggers pipeline caps those per endpoint (a provider
// may need more than the API's limit, up to the endpoint ceiling the API
// enforces), and answers 413 naming the endpoint's own limit.
func capBodies(h http.Handler, limit int64) http.Handler {
	capped := http.MaxBytesHandler(h, limit)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebhook(r) {
			h.ServeHTTP(w, r)
			return
		}
		capped.ServeHTTP(w, r)
	})
}
