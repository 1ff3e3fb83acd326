package jira

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a Jira webhook: one event per delivery, typed by the
// body's "webhookEvent" (jira:issue_created, jira:issue_updated,
// comment_created…), with "timestamp" (milliseconds) saying when it
// happened. The dedupe key is X-Atlassian-Webhook-Identifier, unique per
// event on the site and kept across Jira's retries; a delivery without it
// (an older Jira, a proxy that dropped it) falls back to the body's hash,
// which a retry of the same body shares.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Jira webhook: %w", err)
	}
	typ := gjson.GetBytes(r.Body, "webhookEvent")
	if typ.Type != gjson.String || typ.Str == "" {
		return nil, fmt.Errorf("reading Jira webhook: the body has no \"webhookEvent\"")
	}
	id := r.Header.Get(HeaderIdentifier)
	if id == "" {
		id = "sha256:" + signature.ContentHash(r.Body)
	}
	return []connectors.Event{{ID: id, Type: typ.Str, Body: json.RawMessage(r.Body)}}, nil
}
