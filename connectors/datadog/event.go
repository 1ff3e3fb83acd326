package datadog

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// TypeNotification is the type of a payload that names no event_type.
const TypeNotification = "notification"

// Extract reads a Datadog webhook. The body is the webhook's payload
// template, rendered: one event, a JSON object. Its dedupe key is the
// "id" field ($ID, one per notification, kept when Datadog retries),
// else "event_id"; a template with neither, or whose variable was not
// replaced, falls back to the body's hash, which a retry of the same
// rendered payload shares. Its type is "event_type" ($EVENT_TYPE, such as
// query_alert_monitor), else "notification".
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Datadog webhook: %w", err)
	}
	body := gjson.ParseBytes(r.Body)
	if !body.IsObject() {
		return nil, fmt.Errorf("reading Datadog webhook: the payload is a JSON %s; make the webhook's payload template an object", signature.Kind(body))
	}
	id := ""
	for _, path := range []string{"id", "event_id"} {
		if v := signature.IDString(body.Get(path)); v != "" && !unrendered(v) {
			id = v
			break
		}
	}
	if id == "" {
		id = "sha256:" + signature.ContentHash(r.Body)
	}
	typ := body.Get("event_type").String()
	if typ == "" || unrendered(typ) {
		typ = TypeNotification
	}
	return []connectors.Event{{ID: id, Type: typ, Body: json.RawMessage(r.Body)}}, nil
}

// unrendered reports a template variable Datadog left as it is ("$ID"),
// which would make every notification share one dedupe key.
func unrendered(s string) bool { return strings.HasPrefix(s, "$") }
