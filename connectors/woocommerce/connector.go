// Package woocommerce is the WooCommerce connector: a webhook trigger for
// the events a WooCommerce store sends (orders, products, customers,
// coupons). WooCommerce signs each delivery with X-WC-Webhook-Signature,
// base64 HMAC-SHA256 of the raw body under the webhook's secret
// (verify.go), names the topic in X-WC-Webhook-Topic and each delivery in
// X-WC-Webhook-Delivery-ID (event.go). When a webhook is saved,
// WooCommerce first sends a ping (a form body "webhook_id=N") and only
// activates the webhook when that ping is answered 200 (handshake.go).
package woocommerce

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "woocommerce"

// New returns the WooCommerce connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "WooCommerce",
		Icon:        "/ui/icons/woocommerce.svg",
		Description: "WordPress e-commerce: react to WooCommerce webhooks such as a new order, an updated product or a new customer.",
		DocsURL:     "https://woocommerce.com/document/webhooks/",
		Credential:  TriggerCredential,
		Triggers:    []*connectors.Trigger{Trigger()},
	}
}
