package shopify

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

// TriggerCredential lists the credential fields the webhook trigger reads,
// for the connector spec to declare.
var TriggerCredential = []connectors.Field{connectors.SecretField(CredentialClientSecret, "Client secret (webhook signing key)",
	"For a custom or public app: the app's client secret (Dev Dashboard → your app → Settings). "+
		"For webhooks created in the store admin: the key shown under Settings → Notifications → Webhooks "+
		"(\"Your webhooks will be signed with …\").")}

// Events are common Shopify webhook topics.
var Events = []string{
	"orders/create", "orders/updated", "orders/paid", "orders/fulfilled", "orders/cancelled",
	"products/create", "products/update", "products/delete",
	"customers/create", "customers/update", "customers/delete",
	"checkouts/create", "checkouts/update", "carts/create", "carts/update",
	"refunds/create", "fulfillments/create", "inventory_levels/update", "app/uninstalled",
}

// Trigger returns the Shopify webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Shopify webhook",
		Description: "Starts a run for each webhook Shopify sends, such as a new order. Deliveries are checked " +
			"against X-Shopify-Hmac-Sha256 and deduplicated by X-Shopify-Event-Id (falling back to " +
			"X-Shopify-Webhook-Id), so Shopify's retries never run twice. The event type is the topic, " +
			"e.g. orders/create, and the workflow sees the resource (the order, product…) as trigger.",
		Setup: strings.Join([]string{
			"Store admin: 1. Open Settings → Notifications → Webhooks and click \"Create webhook\".",
			"2. Choose the event (for example \"Order creation\"), format JSON, and paste this workflow's webhook URL.",
			"3. Copy the signing key shown on that page (\"Your webhooks will be signed with …\") into the credential's \"Client secret\" field.",
			"App: subscribe the topics in your app's configuration with this URL as the endpoint, and paste the app's client secret instead.",
			"Use \"Send test notification\" to check the connection.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderHmac},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
