package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// Starter starts the run of one committed event. It must be idempotent per
// in.RunID: starting a run id that already exists, running or finished, is
// success and starts nothing. orderKey, when not empty, queues the run
// behind earlier runs with the same key. The production Starter is
// TemporalStarter; the dispatcher treats any error as "try again later".
type Starter interface {
	StartRun(ctx context.Context, in interpreter.RunInput, orderKey string) error
}

// Signaller offers a committed event to the runs waiting for it: the
// wait_for_event steps whose event is sig.Type and whose correlation key is
// sig.Key. Calling it twice for one event is safe, because a run drops an
// EventID it has already received; that is what lets the dispatcher
// re-send a signal whose delivery it is unsure of. No run waiting is
// success. The production Signaller is TemporalStarter; the dispatcher
// treats any error as "try again later".
type Signaller interface {
	SignalWaiting(ctx context.Context, sig interpreter.EventSignal) error
}

// TemporalStarter starts runs and signals waiting runs with the
// interpreter's helpers.
type TemporalStarter struct {
	Client    client.Client
	TaskQueue string
}

var (
	_ Starter   = TemporalStarter{}
	_ Signaller = TemporalStarter{}
)

// SignalWaiting implements Signaller.
func (t TemporalStarter) SignalWaiting(ctx context.Context, sig interpreter.EventSignal) error {
	return interpreter.SignalWaiting(ctx, t.Client, t.TaskQueue, sig)
}

// StartRun implements Starter.
func (t TemporalStarter) StartRun(ctx context.Context, in interpreter.RunInput, orderKey string) error {
	if orderKey != "" {
		_, err := interpreter.StartOrdered(ctx, t.Client, t.TaskQueue, orderKey, in)
		return err
	}
	_, err := interpreter.Start(ctx, t.Client, t.TaskQueue, in)
	return err
}

// Errors callers of the Service can check with errors.Is.
var (
	// ErrUnavailable means the event store could not take a write (or is
	// overloaded); nothing was acknowledged and the caller should retry.
	ErrUnavailable = errors.New("event store unavailable")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("triggers service closed")
	// ErrListenTimeout means Listen saw no delivery within its timeout.
	ErrListenTimeout = errors.New("no delivery arrived before the timeout")
	// ErrTooManyListeners means Config.MaxListeners Listen calls already
	// wait on the endpoint.
	ErrTooManyListeners = errors.New("too many listeners on this endpoint")
	// ErrNotReplayable means the event cannot be replayed, such as a
	// delivery that failed verification.
	ErrNotReplayable = errors.New("event cannot be replayed")
	// ErrInvalidInput means the caller's input (a manual run body, a
	// version) is wrong; the message names the problem.
	ErrInvalidInput = errors.New("invalid input")
)

// Service is the ingestion pipeline and its background loops. Build it
// with New, serve it at /hooks/{token}, call Start once for the sweeper and
// the pruner, and Close at shutdown. All methods are safe for concurrent
// use.
type Service struct {
	cfg      Config
	store    *store.Store
	registry *connectors.Registry
	temporal client.Client
	starter  Starter
	signal   Signaller // nil: events are not offered to waiting runs
	// waitedTypes caches the event types store.WaitedFor said yes to.
	waitedTypes sync.Map
	compiler    *expression.Compiler
	trusted     []netip.Prefix

	inbox     *inbox
	dispatchQ chan store.Event
	limits    *limiters
	listen    *listeners

	routeMu sync.Mutex
	routes  map[string]routeEntry

	versionMu sync.Mutex
	versions  map[versionKey]*pinned

	ctx       context.Context // cancelled by Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	startOnce sync.Once
	closeOnce sync.Once
}

// New builds a Service and starts its committer and dispatch workers (the
// handler needs them); Start adds the sweeper and the pruner. st and reg
// are required; tc may be nil only when cfg.Starter is set and schedules
// are not used.
func New(cfg Config, st *store.Store, reg *connectors.Registry, tc client.Client) (*Service, error) {
	if st == nil || reg == nil {
		return nil, errors.New("creating triggers service: store and registry are required")
	}
	cfg = cfg.withDefaults()
	if cfg.TaskQueue == "" && cfg.Starter == nil {
		return nil, errors.New("creating triggers service: TaskQueue is required")
	}
	trusted, err := parsePrefixes(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("creating triggers service: trusted proxies: %w", err)
	}
	starter := cfg.Starter
	if starter == nil {
		if tc == nil {
			return nil, errors.New("creating triggers service: a Temporal client or a Starter is required")
		}
		starter = TemporalStarter{Client: tc, TaskQueue: cfg.TaskQueue}
	}
	signal := cfg.Signaller
	if signal == nil {
		signal, _ = starter.(Signaller)
	}
	if cfg.Credentials == nil {
		cfg.Credentials = StoreCredentials(st, cfg.Keyring)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		cfg: cfg, store: st, registry: reg, temporal: tc, starter: starter, signal: signal,
		compiler:  expression.NewCompiler(expression.Limits{}),
		trusted:   trusted,
		dispatchQ: make(chan store.Event, cfg.DispatchQueue),
		limits:    newLimiters(),
		listen:    newListeners(cfg.MaxListeners),
		routes:    map[string]routeEntry{},
		versions:  map[versionKey]*pinned{},
		ctx:       ctx, cancel: cancel,
	}
	s.inbox = newInbox(st, cfg, &s.wg)
	for range cfg.DispatchWorkers {
		s.wg.Go(s.dispatchLoop)
	}
	return s, nil
}

// Start runs the sweeper and the pruner until ctx is cancelled or Close is
// called. It returns at once; calling it again does nothing.
func (s *Service) Start(ctx context.Context) error {
	s.startOnce.Do(func() {
		loopCtx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-s.ctx.Done():
			case <-loopCtx.Done():
			}
			cancel()
		}()
		s.wg.Go(func() { s.sweepLoop(loopCtx) })
		s.wg.Go(func() { s.pruneLoop(loopCtx) })
	})
	return nil
}

// Close stops the background loops and the committer and waits for them.
// Requests still waiting for a commit get 503. Safe to call twice.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.inbox.close()
		s.wg.Wait()
	})
	return nil
}

// Invalidate forgets cached endpoint lookups, so a change made through the
// API (a disabled endpoint, a rotated token, a new version, an edited
// credential) applies to the next delivery.
func (s *Service) Invalidate() {
	s.routeMu.Lock()
	s.routes = map[string]routeEntry{}
	s.routeMu.Unlock()
	s.versionMu.Lock()
	s.versions = map[versionKey]*pinned{}
	s.versionMu.Unlock()
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// TaskQueue is the Temporal task queue runs start on.
func (s *Service) TaskQueue() string { return s.cfg.TaskQueue }

// StoreCredentials resolves a credential by name (or id) from the store
// and decrypts it with kr. The plaintext is the JSON object of the
// credential's field values.
func StoreCredentials(st *store.Store, kr *secrets.Keyring) CredentialFunc {
	return func(ctx context.Context, name string) (connectors.Values, error) {
		c, err := st.GetCredentialByName(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			c, err = st.GetCredential(ctx, name)
		}
		if err != nil {
			return nil, fmt.Errorf("loading credential %q: %w", name, err)
		}
		if kr == nil {
			return nil, fmt.Errorf("decrypting credential %q: no secret key is configured", name)
		}
		plain, err := kr.Decrypt(c.Ciphertext)
		if err != nil {
			return nil, fmt.Errorf("decrypting credential %q: %w", name, err)
		}
		var v connectors.Values
		if err := json.Unmarshal(plain, &v); err != nil {
			// The plaintext is never echoed: it is the secret.
			return nil, fmt.Errorf("decoding credential %q: not a JSON object of field values", name)
		}
		return v, nil
	}
}

// route is everything the pipeline needs about one endpoint, loaded once
// and cached for Config.RouteCacheTTL.
type route struct {
	endpoint   store.Endpoint
	workflow   store.Workflow
	def        *definition.Definition
	connector  string
	trigger    *connectors.Trigger
	credential connectors.Values
	credErr    error
	filter     *expression.Expr
	filterErr  error
	allow      []netip.Prefix
	allowlist  bool // allow is in force (an empty one refuses everyone)
	events     []string
}

type routeEntry struct {
	r  *route // nil: no such (enabled) endpoint
	at time.Time
}

// lookup returns the route of token, nil when there is none (unknown,
// disabled, deleted workflow, not a webhook workflow), or an error when the
// store cannot answer.
func (s *Service) lookup(ctx context.Context, token string) (*route, error) {
	now := time.Now()
	s.routeMu.Lock()
	e, ok := s.routes[token]
	s.routeMu.Unlock()
	if ok && now.Sub(e.at) < s.cfg.RouteCacheTTL {
		return e.r, nil
	}
	r, err := s.loadRoute(ctx, token)
	if err != nil {
		return nil, err
	}
	s.routeMu.Lock()
	if len(s.routes) >= s.cfg.MaxCachedRoutes {
		s.routes = map[string]routeEntry{}
	}
	s.routes[token] = routeEntry{r: r, at: now}
	s.routeMu.Unlock()
	return r, nil
}

func (s *Service) loadRoute(ctx context.Context, token string) (*route, error) {
	ep, err := s.store.GetEndpointByToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !ep.Enabled {
		return nil, nil
	}
	wf, err := s.store.GetWorkflow(ctx, ep.WorkflowID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var def definition.Definition
	if err := json.Unmarshal(wf.Definition, &def); err != nil {
		s.cfg.Logger.Error("webhook endpoint's workflow definition does not decode", "endpoint", ep.ID, "workflow", wf.ID, "error", err)
		return nil, nil
	}
	if def.Trigger.Type != definition.TriggerWebhook {
		return nil, nil
	}
	trig := s.webhookTrigger(def.Trigger)
	if trig == nil {
		s.cfg.Logger.Warn("webhook endpoint's connector has no webhook trigger", "endpoint", ep.ID, "connector", def.Trigger.Connector)
		return nil, nil
	}
	r := &route{endpoint: ep, workflow: wf, def: &def, connector: def.Trigger.Connector, trigger: trig, events: def.Trigger.Events}
	if def.Trigger.Credential != "" {
		r.credential, r.credErr = s.cfg.Credentials(ctx, def.Trigger.Credential)
	}
	if r.credential == nil {
		r.credential = connectors.Values{}
	}
	if def.Trigger.Filter != "" {
		r.filter, r.filterErr = s.compiler.Expr(def.Trigger.Filter)
	}
	allow, err := parsePrefixes(ep.IPAllowlist)
	if err != nil {
		// A broken allowlist must not open the endpoint to everyone:
		// refuse every address until it is fixed.
		s.cfg.Logger.Error("webhook endpoint has an invalid IP allowlist; refusing all addresses", "endpoint", ep.ID, "error", err)
		allow = nil
	}
	r.allow = allow
	r.allowlist = err != nil || len(allow) > 0
	return r, nil
}

// webhookTrigger picks the connector trigger a definition names, the way
// definition validation does: the trigger named like the definition's
// trigger type, or the connector's only trigger.
func (s *Service) webhookTrigger(t definition.Trigger) *connectors.Trigger {
	spec, ok := s.registry.Connector(t.Connector)
	if !ok {
		return nil
	}
	for _, tr := range spec.Triggers {
		if tr.Name == t.Type || len(spec.Triggers) == 1 {
			return tr
		}
	}
	return nil
}

// parsePrefixes reads CIDRs and bare addresses.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR: %w", s, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR: %w", s, err)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// versionKey names one pinned definition version.
type versionKey struct {
	workflow string
	version  int
}

// pinned is a workflow version as runs need it.
type pinned struct {
	definition     json.RawMessage
	hash           string
	orderKey       string
	correlationKey string
}

// version loads (and caches) a workflow version's definition.
func (s *Service) version(ctx context.Context, workflowID string, v int) (*pinned, error) {
	k := versionKey{workflowID, v}
	s.versionMu.Lock()
	p, ok := s.versions[k]
	s.versionMu.Unlock()
	if ok {
		return p, nil
	}
	wv, err := s.store.GetVersion(ctx, workflowID, v)
	if err != nil {
		return nil, err
	}
	var def definition.Definition
	if err := json.Unmarshal(wv.Definition, &def); err != nil {
		return nil, fmt.Errorf("decoding version %d of workflow %s: %w", v, workflowID, err)
	}
	p = &pinned{definition: json.RawMessage(wv.Definition), hash: wv.Hash, orderKey: def.Trigger.OrderKey,
		correlationKey: def.Trigger.CorrelationKey}
	s.versionMu.Lock()
	if len(s.versions) >= 1024 {
		s.versions = map[versionKey]*pinned{}
	}
	s.versions[k] = p
	s.versionMu.Unlock()
	return p, nil
}
