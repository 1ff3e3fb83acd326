package bigcommerce

import (
	"embed"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// testdata holds the recorded deliveries (see connectors.DeliveriesFile)
// the trigger's samples come from.
//
//go:embed testdata
var testdata embed.FS

// TriggerCredential lists the credential fields the webhook trigger reads.
var TriggerCredential = []connectors.Field{{
	Name: CredentialSecret, Title: "Webhook secret header value", Type: connectors.TypeString, Secret: true,
	Pattern: `^[\x21-\x7e]{24,256}$`, PatternHelp: "use 24 to 256 printable characters without spaces, e.g. a long random string",
	Help: "A long random string you choose. BigCommerce does not sign webhooks, so this secret, sent back in the " +
		HeaderSecret + " header you add when creating the webhook, is what proves a delivery comes from your store.",
}}

// Events are common BigCommerce webhook scopes.
var Events = []string{
	"store/order/created", "store/order/updated", "store/order/archived", "store/order/statusUpdated",
	"store/order/message/created", "store/order/refund/created",
	"store/product/created", "store/product/updated", "store/product/deleted", "store/product/inventory/updated",
	"store/customer/created", "store/customer/updated", "store/customer/deleted",
	"store/cart/created", "store/cart/updated", "store/cart/abandoned", "store/cart/converted",
	"store/shipment/created", "store/shipment/updated", "store/app/uninstalled",
}

// ack is BigCommerce's expected reply: a 200, quickly. hookflow answers
// as soon as the event is stored; BigCommerce retries other answers and
// deactivates a webhook that keeps failing.
var ack = &connectors.Response{Status: 200, ContentType: "application/json", Body: []byte(`{"ok":true}`)}

// Trigger returns the BigCommerce webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "BigCommerce webhook",
		Description: "Starts a run for each webhook a BigCommerce store sends, such as store/order/created. " +
			"Not signed by BigCommerce: deliveries are authenticated by a secret custom header (" + HeaderSecret +
			") that you set when creating the webhook, compared in constant time. The event type is the scope, " +
			"and events are deduplicated by the payload's hash. BigCommerce payloads carry only the resource's " +
			"type and id (trigger.data.id); fetch the full order with an HTTP step if you need it.",
		Setup: strings.Join([]string{
			"1. Choose a long random secret (at least 24 characters) and paste it into the credential's \"Webhook secret header value\" field.",
			"2. BigCommerce webhooks are created through the API: create a store API account with the scopes of the resources you watch (e.g. Orders read-only).",
			"3. POST https://api.bigcommerce.com/stores/{store_hash}/v3/hooks with your X-Auth-Token and the body " +
				`{"scope": "store/order/created", "destination": "<this workflow's webhook URL>", "is_active": true, "headers": {"` + HeaderSecret + `": "<your secret>"}}.`,
			"4. Place a test order to check the connection. hookflow answers 200 as BigCommerce expects.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSecret},
		Ack:              ack,
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
