package drift

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads one Drift webhook, {"orgId","type","data":{…},"token"}.
// The event type is "type" (new_message, contact_identified,
// conversation_status_updated…). Drift sends no delivery id, so the id is
// the type and data.id (a message, meeting or contact id) where the data
// has one, and otherwise a hash of the body, which a resend repeats
// exactly. The body the workflow sees is the webhook without "token": the
// verification token is a secret and must not reach run history.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Drift webhook: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &fields); err != nil {
		return nil, fmt.Errorf("reading Drift webhook: the body is not a JSON object")
	}
	typ := gjson.GetBytes(r.Body, "type").String()
	if typ == "" {
		return nil, fmt.Errorf("reading Drift webhook: \"type\" is missing")
	}
	delete(fields, "token")
	body, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("reading Drift webhook: %w", err)
	}
	id := signature.IDString(gjson.GetBytes(r.Body, "data.id"))
	if id != "" {
		id = typ + ":" + id
	} else {
		id = signature.ContentHash(body)
	}
	return []connectors.Event{{ID: id, Type: typ, Body: body}}, nil
}
