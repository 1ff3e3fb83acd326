package intercom

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
var TriggerCredential = []connectors.Field{connectors.SecretField(CredentialClientSecret, "Client secret",
	"Developer Hub → your app → Configure → Basic information → Client secret. It signs every webhook.")}

// Events are the topics this trigger is commonly subscribed to.
var Events = []string{
	"conversation.user.created", "conversation.user.replied", "conversation.admin.replied",
	"conversation.admin.single.created", "conversation.admin.assigned", "conversation.admin.closed",
	"conversation.admin.noted", "conversation.rating.added", "contact.user.created", "contact.lead.created",
	"contact.lead.signed_up", "contact.tag.created", "ticket.created", "ticket.state.updated",
}

// Trigger returns the Intercom webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Intercom webhook",
		Description: "Starts a run per Intercom notification; the type is its topic (conversation.user.replied, " +
			"contact.user.created…) and trigger.data.item is the conversation, contact or ticket. Notifications are " +
			"checked against X-Hub-Signature (HMAC-SHA1 with the app's client secret) and deduplicated by notification " +
			"id. The \"ping\" Intercom sends when the webhook is saved is answered and starts nothing.",
		Setup: strings.Join([]string{
			"1. In the Intercom Developer Hub open your app → Configure → Basic information, copy the Client secret into the credential's \"Client secret\" field, and save it.",
			"2. Open Webhooks, paste this workflow's webhook URL as the Endpoint URL, and select the topics (for example conversation.user.replied).",
			"3. Save; Intercom sends a ping, which hookflow answers. Use \"Send a test request\" or reply in the Messenger to try it.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
