package woocommerce

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
var TriggerCredential = []connectors.Field{connectors.SecretField(CredentialSecret, "Webhook secret",
	"WooCommerce → Settings → Advanced → Webhooks → your webhook → Secret. WooCommerce fills in a random "+
		"secret when the field is left empty; copy it from there after saving.")}

// Events are the topics WooCommerce offers for webhooks.
var Events = []string{
	"order.created", "order.updated", "order.deleted", "order.restored",
	"product.created", "product.updated", "product.deleted", "product.restored",
	"customer.created", "customer.updated", "customer.deleted",
	"coupon.created", "coupon.updated", "coupon.deleted", "coupon.restored",
}

// Trigger returns the WooCommerce webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "WooCommerce webhook",
		Description: "Starts a run for each webhook a WooCommerce store sends, such as a new order. Deliveries are " +
			"checked against X-WC-Webhook-Signature (HMAC-SHA256 of the body with the webhook's secret) and " +
			"deduplicated by X-WC-Webhook-Delivery-ID. The event type is the topic, e.g. order.created, and the " +
			"workflow sees the resource (the order, product…) as trigger. The ping WooCommerce sends when the " +
			"webhook is saved is answered 200 and starts no run.",
		Setup: strings.Join([]string{
			"1. In WordPress, open WooCommerce → Settings → Advanced → Webhooks and click \"Add webhook\".",
			"2. Set Status to Active, choose the Topic (for example \"Order created\") and paste this workflow's webhook URL as the Delivery URL.",
			"3. Copy the Secret shown there (or type your own) into the credential's \"Webhook secret\" field, then save the credential before the webhook.",
			"4. Save the webhook: WooCommerce pings the URL and shows an error if the ping is not answered.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
		Handshaker:       connectors.HandshakerFunc(Handshake),
	}
}
