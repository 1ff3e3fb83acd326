package woocommerce

import (
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract reads a WooCommerce delivery: the body is the resource (an
// order, product, customer or coupon as the REST API renders it), the
// type is the X-WC-Webhook-Topic header (order.created), and the dedupe
// key is X-WC-Webhook-Delivery-ID, which a redelivery of the same
// scheduled job keeps. Deliveries without it (proxies that strip custom
// headers, old WooCommerce versions) fall back to the topic, the
// resource's id and its modification time, which stays the same for one
// change and differs for the next.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading WooCommerce webhook: %w", err)
	}
	topic := r.Header.Get(HeaderTopic)
	if topic == "" {
		return nil, fmt.Errorf("reading WooCommerce webhook: header %s is missing", HeaderTopic)
	}
	id := r.Header.Get(HeaderDeliveryID)
	if id == "" {
		res := signature.IDString(gjson.GetBytes(r.Body, "id"))
		if res == "" {
			return nil, fmt.Errorf("reading WooCommerce webhook %s: no %s header and the body has no id", topic, HeaderDeliveryID)
		}
		modified := gjson.GetBytes(r.Body, "date_modified_gmt").String()
		if modified == "" {
			modified = gjson.GetBytes(r.Body, "date_created_gmt").String()
		}
		id = topic + ":" + res + ":" + modified
	}
	return []connectors.Event{{ID: id, Type: topic, Body: json.RawMessage(r.Body)}}, nil
}
