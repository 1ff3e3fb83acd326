package paypal

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a PayPal webhook event:
//
//	{"id":"WH-…","event_version":"1.0","create_time":"…","resource_type":"capture",
//	 "event_type":"PAYMENT.CAPTURE.COMPLETED","summary":"…","resource":{…},"links":[…]}
//
// The dedupe key is "id", which PayPal keeps across its retries (each a
// new transmission), and the type "event_type".
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading PayPal event: %w", err)
	}
	res := gjson.GetManyBytes(r.Body, "id", "event_type")
	id := signature.IDString(res[0])
	if id == "" {
		return nil, fmt.Errorf("reading PayPal event: the body has no id (got %s)", signature.Kind(res[0]))
	}
	if res[1].String() == "" {
		return nil, fmt.Errorf("reading PayPal event %s: the body has no event_type", id)
	}
	return []connectors.Event{{ID: id, Type: res[1].String(), Body: json.RawMessage(r.Body)}}, nil
}
