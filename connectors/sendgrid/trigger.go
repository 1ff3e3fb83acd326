package sendgrid

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

// TriggerCredential lists the credential fields the Event Webhook trigger
// reads. The verification key is a public key, not a secret, but it is
// stored like one: whoever can replace it can forge events.
var TriggerCredential = []connectors.Field{{
	Name: CredentialVerificationKey, Title: "Event Webhook verification key", Type: connectors.TypeString, Secret: true,
	Example: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…", Pattern: `^[A-Za-z0-9+/=\s-]+$`,
	PatternHelp: "the verification key is base64 text (MFkw…)",
	Help:        "Settings → Mail Settings → Event Webhook → your webhook → Signature verification: enable it and copy the Verification Key.",
}}

// Events are the Event Webhook's event types.
var Events = []string{
	"processed", "dropped", "deferred", "delivered", "bounce", "blocked",
	"open", "click", "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe",
}

// Trigger returns the SendGrid Event Webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "SendGrid Event Webhook",
		Description: "Starts a run for each email event SendGrid reports: delivered, open, click, bounce, spamreport… " +
			"SendGrid batches events; each one becomes its own run, deduplicated by sg_event_id. Deliveries are " +
			"checked against the Signed Event Webhook's ECDSA signature and its timestamp (5 minutes tolerance).",
		Setup: strings.Join([]string{
			"1. In SendGrid open Settings → Mail Settings → Event Webhook and create (or edit) a webhook.",
			"2. Paste this workflow's webhook URL as the Post URL and tick the events you want (Delivered, Opened, Bounced…).",
			"3. Under Security, enable Signed Event Webhook, save, and copy the Verification Key into the credential's \"Event Webhook verification key\" field.",
			"4. Use \"Test Integration\" to send a sample batch.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature},
		Verifier:         Verifier{},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
