package square

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a Square event notification:
//
//	{"merchant_id":"…","type":"payment.updated","event_id":"…","created_at":"…",
//	 "data":{"type":"payment","id":"…","object":{"payment":{…}}}}
//
// The type is "type" and the dedupe key "event_id", which Square keeps
// across its retries of one event.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Square event: %w", err)
	}
	res := gjson.GetManyBytes(r.Body, "event_id", "type")
	id, typ := signature.IDString(res[0]), res[1].String()
	if id == "" {
		return nil, fmt.Errorf("reading Square event: the body has no event_id (got %s)", signature.Kind(res[0]))
	}
	if typ == "" {
		return nil, fmt.Errorf("reading Square event %s: the body has no type", id)
	}
	return []connectors.Event{{ID: id, Type: typ, Body: json.RawMessage(r.Body)}}, nil
}
