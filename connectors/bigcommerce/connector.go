// Package bigcommerce is the BigCommerce connector: a webhook trigger for
// the store events BigCommerce sends (orders, products, customers, carts,
// shipments).
//
// BigCommerce signs nothing. What it offers instead is a set of custom
// headers, given when the webhook is created through the API
// ("headers": {...} in POST /stores/{store_hash}/v3/hooks), that it sends
// with every delivery. The trigger is authenticated by one of them: a
// random secret the user chooses, carried in HeaderSecret and compared in
// constant time (verify.go). Payloads are thin, {"scope", "data": {"type",
// "id"}, "hash", "created_at"}, and deduplicated on "hash" (event.go).
package bigcommerce

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "bigcommerce"

// New returns the BigCommerce connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "BigCommerce",
		Icon:        "/ui/icons/bigcommerce.svg",
		Description: "E-commerce: react to BigCommerce store webhooks such as a new order, a changed product or a new customer.",
		DocsURL:     "https://developer.bigcommerce.com/docs/integrations/webhooks",
		Credential:  TriggerCredential,
		Triggers:    []*connectors.Trigger{Trigger()},
	}
}
