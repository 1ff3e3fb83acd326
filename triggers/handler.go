package triggers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/platform/metrics"
	"github.com/hookflow/hookflow/engine/store"
)

// Delivery statuses in 2xx replies.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusIgnored   = "ignored"
	// StatusUnparseable: an authenticated delivery that could not be
	// turned into an event was kept for inspection and replay.
	StatusUnparseable = "unparseable"
)

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

// countDelivery counts one delivery (or one event of it) by endpoint id
// and outcome.
func countDelivery(rt *route, status string) {
	ep := unknownEndpoint
	if rt != nil {
		ep = rt.endpoint.ID
	}
	metrics.EventsReceived.WithLabelValues(ep, status).Inc()
}

// Reply is the JSON body of a 2xx webhook reply.
type Reply struct {
	EventID string `json:"event_id,omitempty"`
	Status  string `json:"status"`
	// Events lists each event of a delivery that carried several.
	Events []ReplyEvent `json:"events,omitempty"`
}

// ReplyEvent is one event of a multi-event delivery.
type ReplyEvent struct {
	EventID string `json:"event_id"`
	Status  string `json:"status"`
}

// notFoundBody is the one reply for unknown, disabled and deleted
// endpoints alike.
const notFoundBody = `{"error":"no webhook endpoint at this URL"}`

// maxTokenLength bounds a token before any lookup; real tokens are 32
// characters.
const maxTokenLength = 128

// maxKeyLength bounds a provider event id used directly as the dedupe key;
// longer ids are hashed, so a caller cannot store megabytes per key.
const maxKeyLength = 200

// redactedValue replaces the value of secret-bearing headers in the log.
const redactedValue = "[redacted]"

// alwaysRedacted lists headers redacted for every trigger.
var alwaysRedacted = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"}

// ServeHTTP serves /hooks/{token}: the token is the last path segment.
// Mount it with gin as router.Any("/hooks/:token", gin.WrapH(svc)).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimRight(r.URL.Path, "/")
	s.Serve(w, r, path[strings.LastIndexByte(path, '/')+1:])
}

// Serve runs one delivery to token through the pipeline (see the package
// documentation for the order of the steps and their status codes).
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, token string) {
	start := time.Now()
	received := s.now()
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	if !validToken(token) {
		countDelivery(nil, outcomeNotFound)
		writeRaw(w, http.StatusNotFound, "application/json", []byte(notFoundBody))
		return
	}
	rt, err := s.lookup(ctx, token)
	if err != nil {
		s.cfg.Logger.Error("looking up webhook endpoint", "error", err)
		countDelivery(nil, outcomeUnavailable)
		s.unavailable(w, "the event store is unavailable")
		return
	}
	if rt != nil {
		defer func() { metrics.IngestLatency.WithLabelValues(rt.connector).Observe(time.Since(start).Seconds()) }()
	}
	limit := s.cfg.MaxBodyBytes
	if rt != nil && rt.endpoint.MaxBodyBytes > 0 {
		limit = rt.endpoint.MaxBodyBytes
	}
	// 1. Body cap: refuse a declared oversize at once, before the lookup
	// result can show through.
	if r.ContentLength > limit {
		s.tooLarge(ctx, w, rt, r, received, limit)
		return
	}
	// 2. Endpoint.
	if rt == nil {
		countDelivery(nil, outcomeNotFound)
		writeRaw(w, http.StatusNotFound, "application/json", []byte(notFoundBody))
		return
	}
	// 3. Protections that shed load before the body is read.
	if rt.allowlist && !s.allowed(rt, r) {
		s.cfg.Logger.Warn("webhook refused by IP allowlist", "endpoint", rt.endpoint.ID, "remote", r.RemoteAddr)
		countDelivery(rt, outcomeForbidden)
		writeError(w, http.StatusForbidden, "this address is not allowed to call this endpoint")
		return
	}
	if ok, wait := s.limits.allow(rt.endpoint, received); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		countDelivery(rt, outcomeRateLimited)
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("rate limit of %g requests per second exceeded for this endpoint", rt.endpoint.RateLimit))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.tooLarge(ctx, w, rt, r, received, limit)
			return
		}
		countDelivery(rt, outcomeInvalid)
		writeError(w, http.StatusBadRequest, "reading request body: "+err.Error())
		return
	}
	req := &connectors.Request{Method: r.Method, URL: s.publicURL(r), Header: r.Header, Body: body, Received: received}
	d := &delivery{s: s, rt: rt, r: r, req: req, received: received}

	// 4. Handshakes.
	if rt.trigger.Handshaker != nil && rt.credErr == nil {
		if resp, handled := rt.trigger.Handshaker.Handshake(req, rt.credential); handled && resp != nil {
			if resp.Status >= 300 {
				countDelivery(rt, outcomeRejected)
				d.log(ctx, d.logRow(store.EventRejected, store.VerificationFailed, fmt.Sprintf("provider handshake refused (%d)", resp.Status)))
			} else {
				countDelivery(rt, outcomeHandshake)
				d.log(ctx, d.logRow(store.EventIgnored, store.VerificationOK, "provider handshake answered"))
			}
			writeRaw(w, resp.Status, resp.ContentType, resp.Body)
			return
		}
	}
	// 5. Method and content type.
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		d.reject(ctx, w, http.StatusMethodNotAllowed, store.VerificationSkipped, "method "+r.Method+" not allowed; send POST")
		return
	}
	if msg := checkContentType(r.Header.Get("Content-Type"), rt.trigger.FormBody); msg != "" {
		d.reject(ctx, w, http.StatusUnsupportedMediaType, store.VerificationSkipped, msg)
		return
	}
	// 6. Verify on the raw bytes.
	if rt.credErr != nil {
		s.cfg.Logger.Error("webhook credential unavailable", "endpoint", rt.endpoint.ID, "error", rt.credErr)
		d.log(ctx, d.logRow(store.EventRejected, store.VerificationFailed, "credential unavailable: "+rt.credErr.Error()))
		countDelivery(rt, outcomeUnavailable)
		s.unavailable(w, "this endpoint's credential cannot be read; the delivery was not accepted")
		return
	}
	if err := rt.trigger.Verifier.Verify(req, rt.credential, received); err != nil {
		// A verifier's reason is fixed text, never a request value, so it
		// may label the metric; any other error counts as "other".
		reason, metricReason := err.Error(), "other"
		var ve *connectors.VerifyError
		if errors.As(err, &ve) {
			reason, metricReason = ve.Reason, ve.Reason
		}
		s.cfg.Logger.Info("webhook verification failed", "endpoint", rt.endpoint.ID, "reason", reason)
		metrics.VerificationFailures.WithLabelValues(rt.connector, metricReason).Inc()
		d.reject(ctx, w, http.StatusUnauthorized, store.VerificationFailed, "verification failed: "+reason)
		return
	}
	// 7. Body limits and extract.
	events, code, reason := d.parse()
	if reason != "" {
		if connectors.Authenticates(rt.trigger.Verifier, rt.credential) {
			d.keepUnparseable(ctx, w, reason)
			return
		}
		d.reject(ctx, w, code, store.VerificationOK, reason)
		return
	}
	if len(events) == 0 {
		ev := d.logRow(store.EventIgnored, store.VerificationOK, "the delivery carries no event")
		if _, err := s.inbox.commit(ctx, []*store.Event{ev}); err != nil {
			countDelivery(rt, outcomeUnavailable)
			s.storeFailed(w, err)
			return
		}
		countDelivery(rt, StatusIgnored)
		writeJSON(w, http.StatusAccepted, Reply{EventID: ev.ID, Status: StatusIgnored})
		return
	}
	// 8. Filters.
	rows := make([]*store.Event, len(events))
	for i, e := range events {
		rows[i] = d.eventRow(e)
	}
	// 9. Dedupe and commit.
	results, err := s.inbox.commit(ctx, rows)
	if err != nil {
		countDelivery(rt, outcomeUnavailable)
		s.storeFailed(w, err)
		return
	}
	reply := Reply{}
	var accepted []store.Event
	for i, res := range results {
		st := StatusAccepted
		switch {
		case rows[i].Status == store.EventIgnored:
			st = StatusIgnored
		case res.Duplicate:
			st = StatusDuplicate
		default:
			accepted = append(accepted, *rows[i])
		}
		countDelivery(rt, st) // per event: a HubSpot batch of 10 counts 10
		if i == 0 {
			reply.EventID, reply.Status = res.ID, st
		}
		if len(results) > 1 {
			reply.Events = append(reply.Events, ReplyEvent{EventID: res.ID, Status: st})
		}
	}
	if len(results) > 1 {
		reply.Status = overall(reply.Events)
	}
	s.listen.notify(rt.endpoint.ID, *rows[0])
	// 10. Respond.
	if len(rows) == 1 && len(accepted) == 1 && rt.def.Trigger.Respond == definition.RespondOnComplete {
		s.respondOnComplete(ctx, w, accepted[0], reply)
		return
	}
	for _, ev := range accepted {
		s.enqueue(ev)
	}
	writeJSON(w, http.StatusAccepted, reply)
}

// parse checks the body against the engine's limits and extracts its
// events. When it cannot, it returns the status code an unauthenticated
// sender gets and the reason.
func (d *delivery) parse() (events []connectors.Event, code int, reason string) {
	s, rt := d.s, d.rt
	// Form bodies (Twilio) are not JSON; their extractor builds flat JSON
	// objects, which are checked below.
	if !rt.trigger.FormBody {
		if err := checkBodyLimits(d.req.Body, s.cfg.MaxBodyDepth); err != nil {
			return nil, http.StatusBadRequest, err.Error()
		}
	}
	events, err := rt.trigger.Extractor.Extract(d.req, connectors.Values(rt.def.Trigger.Options))
	if err != nil {
		return nil, http.StatusBadRequest, err.Error()
	}
	if len(events) > s.cfg.MaxEventsPerDelivery {
		return nil, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("delivery carries %d events, over the limit of %d", len(events), s.cfg.MaxEventsPerDelivery)
	}
	if rt.trigger.FormBody {
		for _, e := range events {
			if err := checkBodyLimits(e.Body, s.cfg.MaxBodyDepth); err != nil {
				return nil, http.StatusBadRequest, err.Error()
			}
		}
	}
	return events, 0, ""
}

// keepUnparseable stores an authenticated delivery the pipeline cannot
// turn into events as "unparseable" and answers 202. A provider whose
// genuine event is refused retries it for days (Stripe) or drops the
// subscription (Shopify); kept, it shows in the events log with its
// reason and can be replayed once the cause is fixed. Its dedupe key is
// the body's hash, so a provider retry is logged as a duplicate instead
// of stored twice.
func (d *delivery) keepUnparseable(ctx context.Context, w http.ResponseWriter, reason string) {
	s, rt := d.s, d.rt
	ev := d.logRow(store.EventUnparseable, store.VerificationOK, reason)
	ev.DedupeKey = unparseableKeyPrefix + signature.ContentHash(d.req.Body)
	results, err := s.inbox.commit(ctx, []*store.Event{ev})
	if err != nil {
		countDelivery(rt, outcomeUnavailable)
		s.storeFailed(w, err)
		return
	}
	st := StatusUnparseable
	if results[0].Duplicate {
		st = StatusDuplicate
	}
	s.cfg.Logger.Warn("kept an authenticated delivery that cannot be parsed", "endpoint", rt.endpoint.ID,
		"event", results[0].ID, "reason", reason)
	countDelivery(rt, st)
	writeJSON(w, http.StatusAccepted, Reply{EventID: results[0].ID, Status: st})
}

// unparseableKeyPrefix keeps the body-hash dedupe keys of unparseable
// deliveries apart from provider event ids.
const unparseableKeyPrefix = "unparseable:"

// overall is the status of a multi-event delivery: accepted when any
// event was, else duplicate when any was, else ignored.
func overall(evs []ReplyEvent) string {
	st := StatusIgnored
	for _, e := range evs {
		switch e.Status {
		case StatusAccepted:
			return StatusAccepted
		case StatusDuplicate:
			st = StatusDuplicate
		}
	}
	return st
}

// delivery carries one request through the pipeline.
type delivery struct {
	s        *Service
	rt       *route
	r        *http.Request
	req      *connectors.Request
	received time.Time
	headers  map[string]string
}

// logRow builds an event-log row for the whole delivery (raw body).
func (d *delivery) logRow(status, verification, reason string) *store.Event {
	return &store.Event{
		ID: store.NewID("evt"), EndpointID: d.rt.endpoint.ID, WorkflowID: d.rt.workflow.ID,
		WorkflowVersion: d.rt.workflow.CurrentVersion, Connector: d.rt.connector, ReceivedAt: d.received,
		Headers: d.redacted(), Body: d.req.Body, Verification: verification, Reason: reason, Status: status,
	}
}

// eventRow builds the inbox row of one extracted event and decides
// whether the workflow wants it.
func (d *delivery) eventRow(e connectors.Event) *store.Event {
	ev := d.logRow(store.EventPending, store.VerificationOK, "")
	ev.ProviderEventID = truncate(e.ID, 1024)
	ev.EventType = truncate(e.Type, 256)
	ev.Body = e.Body
	if reason := d.s.unwanted(d.rt, ev, e); reason != "" {
		ev.Status, ev.Reason = store.EventIgnored, reason
		return ev
	}
	ev.DedupeKey = dedupeKey(e.ID)
	next := d.received.Add(d.s.cfg.SweepGrace)
	ev.NextDispatchAt = &next
	return ev
}

// log writes a row and waits for the commit; a failure is only logged,
// since the reply to the caller does not depend on it.
func (d *delivery) log(ctx context.Context, ev *store.Event) {
	if _, err := d.s.inbox.commit(ctx, []*store.Event{ev}); err != nil {
		d.s.cfg.Logger.Error("logging webhook delivery", "endpoint", d.rt.endpoint.ID, "status", ev.Status, "reason", ev.Reason, "error", err)
	}
}

// reject logs the delivery as rejected and answers code with reason.
func (d *delivery) reject(ctx context.Context, w http.ResponseWriter, code int, verification, reason string) {
	switch code {
	case http.StatusUnauthorized:
		countDelivery(d.rt, outcomeRejected)
	case http.StatusRequestEntityTooLarge:
		countDelivery(d.rt, outcomeTooLarge)
	default:
		countDelivery(d.rt, outcomeInvalid)
	}
	d.log(ctx, d.logRow(store.EventRejected, verification, reason))
	if code == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "POST, PUT, PATCH")
	}
	writeError(w, code, reason)
}

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
	d.headers = h
	return h
}

func redact(h map[string]string, name string) {
	k := http.CanonicalHeaderKey(name)
	if _, ok := h[k]; ok {
		h[k] = redactedValue
	}
}

// unwanted returns why the workflow does not want event e, or "".
// filterBudget bounds a trigger filter, which runs on the ingest path of
// every event: the interpreter's deterministic work budget (about 2 ms of
// CPU), with the wall-clock budget as a backstop. A filter over it
// refuses the event with the budget's message.
var filterBudget = expression.Budget{Work: expression.DefaultWork, Timeout: expression.DefaultTimeout}

func (s *Service) unwanted(rt *route, ev *store.Event, e connectors.Event) string {
	if !rt.workflow.Active {
		return "workflow is not active"
	}
	if len(rt.events) > 0 && !matchType(rt.events, e.Type) {
		return fmt.Sprintf("event type %q is not one the trigger listens for", e.Type)
	}
	if rt.filterErr != nil {
		return "trigger filter does not compile: " + rt.filterErr.Error()
	}
	if rt.filter == nil {
		return ""
	}
	var body any
	if len(e.Body) > 0 {
		if err := json.Unmarshal(e.Body, &body); err != nil {
			return "trigger filter: event body is not JSON: " + err.Error()
		}
	}
	headers := map[string]any{}
	for k, v := range ev.Headers {
		headers[k] = v
	}
	scope := expression.NewScope(map[string]any{
		expression.RootTrigger: body,
		// The same event root the interpreter gives runs, so a filter reads
		// as it would in a step.
		expression.RootEvent: map[string]any{"id": ev.ID, "provider_id": e.ID, "type": e.Type, "received_at": ev.ReceivedAt.UTC().Format(time.RFC3339Nano),
			"headers": headers, "replay": false},
	}, ev.ReceivedAt).WithBudget(filterBudget)
	ok, err := rt.filter.EvalBool(scope)
	if err != nil {
		return "trigger filter failed: " + err.Error()
	}
	if !ok {
		return "trigger filter is false"
	}
	return ""
}

// matchType reports whether typ is in list; an entry "*" matches every
// type and "prefix.*" every type under prefix.
func matchType(list []string, typ string) bool {
	for _, t := range list {
		if t == typ || t == "*" {
			return true
		}
		if p, ok := strings.CutSuffix(t, "*"); ok && strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

// dedupeKey is the inbox dedupe key of a provider event id: the id itself,
// or its hash when it is long.
func dedupeKey(id string) string {
	if id == "" || len(id) <= maxKeyLength {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func validToken(t string) bool {
	if t == "" || len(t) > maxTokenLength {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// checkContentType returns why a content type is refused, or "". A
// missing Content-Type is let through: the body's format is checked by
// the extractor anyway, and some senders omit the header.
func checkContentType(ct string, form bool) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		if mt == "application/json" || strings.HasSuffix(mt, "+json") {
			return ""
		}
		if form && mt == "application/x-www-form-urlencoded" {
			return ""
		}
	}
	want := "application/json"
	if form {
		want += " or application/x-www-form-urlencoded"
	}
	return fmt.Sprintf("unsupported content type %q: this endpoint accepts %s", truncate(ct, 100), want)
}

// publicURL rebuilds the URL the provider called, from Config.PublicURL
// when set (hookflow behind a proxy), else from the request.
func (s *Service) publicURL(r *http.Request) *url.URL {
	if s.cfg.PublicURL != "" {
		if base, err := url.Parse(s.cfg.PublicURL); err == nil {
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

// allowed checks the caller's address against the endpoint's allowlist.
// X-Forwarded-For is believed only from Config.TrustedProxies, and then
// its right-most untrusted address is the caller.
func (s *Service) allowed(rt *route, r *http.Request) bool {
	ip, ok := s.clientIP(r)
	if !ok {
		return false
	}
	for _, p := range rt.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (s *Service) clientIP(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	ip = ip.Unmap()
	if !s.trustedProxy(ip) {
		return ip, true
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		hop = hop.Unmap()
		if !s.trustedProxy(hop) {
			return hop, true
		}
		ip = hop
	}
	return ip, true
}

func (s *Service) trustedProxy(ip netip.Addr) bool {
	return slices.ContainsFunc(s.trusted, func(p netip.Prefix) bool { return p.Contains(ip) })
}

// tooLarge answers 413 and logs it when the endpoint is known.
func (s *Service) tooLarge(ctx context.Context, w http.ResponseWriter, rt *route, r *http.Request, received time.Time, limit int64) {
	msg := fmt.Sprintf("request body is larger than this endpoint's limit of %d bytes", limit)
	countDelivery(rt, outcomeTooLarge)
	if rt != nil {
		d := &delivery{s: s, rt: rt, r: r, req: &connectors.Request{}, received: received}
		d.log(ctx, d.logRow(store.EventRejected, store.VerificationSkipped, msg))
	}
	// The rest of an oversized body is not read; close the connection
	// rather than leave it in an unknown state.
	w.Header().Set("Connection", "close")
	writeError(w, http.StatusRequestEntityTooLarge, msg)
}

// storeFailed answers 503 for a failed commit.
func (s *Service) storeFailed(w http.ResponseWriter, err error) {
	if errors.Is(err, context.Canceled) {
		return // the caller has gone; nothing to answer
	}
	s.cfg.Logger.Error("committing webhook events", "error", err)
	s.unavailable(w, "the event could not be stored; it was not accepted, retry later")
}

func (s *Service) unavailable(w http.ResponseWriter, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(int((s.cfg.RetryAfter+time.Second-1)/time.Second)))
	writeError(w, http.StatusServiceUnavailable, msg)
}

// respondOnComplete starts the run of a committed event and waits for its
// reply (a respond step, or the run's end). The event was committed
// before, so a timeout or a Temporal failure still ends in a run: the
// dispatcher takes over.
func (s *Service) respondOnComplete(ctx context.Context, w http.ResponseWriter, ev store.Event, reply Reply) {
	in, _, err := s.runInput(ctx, ev)
	if err != nil || s.temporal == nil {
		s.enqueue(ev)
		writeJSON(w, http.StatusAccepted, reply)
		return
	}
	timeout := s.cfg.RespondTimeout
	if d := s.routeTimeout(ev); d > 0 {
		timeout = d
	}
	resp, started, err := interpreter.StartAndAwaitResponse(ctx, s.temporal, s.cfg.TaskQueue, in, timeout)
	if err != nil && !started {
		s.cfg.Logger.Warn("starting run for a synchronous reply failed; the dispatcher will retry", "event", ev.ID, "error", err)
		s.enqueue(ev)
		writeJSON(w, http.StatusAccepted, reply)
		return
	}
	if serr := s.signalWaiting(ctx, ev); serr != nil {
		// The run exists; the dispatcher's start is a no-op and it
		// offers the event to waiting runs again.
		s.cfg.Logger.Warn("offering the event to waiting runs failed; the dispatcher will retry", "event", ev.ID, "error", serr)
		s.enqueue(ev)
	} else if merr := s.store.MarkDispatched(context.WithoutCancel(ctx), ev.ID, in.RunID); merr != nil {
		s.cfg.Logger.Warn("marking event dispatched", "event", ev.ID, "error", merr)
	}
	if err != nil {
		// Timed out (or the run ended without a reply): the run goes on.
		writeJSON(w, http.StatusAccepted, reply)
		return
	}
	writeResponse(w, resp)
}

func (s *Service) routeTimeout(ev store.Event) time.Duration {
	p, err := s.version(s.ctx, ev.WorkflowID, ev.WorkflowVersion)
	if err != nil {
		return 0
	}
	var def struct {
		Trigger struct {
			RespondTimeout definition.Duration `json:"respond_timeout"`
		} `json:"trigger"`
	}
	if json.Unmarshal(p.definition, &def) != nil {
		return 0
	}
	return def.Trigger.RespondTimeout.Value()
}

// hopHeaders are never copied from a workflow's reply.
var hopHeaders = map[string]bool{"Connection": true, "Content-Length": true, "Transfer-Encoding": true,
	"Keep-Alive": true, "Upgrade": true, "Trailer": true, "Te": true, "Proxy-Connection": true}

// writeResponse writes a reply shaped by a respond step. A JSON string
// body with a non-JSON content type is written as plain text.
func writeResponse(w http.ResponseWriter, resp interpreter.Response) {
	status := resp.Status
	if status < 200 || status > 599 {
		status = http.StatusOK
	}
	ct := ""
	for k, v := range resp.Headers {
		k = http.CanonicalHeaderKey(k)
		if hopHeaders[k] || strings.ContainsAny(v, "\r\n") {
			continue
		}
		if k == "Content-Type" {
			ct = v
			continue
		}
		w.Header().Set(k, v)
	}
	body := []byte(resp.Body)
	if ct == "" {
		ct = "application/json"
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		var str string
		if json.Unmarshal(body, &str) == nil {
			body = []byte(str)
		}
	}
	writeRaw(w, status, ct, body)
}

func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v)
	writeRaw(w, status, "application/json", buf.Bytes())
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// HookPath is the route of webhook endpoints in gin syntax.
const HookPath = "/hooks/:token"
