package hubspot

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
var TriggerCredential = []connectors.Field{connectors.SecretField(CredentialClientSecret, "App client secret",
	"In your HubSpot developer account: Apps → your app → Auth → Client secret.")}

// Events are HubSpot webhook subscription types.
var Events = []string{
	"contact.creation", "contact.deletion", "contact.propertyChange", "contact.merge", "contact.associationChange",
	"company.creation", "company.deletion", "company.propertyChange",
	"deal.creation", "deal.deletion", "deal.propertyChange",
	"ticket.creation", "ticket.deletion", "ticket.propertyChange",
	"conversation.creation", "conversation.newMessage",
}

// Trigger returns the HubSpot webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "HubSpot event",
		Description: "Starts one run per event HubSpot sends, such as a new contact or a changed deal. HubSpot " +
			"batches up to 100 events in one delivery; each becomes its own run, deduplicated by its eventId. " +
			"Deliveries are checked against the v3 signature (X-HubSpot-Signature-v3) with a 5-minute window.",
		Setup: strings.Join([]string{
			"1. In your HubSpot developer account open Apps → your app → Webhooks.",
			"2. Paste this workflow's webhook URL as the Target URL and create subscriptions, for example contact.creation.",
			"3. Open the app's Auth tab, copy the Client secret and paste it into the HubSpot credential's \"App client secret\" field.",
			"4. The webhook URL must be exactly the URL HubSpot calls (including https and any query string), because it is part of the signature; set hookflow's public base URL if it runs behind a proxy.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignatureV3, "X-HubSpot-Signature"},
		Verifier:         Verifier{},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
