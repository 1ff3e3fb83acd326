package github

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// EventPing is the event GitHub sends once when a webhook is created, to
// check the URL. It carries no repository activity.
const EventPing = "ping"

// Extract reads a GitHub delivery. A webhook's content type is either
// application/json (the body is the payload) or
// application/x-www-form-urlencoded (the payload is the form field
// "payload"); the signature covers the raw body either way, and the
// workflow sees the JSON payload. The type is X-GitHub-Event, followed by
// the payload's "action" where it has one ("issues.opened",
// "pull_request.closed", but "push"). The dedupe key is X-GitHub-Delivery,
// which a redelivery keeps. A ping yields no event, so the pipeline
// answers it 2xx and logs it as ignored.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	payload, err := payloadOf(r)
	if err != nil {
		return nil, fmt.Errorf("reading GitHub webhook: %w", err)
	}
	event := r.Header.Get(HeaderEvent)
	if event == "" {
		return nil, fmt.Errorf("reading GitHub webhook: header %s is missing", HeaderEvent)
	}
	if event == EventPing {
		return nil, nil
	}
	id := r.Header.Get(HeaderDelivery)
	if id == "" {
		return nil, fmt.Errorf("reading GitHub webhook %s: header %s is missing", event, HeaderDelivery)
	}
	typ := event
	if action := gjson.GetBytes(payload, "action"); action.Type == gjson.String && action.Str != "" {
		typ += "." + action.Str
	}
	return []connectors.Event{{ID: id, Type: typ, Body: json.RawMessage(payload)}}, nil
}

// payloadOf returns the JSON payload of a JSON or form-encoded delivery.
func payloadOf(r *connectors.Request) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return r.Body, signature.CheckJSON(r.Body)
	}
	form, err := url.ParseQuery(string(r.Body))
	if err != nil {
		return nil, fmt.Errorf("malformed form body: %w", err)
	}
	if !form.Has("payload") {
		return nil, fmt.Errorf("form body has no payload field")
	}
	payload := []byte(form.Get("payload"))
	if err := signature.CheckJSON(payload); err != nil {
		return nil, fmt.Errorf("payload field: %w", err)
	}
	return payload, nil
}
