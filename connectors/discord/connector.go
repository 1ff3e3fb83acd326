// Package discord is the Discord connector: post a message to a channel
// through one of its incoming webhooks (Server Settings → Integrations →
// Webhooks). The webhook URL, which holds the webhook's token, is the
// credential; it may only name Discord's own hosts.
//
// Discord answers errors as {"message","code"} (with "errors" for invalid
// form bodies), and rate limits as 429 with Retry-After, X-RateLimit-*
// headers and a JSON body whose retry_after (seconds, fractional) the
// shared client reads when the headers are missing.
package discord

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "discord"

// CredentialWebhookURL holds the webhook URL,
// https://discord.com/api/webhooks/{id}/{token}.
const CredentialWebhookURL = "webhook_url"

// Hosts are the hosts a Discord webhook URL may name.
var Hosts = []string{"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"}

// webhookPaths are the path prefixes of a webhook URL, unversioned or
// versioned (/api/v10/webhooks/…).
var webhookPaths = []string{"/api/webhooks/", "/api/v"}

// New returns the Discord connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "Discord",
		Description: "Post messages (text and embeds) to a Discord channel through an incoming webhook.",
		Icon:        "/ui/icons/discord.svg",
		DocsURL:     "https://discord.com/developers/docs/resources/webhook#execute-webhook",
		APIHosts:    Hosts,
		BaseURLFrom: func(cred connectors.Values) (string, error) {
			return connectors.WebhookURL(cred, CredentialWebhookURL, Hosts, webhookPaths)
		},
		Credential: []connectors.Field{{
			Name: CredentialWebhookURL, Title: "Webhook URL", Type: connectors.TypeString, Required: true, Secret: true,
			Example:     "https://discord.com/api/webhooks/1187654321098765432/AbC…",
			Pattern:     `^https://(discord\.com|discordapp\.com|ptb\.discord\.com|canary\.discord\.com)/api/(v[0-9]+/)?webhooks/[0-9]+/[A-Za-z0-9_\-]+`,
			PatternHelp: "a Discord webhook URL looks like https://discord.com/api/webhooks/ID/TOKEN",
			Help: "In Discord: Server Settings → Integrations → Webhooks → New Webhook, choose the channel, then Copy Webhook URL. " +
				"Anyone with this URL can post to the channel, so it is stored encrypted.",
		}},
		Actions: []*connectors.Action{postMessageAction()},
	}
}
