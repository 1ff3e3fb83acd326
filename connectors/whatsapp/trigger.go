package whatsapp

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
var TriggerCredential = []connectors.Field{
	connectors.SecretField(CredentialAppSecret, "App secret",
		"In the Meta App Dashboard: App settings → Basic → App secret (click Show)."),
	connectors.SecretField(CredentialVerifyToken, "Verify token",
		"Any random string you choose; type the same string into the \"Verify token\" box when configuring the webhook in Meta."),
}

// Events are the event types this trigger produces.
var Events = []string{
	"message.text", "message.image", "message.audio", "message.video", "message.document",
	"message.sticker", "message.location", "message.contacts", "message.interactive",
	"message.button", "message.reaction", "message.order", "message.unsupported",
	"status.sent", "status.delivered", "status.read", "status.failed",
	"message_template_status_update", "account_update",
}

// Trigger returns the WhatsApp (Meta Cloud API) webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "WhatsApp message or status",
		Description: "Starts one run per incoming WhatsApp message (type message.text, message.image…) and per " +
			"delivery status (status.sent, status.delivered, status.read, status.failed); Meta can batch several " +
			"in one notification. Notifications are checked against X-Hub-Signature-256 with the app secret and " +
			"deduplicated by message id (plus the status for status updates). Meta's verification request is " +
			"answered automatically when the verify token matches.",
		Setup: strings.Join([]string{
			"1. In the Meta App Dashboard open App settings → Basic, click Show next to App secret, and paste it into the WhatsApp credential's \"App secret\" field.",
			"2. Choose a random verify token, paste it into the credential's \"Verify token\" field, and save the credential.",
			"3. Open WhatsApp → Configuration → Webhook → Edit. Paste this workflow's webhook URL as the Callback URL and the same verify token, then click \"Verify and save\".",
			"4. Under Webhook fields, subscribe to \"messages\". Send a message to your business number to check the connection.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature, "X-Hub-Signature"},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
		Handshaker:       connectors.HandshakerFunc(Handshake),
	}
}
