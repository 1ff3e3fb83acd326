package paypal

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
// The webhook id is not a secret in itself, but it is stored as one:
// whoever can change it can make the endpoint accept another webhook's
// deliveries.
var TriggerCredential = []connectors.Field{{
	Name: CredentialWebhookID, Title: "Webhook ID", Type: connectors.TypeString, Secret: true,
	Example: "8PT597110X687430LKGECATA", Pattern: `^[A-Z0-9]{10,64}$`, PatternHelp: "PayPal webhook ids are capital letters and digits, e.g. 8PT597110X687430LKGECATA",
	Help: "Developer Dashboard → Apps & Credentials → your app → Webhooks: the Webhook ID shown next to this workflow's URL.",
}}

// Events are common PayPal webhook event types.
var Events = []string{
	"PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.PENDING", "PAYMENT.CAPTURE.REFUNDED", "PAYMENT.CAPTURE.REVERSED",
	"CHECKOUT.ORDER.APPROVED", "CHECKOUT.ORDER.COMPLETED",
	"CUSTOMER.DISPUTE.CREATED", "CUSTOMER.DISPUTE.RESOLVED", "CUSTOMER.DISPUTE.UPDATED",
	"BILLING.SUBSCRIPTION.CREATED", "BILLING.SUBSCRIPTION.ACTIVATED", "BILLING.SUBSCRIPTION.CANCELLED", "BILLING.SUBSCRIPTION.PAYMENT.FAILED",
	"PAYMENT.SALE.COMPLETED", "PAYMENT.SALE.REFUNDED", "INVOICING.INVOICE.PAID",
}

// Trigger returns the PayPal webhook trigger.
func Trigger() *connectors.Trigger { return trigger(nil) }

// trigger builds the trigger with a certificate source; nil is PayPal's
// (production hosts, system roots).
func trigger(certs *certSource) *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "PayPal webhook",
		Description: "Starts a run for each webhook event PayPal sends, such as PAYMENT.CAPTURE.COMPLETED. Deliveries are " +
			"checked against PayPal's SHA256withRSA signature with the certificate PayPal names (fetched only from " +
			"PayPal's own hosts, chain and expiry checked, cached), the webhook id and the transmission time " +
			"(5 minutes tolerance), and deduplicated by the event id. The event's object is at trigger.resource.",
		Setup: strings.Join([]string{
			"1. Open the PayPal Developer Dashboard → Apps & Credentials, choose Live or Sandbox, and open your REST app.",
			"2. Under Webhooks click \"Add Webhook\", paste this workflow's webhook URL and tick the events (for example Payment capture completed).",
			"3. Copy the Webhook ID shown in the list into the credential's \"Webhook ID\" field.",
			"4. For the actions, copy the app's Client ID and Secret into the credential too (and, for a Sandbox app, set base_url to https://api-m.sandbox.paypal.com).",
			"5. Use the Webhooks simulator or a sandbox payment to check the connection.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderTransmissionSig},
		Verifier:         Verifier{certs: certs},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
