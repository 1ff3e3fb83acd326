package pagerduty

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a Webhooks v3 delivery, {"event": {"id", "event_type",
// "resource_type", "occurred_at", "agent", "client", "data"}}: one event
// per delivery, whose type is event.event_type (incident.triggered,
// incident.resolved, service.updated, pagey.ping…) and whose dedupe key is
// event.id, which PagerDuty keeps when it retries. The workflow sees the
// whole body, so trigger.event.data is the incident.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading PagerDuty webhook: %w", err)
	}
	ev := gjson.GetBytes(r.Body, "event")
	if !ev.IsObject() {
		return nil, fmt.Errorf("reading PagerDuty webhook: the body has no \"event\" object (is this a v3 webhook subscription?)")
	}
	id := signature.IDString(ev.Get("id"))
	if id == "" {
		return nil, fmt.Errorf("reading PagerDuty webhook: event.id is missing")
	}
	typ := ev.Get("event_type").String()
	if typ == "" {
		return nil, fmt.Errorf("reading PagerDuty webhook %s: event.event_type is missing", id)
	}
	return []connectors.Event{{ID: id, Type: typ, Body: json.RawMessage(r.Body)}}, nil
}
