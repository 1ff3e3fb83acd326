package hubspot

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract splits a HubSpot webhook delivery, a JSON array of up to 100
// events, into one event each: the id is "eventId" and the type is
// "subscriptionType" (contact.creation, deal.propertyChange…). Each run
// sees one element of the array as trigger. A lone object is accepted as a
// batch of one.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading HubSpot delivery: %w", err)
	}
	root := gjson.ParseBytes(r.Body)
	var items []gjson.Result
	switch {
	case root.IsArray():
		items = root.Array()
	case root.IsObject():
		items = []gjson.Result{root}
	default:
		return nil, fmt.Errorf("reading HubSpot delivery: want a JSON array of events, got %s", signature.Kind(root))
	}
	events := make([]connectors.Event, 0, len(items))
	for i, item := range items {
		if !item.IsObject() {
			return nil, fmt.Errorf("reading HubSpot delivery: [%d] is not an object", i)
		}
		id := signature.IDString(item.Get("eventId"))
		if id == "" {
			return nil, fmt.Errorf("reading HubSpot delivery: [%d].eventId is missing", i)
		}
		typ := item.Get("subscriptionType").String()
		if typ == "" {
			return nil, fmt.Errorf("reading HubSpot delivery: [%d].subscriptionType is missing", i)
		}
		events = append(events, connectors.Event{ID: id, Type: typ, Body: json.RawMessage(item.Raw)})
	}
	return events, nil
}
