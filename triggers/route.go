package triggers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
)

// route is everything the stages need about one endpoint, loaded once
// and cached for Config.RouteCacheTTL.
type route struct {
	endpoint store.Endpoint
	workflow store.Workflow
	// pin is the workflow's current version, decoded once per process
	// (the Dispatcher starts the runs of its events from the same entry).
	pin        *interpreter.Pinned
	connector  string
	trigger    *connectors.Trigger
	credential connectors.Values
	credErr    error
	filter     *expression.Expr
	filterErr  error
	allow      []netip.Prefix
	allowlist  bool // allow is in force (an empty one refuses everyone)
	events     []string
	// previousUntil is set when the route was found by the endpoint's
	// previous token (a rotation with a grace period): the old URL works
	// until then, and events through it are marked in the log.
	previousUntil *time.Time
}

// expired reports whether r came through an old URL whose grace period
// has ended; a cached route must not outlive it.
func (r *route) expired(now time.Time) bool {
	return r != nil && r.previousUntil != nil && !now.Before(*r.previousUntil)
}

// ReceivedViaHeader marks, in the event log's headers, an event received
// through an endpoint's previous URL during a rotation's grace period, so
// the operator can see which senders still use the old URL.
const ReceivedViaHeader = "Hookflow-Received-Via"

// receivedViaPrevious is the value of ReceivedViaHeader for the old URL.
const receivedViaPrevious = "previous-url"

// routeCache keeps endpoint lookups by token. Unknown tokens are cached
// too, so guessing tokens costs no database read within the TTL; the
// cache starts over when it holds max entries, so guessing cannot grow it
// without limit either.
type routeCache struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[string]routeEntry
}

type routeEntry struct {
	r  *route // nil: no such (enabled) endpoint
	at time.Time
}

func newRouteCache(ttl time.Duration, max int) routeCache {
	return routeCache{ttl: ttl, max: max, m: map[string]routeEntry{}}
}

// lookup returns the route of token, loading it with load when it is not
// cached or older than the TTL: nil when there is none (unknown,
// disabled, deleted workflow, not a webhook workflow), or an error when
// the store cannot answer.
func (c *routeCache) lookup(ctx context.Context, token string, load func(context.Context, string) (*route, error)) (*route, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[token]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl && !e.r.expired(now) {
		return e.r, nil
	}
	r, err := load(ctx, token)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		c.m = map[string]routeEntry{}
	}
	c.m[token] = routeEntry{r: r, at: now}
	c.mu.Unlock()
	return r, nil
}

func (c *routeCache) reset() {
	c.mu.Lock()
	c.m = map[string]routeEntry{}
	c.mu.Unlock()
}

// loadRoute reads the endpoint of token, its workflow and the trigger's
// credential, and compiles the trigger's filter.
func (g *Ingestor) loadRoute(ctx context.Context, token string) (*route, error) {
	ep, err := g.store.GetEndpointByToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !ep.Enabled {
		return nil, nil
	}
	wf, err := g.store.GetWorkflow(ctx, ep.WorkflowID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pin, err := g.pins.Pin(wf.ID, wf.CurrentVersion, wf.Hash, wf.Definition)
	if err != nil {
		g.log.Error("webhook endpoint's workflow definition does not decode", "endpoint", ep.ID, "workflow", wf.ID, "error", err)
		return nil, nil
	}
	t := pin.Trigger
	if t.Type != definition.TriggerWebhook {
		return nil, nil
	}
	spec, _ := g.registry.Connector(t.Connector)
	trig := definition.ConnectorTrigger(spec, t.Type)
	if trig == nil {
		g.log.Warn("webhook endpoint's connector has no webhook trigger", "endpoint", ep.ID, "connector", t.Connector)
		return nil, nil
	}
	r := &route{endpoint: ep, workflow: wf, pin: pin, connector: t.Connector, trigger: trig, events: t.Events}
	if token != ep.Token {
		r.previousUntil = ep.PreviousTokenUntil
		if r.previousUntil == nil {
			// Found by a previous token whose end the store did not
			// report: treat it as already expired rather than open.
			return nil, nil
		}
	}
	if t.Credential != "" {
		r.credential, r.credErr = g.cfg.Credentials(ctx, t.Credential)
	}
	if r.credential == nil {
		r.credential = connectors.Values{}
	}
	if t.Filter != "" {
		r.filter, r.filterErr = g.compiler.Expr(t.Filter)
	}
	allow, err := parsePrefixes(ep.IPAllowlist)
	if err != nil {
		// A broken allowlist must not open the endpoint to everyone:
		// refuse every address until it is fixed.
		g.log.Error("webhook endpoint has an invalid IP allowlist; refusing all addresses", "endpoint", ep.ID, "error", err)
		allow = nil
	}
	r.allow = allow
	r.allowlist = err != nil || len(allow) > 0
	return r, nil
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

// publicURL rebuilds the URL the provider called, from Config.PublicURL
// when set (hookflow behind a proxy), else from the request.
func (g *Ingestor) publicURL(r *http.Request) *url.URL {
	if g.cfg.PublicURL != "" {
		if base, err := url.Parse(g.cfg.PublicURL); err == nil {
			u := *base
			u.Path = strings.TrimRight(base.Path, "/") + r.URL.Path
			u.RawPath = ""
			u.RawQuery = r.URL.RawQuery
			return &u
		}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery}
}
