// Package teams is the Microsoft Teams connector: post a message to a
// channel or chat through an incoming webhook, either a Workflows
// ("When a Teams webhook request is received", on *.logic.azure.com or
// *.environment.api.powerplatform.com) or a legacy Office 365 connector
// webhook (*.webhook.office.com). Both take the same body: a message with
// an Adaptive Card attachment. The webhook URL, which carries its
// signature, is the credential and may only name those hosts.
//
// Legacy connector webhooks answer 200 with the text "1" on success, and
// some failures (a throttled or too large message) also with 200 and an
// error text in the body, so checkResponse reads the body of a 200 too.
// Workflows answer 202 Accepted with no body.
package teams

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "teams"

// CredentialWebhookURL holds the webhook URL.
const CredentialWebhookURL = "webhook_url"

// Hosts are the hosts a Teams webhook URL may name.
var Hosts = []string{"*.webhook.office.com", "*.logic.azure.com", "*.environment.api.powerplatform.com"}

// New returns the Microsoft Teams connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "Microsoft Teams",
		Description: "Post text or Adaptive Cards to a Microsoft Teams channel or chat through a Workflows or incoming webhook.",
		Icon:        "/ui/icons/teams.svg",
		DocsURL:     "https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook",
		APIHosts:    Hosts,
		BaseURLFrom: func(cred connectors.Values) (string, error) {
			return connectors.WebhookURL(cred, CredentialWebhookURL, Hosts, nil)
		},
		Credential: []connectors.Field{{
			Name: CredentialWebhookURL, Title: "Webhook URL", Type: connectors.TypeString, Required: true, Secret: true,
			Example: "https://prod-12.westeurope.logic.azure.com:443/workflows/…/triggers/manual/paths/invoke?api-version=2016-06-01&sp=…&sig=…",
			Pattern: `^https://`, PatternHelp: "paste the whole https:// webhook URL",
			Help: "In Teams: on the channel, … → Workflows → \"Post to a channel when a webhook request is received\", finish the " +
				"wizard and copy the URL it shows. A legacy Incoming Webhook connector URL (….webhook.office.com) works too. " +
				"The URL carries its own signature, so it is stored encrypted.",
		}},
		Actions: []*connectors.Action{postMessageAction()},
	}
}
