// Package acme is the made-up provider that the README's "Write a
// connector" walkthrough builds, step by step. It follows the walkthrough
// exactly, and its tests run the same conformance suite as every built-in.
package acme

import "github.com/hookflow/hookflow/connectors"

// New returns the Acme connector's spec (step 2 of the walkthrough).
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        "acme",
		Title:       "Acme Helpdesk",
		Description: "Create tickets in Acme Helpdesk.",
		DocsURL:     "https://docs.acme.example/api",
		BaseURL:     "https://api.acme.example",
		Credential: []connectors.Field{{
			Name: "api_key", Title: "API key", Type: connectors.TypeString,
			Required: true, Secret: true,
			Pattern: `^acme_`, PatternHelp: "Acme API keys start with acme_",
			Help: "Settings → API keys in the Acme dashboard.",
		}},
		Actions: []*connectors.Action{createTicket()},
	}
}
