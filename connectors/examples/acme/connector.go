// Package acme is the made-up provider that the README's "Write a
// connector" walkthrough builds, step by step. It follows the walkthrough
// exactly, and its tests run the same conformance suites as every
// built-in, in CI with the rest of ./...
package acme

import "github.com/hookflow/hookflow/connectors"

// New returns the Acme connector's spec (step 2 of the walkthrough).
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        "acme",
		Title:       "Acme Helpdesk",
		Description: "Create tickets in Acme Helpdesk, and start workflows from its ticket events.",
		DocsURL:     "https://docs.acme.example/api",
		BaseURL:     "https://api.acme.example",
		Credential: []connectors.Field{
			{Name: "api_key", Title: "API key", Type: connectors.TypeString, Required: true, Secret: true,
				Pattern: `^acme_`, PatternHelp: "Acme API keys start with acme_",
				Help: "Settings → API keys in the Acme dashboard."},
			connectors.SecretField("webhook_secret", "Webhook signing secret", "Settings → Webhooks in the Acme dashboard."),
		},
		Triggers: []*connectors.Trigger{ticketEvents()},
		Actions:  []*connectors.Action{createTicket()},
	}
}
