package drift

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

// TriggerCredential lists the credential fields the trigger reads.
var TriggerCredential = []connectors.Field{
	connectors.SecretField(CredentialVerificationToken, "Verification token",
		"Drift Developer → your app → App Settings → Verification Token. Drift puts it in every webhook."),
	connectors.SecretField(CredentialClientSecret, "Client secret",
		"Drift Developer → your app → App Settings → Client Secret. It signs every webhook (x-drift-signature)."),
}

// Events are the event types Drift documents.
var Events = []string{
	"new_message", "contact_identified", "conversation_status_updated", "button_action", "playbook_goal_met",
	"new_meeting", "conversation_push", "conversation_participant_added", "conversation_inactive",
	"phone_captured", "chat_to_email", "user_unavailable", "user_availability_updated", "app_uninstalled",
}

// Trigger returns the Drift webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Drift event",
		Description: "Starts a run per Drift webhook; the type is Drift's event type (new_message, contact_identified, " +
			"conversation_status_updated…) and trigger.data is the message, contact or conversation. Each webhook must " +
			"carry both the app's verification token and a valid x-drift-signature (HMAC-SHA1 of the request timestamp " +
			"and body with the client secret, refused after five minutes). The token is removed from what the workflow sees.",
		Setup: strings.Join([]string{
			"1. In Drift's developer site open your app → App Settings; copy the Verification Token and the Client Secret into the credential, and save it.",
			"2. Under Webhooks, paste this workflow's webhook URL as the Request URL and subscribe to the events you want (for example new_message).",
			"3. Install the app in your Drift organization, then send a chat message to test.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature},
		Verifier:         Verifier{},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
