package webhook

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Trigger options read by Extract.
const (
	OptionIDPath   = "id_path"
	OptionTypePath = "type_path"
)

// HeaderIdempotencyKey is the header a sender can set to name an event.
const HeaderIdempotencyKey = "Idempotency-Key"

// DefaultType is the event type when no type_path is set.
const DefaultType = "webhook"

// Extract reads a generic JSON webhook as one event. Its id, the dedupe
// key, is the first of:
//
//  1. the value at the id_path option (a gjson path), when set and present;
//  2. the Idempotency-Key header;
//  3. the webhook-id header (Standard Webhooks senders);
//  4. the hex SHA-256 of the body.
//
// The content hash means a sender that gives no id still gets its retries
// deduplicated, at the cost that two genuinely separate deliveries with
// byte-identical bodies count as one; a sender for which that matters
// should send an Idempotency-Key or an id field. The type is the value at
// type_path, or "webhook".
func Extract(r *connectors.Request, options connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading webhook: %w", err)
	}
	id := ""
	if p := options.String(OptionIDPath); p != "" {
		v := gjson.GetBytes(r.Body, p)
		if v.IsObject() || v.IsArray() {
			return nil, fmt.Errorf("reading webhook: id_path %q is %s, want a string or number", p, signature.Kind(v))
		}
		id = signature.IDString(v)
	}
	if id == "" {
		id = r.Header.Get(HeaderIdempotencyKey)
	}
	if id == "" {
		id = r.Header.Get(signature.HeaderWebhookID)
	}
	if id == "" {
		id = signature.ContentHash(r.Body)
	}
	typ := DefaultType
	if p := options.String(OptionTypePath); p != "" {
		if v := gjson.GetBytes(r.Body, p); v.Exists() && v.String() != "" {
			typ = v.String()
		}
	}
	return []connectors.Event{{ID: id, Type: typ, Body: json.RawMessage(r.Body)}}, nil
}
