// Package sendgrid is the Twilio SendGrid connector: a trigger for the
// Event Webhook (delivered, opened, bounced… events, verified with
// SendGrid's ECDSA signature) and an action sending email through the v3
// Mail Send API.
//
// The action calls https://api.sendgrid.com/v3/mail/send (or the EU
// region's api.eu.sendgrid.com through the credential's base_url) with a
// Bearer API key. SendGrid answers 202 with an X-Message-Id header, and
// reports errors as {"errors":[{"message","field","help"}]}; 429 comes
// with X-RateLimit-Reset.
package sendgrid

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "sendgrid"

// DefaultBaseURL is SendGrid's global API host.
const DefaultBaseURL = "https://api.sendgrid.com"

// EUHost is the API host of SendGrid's EU data residency region.
const EUHost = "api.eu.sendgrid.com"

// CredentialAPIKey is the credential field holding the API key.
const CredentialAPIKey = "api_key"

// New returns the SendGrid connector's spec.
func New() *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialAPIKey, Title: "API key", Type: connectors.TypeString, Secret: true, Example: "SG.…",
			Pattern: `^SG\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`, PatternHelp: "SendGrid API keys look like SG.xxxx.yyyy",
			Help: "Settings → API Keys → Create API Key, with at least the Mail Send permission. Needed by the send_email action only."},
	}
	return &connectors.Spec{
		Name:        Name,
		Title:       "SendGrid",
		Icon:        "/ui/icons/sendgrid.svg",
		Description: "Email delivery: send email through Twilio SendGrid and react to its Event Webhook (delivered, opened, clicked, bounced…).",
		DocsURL:     "https://www.twilio.com/docs/sendgrid/api-reference",
		BaseURL:     DefaultBaseURL,
		APIHosts:    []string{EUHost},
		Credential:  connectors.MergeFields(cred, TriggerCredential),
		Triggers:    []*connectors.Trigger{Trigger()},
		Actions:     []*connectors.Action{sendEmailAction()},
	}
}
