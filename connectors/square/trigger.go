package square

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
var TriggerCredential = []connectors.Field{
	connectors.SecretField(CredentialSignatureKey, "Webhook signature key",
		"Developer Dashboard → your application → Webhooks → Subscriptions → your subscription → Signature key."),
	{Name: CredentialNotificationURL, Title: "Notification URL", Type: connectors.TypeString,
		Pattern: `^https://\S+$`, PatternHelp: "Square only calls https:// URLs",
		Help: "The notification URL exactly as entered in the Square subscription; Square signs it together with the body. " +
			"Leave empty when it is this workflow's webhook URL unchanged."},
}

// Events are common Square event types.
var Events = []string{
	"payment.created", "payment.updated", "refund.created", "refund.updated",
	"order.created", "order.updated", "order.fulfillment.updated",
	"customer.created", "customer.updated", "customer.deleted",
	"invoice.payment_made", "invoice.published", "dispute.created", "dispute.state.updated",
	"inventory.count.updated", "subscription.created", "subscription.updated",
	"booking.created", "booking.updated", "webhooks.test_notification",
}

// Trigger returns the Square webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Square event",
		Description: "Starts a run for each event notification Square sends, such as payment.updated. Deliveries are " +
			"checked against x-square-hmacsha256-signature (HMAC-SHA256 of the notification URL and the body with the " +
			"subscription's signature key) and deduplicated by event_id. The type is the event type and the object " +
			"is at trigger.data.object (e.g. trigger.data.object.payment).",
		Setup: strings.Join([]string{
			"1. Open the Square Developer Dashboard → your application → Webhooks → Subscriptions and click \"Add subscription\".",
			"2. Paste this workflow's webhook URL as the Notification URL, pick an API version and the events (for example payment.updated), and save.",
			"3. Copy the subscription's Signature key into the credential's \"Webhook signature key\" field. If the URL you entered differs from the webhook URL (a proxy), put it in \"Notification URL\".",
			"4. Use \"Send test event\" to check the connection.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature, "X-Square-Signature"},
		Verifier:         Verifier{},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
