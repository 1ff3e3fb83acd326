package messenger

import (
	"embed"
	"strings"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
	"github.com/hookflow/hookflow/connectors/whatsapp"
)

// testdata holds the recorded deliveries (see connectors.DeliveriesFile)
// the trigger's samples come from.
//
//go:embed testdata
var testdata embed.FS

// TriggerCredential is Meta's: the app secret that signs notifications and
// the verify token of the subscription handshake, as WhatsApp's trigger
// declares them.
var TriggerCredential = whatsapp.TriggerCredential

// verifier checks X-Hub-Signature-256 under the app secret, as for
// WhatsApp. Meta signs no timestamp; replays are caught by dedupe.
var verifier = signature.Keyed{Field: whatsapp.CredentialAppSecret,
	Scheme: signature.HMAC{Header: whatsapp.HeaderSignature, Prefix: "sha256="}}

// Events are the event types this trigger produces.
var Events = []string{"message", "message.echo", "postback", "delivery", "read", "reaction", "optin", "referral", "account_linking"}

// Trigger returns the Messenger webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Messenger message or postback",
		Description: "Starts one run per messaging event to your Facebook Page (message, postback, delivery, read, " +
			"reaction…); Meta can batch several in one notification. Notifications are checked against " +
			"X-Hub-Signature-256 with the app secret and deduplicated by message id (or sender, time and kind for events " +
			"without one). Meta's verification request is answered automatically when the verify token matches. " +
			"trigger.sender.id is who to reply to.",
		Setup: strings.Join([]string{
			"1. In the Meta App Dashboard open App settings → Basic, click Show next to App secret, and paste it into the credential's \"App secret\" field.",
			"2. Choose a random verify token, paste it into the credential's \"Verify token\" field, and save the credential.",
			"3. Open Messenger → Messenger API Settings → Configure webhooks: paste this workflow's webhook URL as the Callback URL and the same verify token, then \"Verify and save\".",
			"4. Under Webhook fields subscribe to messages and messaging_postbacks, and add your Page under \"Generate access tokens\" (subscribing the Page to the app).",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{whatsapp.HeaderSignature, "X-Hub-Signature"},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
		Handshaker:       connectors.HandshakerFunc(whatsapp.Handshake),
	}
}
