package bigcommerce

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a BigCommerce webhook payload:
//
//	{"created_at":1561479335,"store_id":"1025646","producer":"stores/abc123",
//	 "scope":"store/order/created","hash":"dd70…","data":{"type":"order","id":250}}
//
// The type is "scope". The dedupe key is "hash", a digest of the payload
// that BigCommerce's retries of one event keep; a payload without it
// falls back to the scope, the resource id and created_at, which together
// name one event.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading BigCommerce webhook: %w", err)
	}
	scope := gjson.GetBytes(r.Body, "scope")
	if scope.Type != gjson.String || scope.Str == "" {
		return nil, fmt.Errorf("reading BigCommerce webhook: the body has no scope (got %s)", signature.Kind(scope))
	}
	id := gjson.GetBytes(r.Body, "hash").String()
	if id == "" {
		res := signature.IDString(gjson.GetBytes(r.Body, "data.id"))
		at := signature.IDString(gjson.GetBytes(r.Body, "created_at"))
		if res == "" || at == "" {
			return nil, fmt.Errorf("reading BigCommerce webhook %s: the body has no hash, and no data.id and created_at to stand in for it", scope.Str)
		}
		id = scope.Str + ":" + res + ":" + at
	}
	return []connectors.Event{{ID: id, Type: scope.Str, Body: json.RawMessage(r.Body)}}, nil
}
