// Package drift is the Drift connector: a webhook trigger for a Drift
// app's events (new messages, identified contacts, conversation status
// changes, button clicks…; verify.go, event.go, trigger.go).
//
// Drift authenticates its webhooks twice, and the trigger checks both: the
// app's verification token in the body's "token" field, and an
// x-drift-signature header, an HMAC-SHA1 of the request timestamp and the
// raw body under the app's client secret. The token is removed from the
// event body before a workflow sees it.
package drift

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "drift"

// New returns the Drift connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "Drift",
		Description: "Conversational marketing: start workflows when visitors message you, are identified, or a conversation changes state in Drift.",
		Icon:        "/ui/icons/drift.svg",
		DocsURL:     "https://devdocs.drift.com/docs/webhook-events-1",
		Credential:  TriggerCredential,
		Triggers:    []*connectors.Trigger{Trigger()},
	}
}
