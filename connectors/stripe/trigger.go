package stripe

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
var TriggerCredential = []connectors.Field{{
	Name:        CredentialWebhookSecret,
	Title:       "Webhook signing secret",
	Type:        connectors.TypeString,
	Secret:      true,
	Example:     "whsec_…",
	Pattern:     `^whsec_`,
	PatternHelp: "Stripe webhook signing secrets start with whsec_",
	Help:        "Shown on the webhook endpoint's page in the Stripe Dashboard under \"Signing secret\".",
}}

// Events are common Stripe event types, offered by the UI's event picker.
var Events = []string{
	"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.created",
	"charge.succeeded", "charge.failed", "charge.refunded", "charge.dispute.created",
	"checkout.session.completed", "checkout.session.expired",
	"customer.created", "customer.updated", "customer.deleted",
	"customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
	"invoice.created", "invoice.paid", "invoice.payment_failed", "invoice.finalized",
	"payout.paid", "payout.failed", "refund.created",
}

// Trigger returns the Stripe webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Stripe event",
		Description: "Starts a run for each event Stripe sends to this endpoint, such as a succeeded payment " +
			"or a new subscription. Deliveries are checked against the Stripe-Signature header (300 s " +
			"tolerance) and deduplicated by the event id (evt_…), so Stripe's retries never run twice. " +
			"The workflow sees the whole Event object: trigger.data.object is the payment, customer, etc.",
		Setup: strings.Join([]string{
			"1. In the Stripe Dashboard open Developers → Webhooks (Workbench → Webhooks) and click \"Add endpoint\" (\"Add destination\").",
			"2. Paste this workflow's webhook URL as the endpoint URL and select the events you want, for example payment_intent.succeeded.",
			"3. Save, then on the endpoint's page click \"Reveal\" under \"Signing secret\" and copy the value that starts with whsec_.",
			"4. Paste it into the Stripe credential's \"Webhook signing secret\" field.",
			"5. Use \"Send test webhook\" in Stripe to check the connection. Test-mode and live-mode endpoints have different secrets.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature},
		Verifier:         Verifier{},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
