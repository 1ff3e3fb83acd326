package sendgrid

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// MaxBatch bounds the events one delivery may carry. SendGrid batches up
// to a few thousand events in one POST; more than this is not SendGrid.
const MaxBatch = 10000

// Extract splits an Event Webhook delivery, a JSON array of events, into
// one Event each: the type is "event" (delivered, open, bounce…), the
// dedupe key "sg_event_id", which SendGrid keeps when it retries a
// batch. An event without sg_event_id (very old accounts) is keyed by a
// hash of its own JSON, so an identical retry still dedupes.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading SendGrid events: %w", err)
	}
	batch := gjson.ParseBytes(r.Body)
	if !batch.IsArray() {
		return nil, fmt.Errorf("reading SendGrid events: the body is a JSON %s, want an array of events", signature.Kind(batch))
	}
	items := batch.Array()
	if len(items) > MaxBatch {
		return nil, fmt.Errorf("reading SendGrid events: %d events in one delivery, at most %d", len(items), MaxBatch)
	}
	events := make([]connectors.Event, 0, len(items))
	for i, it := range items {
		if !it.IsObject() {
			return nil, fmt.Errorf("reading SendGrid events: event %d is a JSON %s, want an object", i, signature.Kind(it))
		}
		typ := it.Get("event").String()
		if typ == "" {
			return nil, fmt.Errorf("reading SendGrid events: event %d has no \"event\" type", i)
		}
		id := signature.IDString(it.Get("sg_event_id"))
		if id == "" {
			id = signature.ContentHash([]byte(it.Raw))
		}
		events = append(events, connectors.Event{ID: id, Type: typ, Body: json.RawMessage(it.Raw)})
	}
	return events, nil
}
