package slack

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
var TriggerCredential = []connectors.Field{connectors.SecretField(CredentialSigningSecret, "Signing secret",
	"At api.slack.com/apps → your app → Basic Information → App Credentials → Signing Secret.")}

// Events are common Events API event types.
var Events = []string{
	"message", "app_mention", "reaction_added", "reaction_removed", "member_joined_channel",
	"member_left_channel", "channel_created", "team_join", "file_shared", "app_home_opened",
}

// Trigger returns the Slack Events API trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Slack event",
		Description: "Starts a run for each Events API event, such as a message or a mention of your app. " +
			"Deliveries are checked against X-Slack-Signature with a 5-minute window and deduplicated by " +
			"event_id, so Slack's retries never run twice. The type is the inner event's type (message, " +
			"app_mention…). Slack's url_verification handshake is answered automatically once its signature verifies.",
		Setup: strings.Join([]string{
			"1. At api.slack.com/apps open your app → Basic Information, copy the Signing Secret and paste it into the Slack credential's \"Signing secret\" field. Save the credential first.",
			"2. Open Event Subscriptions, turn \"Enable Events\" on and paste this workflow's webhook URL as the Request URL. Slack checks it at once and shows \"Verified\".",
			"3. Under \"Subscribe to bot events\" add the events you want (for example message.channels or app_mention), save, and reinstall the app if Slack asks.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
		Handshaker:       connectors.HandshakerFunc(Handshake),
	}
}
