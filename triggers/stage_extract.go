package triggers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
)

// Stage 3, extract and filter: what events does the verified delivery
// carry, and which does the workflow want? The body is checked against
// the engine's limits, the trigger's extractor splits it into events with
// their provider ids and types, and each event is matched against the
// trigger's event types and filter. An event the workflow does not want
// is still logged, as "ignored".

// maxKeyLength bounds a provider event id used directly as the dedupe key;
// longer ids are hashed, so a caller cannot store megabytes per key.
const maxKeyLength = 200

// unparseableKeyPrefix keeps the body-hash dedupe keys of unparseable
// deliveries apart from provider event ids.
const unparseableKeyPrefix = "unparseable:"

// filterBudget bounds a trigger filter, which runs on the ingest path of
// every event: the interpreter's deterministic work budget (about 2 ms of
// CPU), with the wall-clock budget as a backstop. A filter over it
// refuses the event with the budget's message.
var filterBudget = expression.Budget{Work: expression.DefaultWork, Timeout: expression.DefaultTimeout}

// extract returns the inbox rows of the delivery's events, each pending
// or ignored, when the pipeline goes on. A body it cannot turn into
// events is refused (400), or kept as unparseable when its signature
// authenticated it; a delivery that carries no event is logged as
// ignored. Both end the pipeline here.
func (g *Ingestor) extract(w http.ResponseWriter, d *delivery) ([]*store.Event, bool) {
	events, code, reason := g.parse(d)
	if reason != "" {
		if connectors.Authenticates(d.rt.trigger.Verifier, d.rt.credential) {
			g.keepUnparseable(w, d, reason)
			return nil, false
		}
		d.reject(w, code, store.VerificationOK, reason)
		return nil, false
	}
	if len(events) == 0 {
		g.ignoreEmpty(w, d)
		return nil, false
	}
	rows := make([]*store.Event, len(events))
	for i, e := range events {
		rows[i] = g.eventRow(d, e)
	}
	return rows, true
}

// parse checks the body against the engine's limits and extracts its
// events. When it cannot, it returns the status code an unauthenticated
// sender gets and the reason.
func (g *Ingestor) parse(d *delivery) (events []connectors.Event, code int, reason string) {
	rt := d.rt
	// Form bodies (Twilio) and the BodyTypes of a trigger (Salesforce's
	// SOAP) are not JSON; their extractor builds JSON events, which are
	// checked below.
	if rt.trigger.JSONBody() {
		if err := checkBodyLimits(d.req.Body, g.cfg.MaxBodyDepth); err != nil {
			return nil, http.StatusBadRequest, err.Error()
		}
	}
	events, err := rt.trigger.Extractor.Extract(&d.req, connectors.Values(rt.pin.Trigger.Options))
	if err != nil {
		return nil, http.StatusBadRequest, err.Error()
	}
	if len(events) > g.cfg.MaxEventsPerDelivery {
		return nil, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("delivery carries %d events, over the limit of %d", len(events), g.cfg.MaxEventsPerDelivery)
	}
	if !rt.trigger.JSONBody() {
		for _, e := range events {
			if err := checkBodyLimits(e.Body, g.cfg.MaxBodyDepth); err != nil {
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
func (g *Ingestor) keepUnparseable(w http.ResponseWriter, d *delivery, reason string) {
	rt := d.rt
	ev := d.logRow(store.EventUnparseable, store.VerificationOK, reason)
	ev.DedupeKey = unparseableKeyPrefix + signature.ContentHash(d.req.Body)
	results, err := g.inbox.Commit(d.ctx(), []*store.Event{ev})
	if err != nil {
		countDelivery(rt, outcomeUnavailable)
		g.storeFailed(w, err)
		return
	}
	st := StatusUnparseable
	if results[0].Duplicate {
		st = StatusDuplicate
	}
	g.log.Warn("kept an authenticated delivery that cannot be parsed", "endpoint", rt.endpoint.ID,
		"event", results[0].ID, "reason", reason)
	countDelivery(rt, st)
	d.accept(w, Reply{EventID: results[0].ID, Status: st})
}

// ignoreEmpty logs a verified delivery that carries no event (a provider
// ping, an empty batch) as ignored and answers 202.
func (g *Ingestor) ignoreEmpty(w http.ResponseWriter, d *delivery) {
	ev := d.logRow(store.EventIgnored, store.VerificationOK, "the delivery carries no event")
	if _, err := g.inbox.Commit(d.ctx(), []*store.Event{ev}); err != nil {
		countDelivery(d.rt, outcomeUnavailable)
		g.storeFailed(w, err)
		return
	}
	countDelivery(d.rt, StatusIgnored)
	d.accept(w, Reply{EventID: ev.ID, Status: StatusIgnored})
}

// eventRow builds the inbox row of one extracted event and decides
// whether the workflow wants it.
func (g *Ingestor) eventRow(d *delivery, e connectors.Event) *store.Event {
	ev := d.logRow(store.EventPending, store.VerificationOK, "")
	ev.ProviderEventID = truncate(e.ID, 1024)
	ev.EventType = truncate(e.Type, 256)
	ev.Body = e.Body
	if reason := g.unwanted(d.rt, ev, e); reason != "" {
		ev.Status, ev.Reason = store.EventIgnored, reason
		return ev
	}
	ev.DedupeKey = dedupeKey(e.ID)
	next := d.received.Add(g.cfg.SweepGrace)
	ev.NextDispatchAt = &next
	return ev
}

// unwanted returns why the workflow does not want event e, or "".
func (g *Ingestor) unwanted(rt *route, ev *store.Event, e connectors.Event) string {
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
	scope := expression.NewScope(map[string]any{
		expression.RootTrigger: body,
		// The same event root the interpreter gives runs, so a filter reads
		// as it would in a step.
		expression.RootEvent: interpreter.EventRoot(interpreter.EventInfo{ID: ev.ID, ProviderID: e.ID, Type: e.Type,
			ReceivedAt: ev.ReceivedAt, Headers: ev.Headers}),
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
