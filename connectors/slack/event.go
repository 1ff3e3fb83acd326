package slack

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads an Events API delivery. An event_callback's dedupe key is
// its "event_id" (Ev…), which Slack keeps across retries, and its type is
// the inner "event.type" (message, app_mention, reaction_added…). Other
// envelopes (app_rate_limited, for example) have no event_id: their type
// is the top-level "type" and their id a content hash of the body, so an
// identical resend still dedupes. A url_verification body yields no events.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Slack event: %w", err)
	}
	res := gjson.GetManyBytes(r.Body, "event_id", "event.type", "type")
	if res[2].String() == "url_verification" {
		// A handshake is answered by Handshaker and is never an event. One
		// that reaches here (its signature verified only now) must not
		// start a run either.
		return nil, nil
	}
	id := signature.IDString(res[0])
	typ := res[1].String()
	if typ == "" {
		typ = res[2].String()
	}
	if typ == "" {
		return nil, fmt.Errorf("reading Slack event: neither \"event.type\" nor \"type\" is present")
	}
	if id == "" {
		id = signature.ContentHash(r.Body)
	}
	return []connectors.Event{{ID: id, Type: typ, Body: json.RawMessage(r.Body)}}, nil
}
