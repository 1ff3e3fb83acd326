package shopify

import (
	"encoding/json"
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a Shopify webhook: the body is the resource (an order, a
// product…), the type is the X-Shopify-Topic header (orders/create), and
// the dedupe key is X-Shopify-Event-Id, which stays the same across
// Shopify's retries of one event. Older API versions do not send it, so
// X-Shopify-Webhook-Id (one per delivery attempt series) is the fallback.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Shopify webhook: %w", err)
	}
	id := r.Header.Get(HeaderEventID)
	if id == "" {
		id = r.Header.Get(HeaderWebhookID)
	}
	if id == "" {
		return nil, fmt.Errorf("reading Shopify webhook: neither %s nor %s header is present", HeaderEventID, HeaderWebhookID)
	}
	topic := r.Header.Get(HeaderTopic)
	if topic == "" {
		return nil, fmt.Errorf("reading Shopify webhook %s: header %s is missing", id, HeaderTopic)
	}
	return []connectors.Event{{ID: id, Type: topic, Body: json.RawMessage(r.Body)}}, nil
}
