// Package googlechat is the Google Chat connector: post a message to a
// space through one of its incoming webhooks (space → Apps & integrations
// → Webhooks). The webhook URL, whose key and token query parameters are
// its secret, is the credential; it may only name chat.googleapis.com.
//
// Errors are Google's {"error":{"code","message","status"}}; a webhook
// may post about one message a second per space, and a faster one gets 429
// RESOURCE_EXHAUSTED.
package googlechat

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "googlechat"

// CredentialWebhookURL holds the webhook URL,
// https://chat.googleapis.com/v1/spaces/{space}/messages?key=…&token=….
const CredentialWebhookURL = "webhook_url"

// Hosts are the hosts a Google Chat webhook URL may name.
var Hosts = []string{"chat.googleapis.com"}

// New returns the Google Chat connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "Google Chat",
		Description: "Post messages to a Google Chat space through an incoming webhook, optionally into a named thread.",
		Icon:        "/ui/icons/googlechat.svg",
		DocsURL:     "https://developers.google.com/workspace/chat/quickstart/webhooks",
		APIHosts:    Hosts,
		BaseURLFrom: func(cred connectors.Values) (string, error) {
			return connectors.WebhookURL(cred, CredentialWebhookURL, Hosts, []string{"/v1/spaces/"})
		},
		Credential: []connectors.Field{{
			Name: CredentialWebhookURL, Title: "Webhook URL", Type: connectors.TypeString, Required: true, Secret: true,
			Example:     "https://chat.googleapis.com/v1/spaces/AAAAx1y2z3/messages?key=…&token=…",
			Pattern:     `^https://chat\.googleapis\.com/v1/spaces/[^/]+/messages\?`,
			PatternHelp: "a Google Chat webhook URL looks like https://chat.googleapis.com/v1/spaces/SPACE/messages?key=…&token=…",
			Help: "In Google Chat open the space → space name → Apps & integrations → Webhooks → Add webhook, then copy its URL. " +
				"Anyone with the URL can post to the space, so it is stored encrypted.",
		}},
		Actions: []*connectors.Action{postMessageAction()},
	}
}
