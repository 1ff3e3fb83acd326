package triggers

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
)

// HookPath is the route of webhook endpoints in gin syntax.
const HookPath = "/hooks/:token"

// Ingestor serves /hooks/{token}. Every delivery passes the same stages,
// each a function with one job (see the package documentation for what
// each answers):
//
//	admit    token, endpoint, body size, IP allowlist, rate limit; read the body
//	verify   provider handshake, method and content type, signature on the raw bytes
//	extract  engine limits, the provider's events, the trigger's event types and filter
//	commit   dedupe and commit to the inbox; tell the Listener
//	respond  202, or the run's own reply for respond: on_complete
//
// A stage that refuses a delivery answers it, logs it when the endpoint is
// known, and stops the pipeline.
type Ingestor struct {
	cfg      Config
	log      *slog.Logger
	registry *connectors.Registry
	store    *store.Store
	pins     *interpreter.Pins
	compiler *expression.Compiler
	trusted  []netip.Prefix
	limits   *limiters
	routes   routeCache
	inbox    Committer
	runs     Dispatch
	observer Observer
}

func newIngestor(cfg Config, st *store.Store, reg *connectors.Registry, pins *interpreter.Pins, trusted []netip.Prefix,
	inbox Committer, runs Dispatch, observer Observer) *Ingestor {
	return &Ingestor{cfg: cfg, log: cfg.Logger, registry: reg, store: st, pins: pins,
		compiler: expression.NewCompiler(expression.Limits{}), trusted: trusted, limits: newLimiters(),
		routes: newRouteCache(cfg.RouteCacheTTL, cfg.MaxCachedRoutes),
		inbox:  inbox, runs: runs, observer: observer}
}

// ServeHTTP serves /hooks/{token}: the token is the last path segment.
// Mount it with gin as router.Any(HookPath, gin.WrapH(ingestor)), or call
// Serve with the token.
func (g *Ingestor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimRight(r.URL.Path, "/")
	g.Serve(w, r, path[strings.LastIndexByte(path, '/')+1:])
}

// Serve runs one delivery to token through the stages.
func (g *Ingestor) Serve(w http.ResponseWriter, r *http.Request, token string) {
	start := time.Now()
	w.Header().Set("Cache-Control", "no-store")
	rt, d := g.admit(w, r, token)
	if rt != nil {
		defer observeLatency(rt.connector, start)
	}
	if d == nil || !g.verify(w, d) {
		return
	}
	rows, ok := g.extract(w, d)
	if !ok {
		return
	}
	reply, accepted, ok := g.commit(w, d, rows)
	if !ok {
		return
	}
	g.respond(w, d, accepted, reply)
}

func observeLatency(connector string, start time.Time) {
	metrics.IngestLatency.WithLabelValues(connector).Observe(time.Since(start).Seconds())
}

// delivery carries one request to a known endpoint through the stages.
type delivery struct {
	g        *Ingestor
	rt       *route
	r        *http.Request
	req      connectors.Request // what verifiers and extractors see
	received time.Time
	headers  map[string]string // the redacted headers, built once
}

// ctx is the request's context: every stage stops when the caller goes.
func (d *delivery) ctx() context.Context { return d.r.Context() }

// logRow builds an event-log row for the whole delivery (raw body).
func (d *delivery) logRow(status, verification, reason string) *store.Event {
	return &store.Event{
		ID: store.NewID("evt"), EndpointID: d.rt.endpoint.ID, WorkflowID: d.rt.workflow.ID,
		WorkflowVersion: d.rt.workflow.CurrentVersion, Connector: d.rt.connector, ReceivedAt: d.received,
		Headers: d.redacted(), Body: d.req.Body, Verification: verification, Reason: reason, Status: status,
	}
}

// log writes a row and waits for the commit; a failure is only logged,
// since the reply to the caller does not depend on it.
func (d *delivery) log(ev *store.Event) {
	if _, err := d.g.inbox.Commit(d.ctx(), []*store.Event{ev}); err != nil {
		d.g.log.Error("logging webhook delivery", "endpoint", d.rt.endpoint.ID, "status", ev.Status, "reason", ev.Reason, "error", err)
	}
}

// reject logs the delivery as rejected and answers code with reason.
func (d *delivery) reject(w http.ResponseWriter, code int, verification, reason string) {
	switch code {
	case http.StatusUnauthorized:
		countDelivery(d.rt, outcomeRejected)
	case http.StatusRequestEntityTooLarge:
		countDelivery(d.rt, outcomeTooLarge)
	default:
		countDelivery(d.rt, outcomeInvalid)
	}
	d.log(d.logRow(store.EventRejected, verification, reason))
	if code == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "POST, PUT, PATCH")
	}
	writeError(w, code, reason)
}

// redactedValue replaces the value of secret-bearing headers in the log.
const redactedValue = "[redacted]"

// alwaysRedacted lists headers redacted for every trigger.
var alwaysRedacted = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"}

// redacted returns the request headers for the log, with secret-bearing
// values replaced.
func (d *delivery) redacted() map[string]string {
	if d.headers != nil {
		return d.headers
	}
	h := make(map[string]string, len(d.r.Header))
	for k, v := range d.r.Header {
		h[k] = strings.Join(v, ", ")
	}
	for _, name := range alwaysRedacted {
		redact(h, name)
	}
	for _, name := range d.rt.trigger.SignatureHeaders {
		redact(h, name)
	}
	if sh, ok := d.rt.trigger.Verifier.(connectors.SecretHeaders); ok && d.rt.credential != nil {
		for _, name := range sh.SecretHeaders(d.rt.credential) {
			redact(h, name)
		}
	}
	if d.rt.previousUntil != nil {
		h[ReceivedViaHeader] = receivedViaPrevious
	}
	d.headers = h
	return h
}

func redact(h map[string]string, name string) {
	k := http.CanonicalHeaderKey(name)
	if _, ok := h[k]; ok {
		h[k] = redactedValue
	}
}

// Outcomes of deliveries that were not stored as events, the other values
// of hookflow_events_received_total's status label.
const (
	outcomeRejected    = "rejected"     // 401: verification failed, or a refused handshake
	outcomeInvalid     = "invalid"      // 400/405/415: malformed body, method or content type
	outcomeTooLarge    = "too_large"    // 413
	outcomeRateLimited = "rate_limited" // 429
	outcomeForbidden   = "forbidden"    // 403: IP allowlist
	outcomeUnavailable = "unavailable"  // 503: store or credential unavailable
	outcomeNotFound    = "not_found"    // 404: unknown or disabled endpoint
	outcomeHandshake   = "handshake"    // a provider handshake answered
)

// unknownEndpoint is the endpoint label of deliveries to no endpoint: a
// guessed token must not become a label value.
const unknownEndpoint = "unknown"

// countDelivery counts one delivery (or one event of it) by endpoint id,
// its workflow's id and name, its connector and the outcome.
func countDelivery(rt *route, status string) {
	labels := metrics.EventLabels(unknownEndpoint, "", "", "", status)
	if rt != nil {
		labels = metrics.EventLabels(rt.endpoint.ID, rt.workflow.ID, rt.workflow.Name, rt.connector, status)
	}
	metrics.EventsReceived.WithLabelValues(labels...).Inc()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
