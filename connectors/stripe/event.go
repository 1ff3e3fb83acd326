package stripe

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a Stripe Event object: one event per delivery, its "id"
// (evt_…) is the dedupe key and its "type" (payment_intent.succeeded) the
// event type. The workflow sees the whole Event, so trigger.data.object is
// the PaymentIntent, Customer, etc.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Stripe event: %w", err)
	}
	res := gjson.GetManyBytes(r.Body, "id", "type")
	id, typ := signature.IDString(res[0]), res[1].String()
	if id == "" {
		return nil, fmt.Errorf("reading Stripe event: field \"id\" is missing or not a string")
	}
	if typ == "" {
		return nil, fmt.Errorf("reading Stripe event %s: field \"type\" is missing", id)
	}
	return []connectors.Event{{ID: id, Type: typ, Body: json.RawMessage(r.Body)}}, nil
}
