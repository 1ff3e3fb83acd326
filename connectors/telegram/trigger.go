package telegram

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
	Name:        CredentialSecretToken,
	Title:       "Webhook secret token",
	Type:        connectors.TypeString,
	Secret:      true,
	Pattern:     `^[A-Za-z0-9_-]{1,256}$`,
	PatternHelp: "Telegram allows 1-256 characters: letters, digits, _ and -",
	Help:        "A random string you choose and pass to setWebhook as secret_token; Telegram sends it back with every update.",
}}

// Events are the Update fields Telegram can send.
var Events = []string{
	"message", "edited_message", "channel_post", "edited_channel_post", "callback_query",
	"inline_query", "chosen_inline_result", "shipping_query", "pre_checkout_query", "poll",
	"poll_answer", "my_chat_member", "chat_member", "chat_join_request", "message_reaction",
}

// Trigger returns the Telegram bot webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Telegram bot update",
		Description: "Starts a run for each update your bot receives, such as a message or a button press. " +
			"Deliveries must carry the secret token set on the webhook (X-Telegram-Bot-Api-Secret-Token) and " +
			"are deduplicated by update_id. The type is the update's kind: message, callback_query…",
		Setup: strings.Join([]string{
			"1. Create a bot with @BotFather in Telegram and keep its bot token (the Telegram credential's bot token field).",
			"2. Choose a random secret token (letters, digits, _ and -) and paste it into the credential's \"Webhook secret token\" field.",
			"3. Register the webhook by opening https://api.telegram.org/bot<bot token>/setWebhook?url=<this workflow's webhook URL>&secret_token=<your secret token> (URL-encode the webhook URL).",
			"4. Send your bot a message to check the connection. A bot has one webhook at a time, so this replaces any earlier one.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSecretToken},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
