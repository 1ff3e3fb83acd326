package shopify

import (
	"embed"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

//go:embed testdata/*.json
var testdata embed.FS

// TriggerCredential lists the credential fields the webhook trigger reads,
// for the connector spec to declare.
var TriggerCredential = []connectors.Field{{
	Name:   CredentialClientSecret,
	Title:  "Client secret (webhook signing key)",
	Type:   connectors.TypeString,
	Secret: true,
	Help: "For a custom or public app: the app's client secret (Dev Dashboard → your app → Settings). " +
		"For webhooks created in the store admin: the key shown under Settings → Notifications → Webhooks " +
		"(\"Your webhooks will be signed with …\").",
}}

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
		Samples:          signature.SamplesFrom(Extractor{}, nil, sampleRequest("orders/create")),
		SignatureHeaders: []string{HeaderHmac},
		Verifier:         Verifier{},
		Extractor:        Extractor{},
	}
}

func sampleRequest(topic string) *connectors.Request {
	body, _ := testdata.ReadFile("testdata/" + strings.ReplaceAll(topic, "/", "_") + ".json")
	h := http.Header{}
	h.Set(HeaderTopic, topic)
	h.Set(HeaderEventID, "sample")
	return &connectors.Request{Method: http.MethodPost, Header: h, Body: body}
}
