// Package webhook is hookflow's Standard Webhooks connector. Its send
// action delivers signed outgoing webhooks (webhook-id, webhook-timestamp,
// webhook-signature with whsec_ secrets, several signatures while a secret
// is being rotated). One call of the action is one delivery attempt; the
// retry schedule (Schedule, DefaultSchedule) is run as durable Temporal
// timers by the engine's delivery workflow, which moves a delivery that
// exhausts its schedule to the dead-letter list.
//
// The incoming generic webhook trigger (verify.go, event.go) lives in this
// package too.
package webhook

import (
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "webhook"

// Credential fields.
const (
	CredentialSecret         = "secret"
	CredentialPreviousSecret = "previous_secret"
)

// New returns the webhook connector's spec, stamping deliveries with the
// wall clock.
func New() *connectors.Spec { return NewWithClock(time.Now) }

// NewWithClock is New with the clock as a function, for golden tests.
func NewWithClock(now func() time.Time) *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "Webhook",
		Icon:        "/ui/icons/webhook.svg",
		Description: "Send signed webhooks (Standard Webhooks) to any URL, with a configurable retry schedule and a dead-letter list.",
		DocsURL:     "https://www.standardwebhooks.com/",
		UserURLs:    true,
		// secret and previous_secret serve both directions: they sign
		// outgoing deliveries (send needs a whsec_ secret) and verify
		// incoming ones (any string in hmac mode), so neither is required
		// by the spec; send checks it at run time.
		Credential: append([]connectors.Field{
			{Name: CredentialSecret, Title: "Signing secret", Type: connectors.TypeString, Secret: true,
				Example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
				Help:    "Outgoing: a Standard Webhooks secret (whsec_ followed by base64) shared with the receiver. Incoming: the secret senders sign with."},
			{Name: CredentialPreviousSecret, Title: "Previous signing secret", Type: connectors.TypeString, Secret: true,
				Help: "While rotating, outgoing deliveries carry a signature under both secrets and incoming ones may use either."},
		}, TriggerCredential...),
		Triggers: []*connectors.Trigger{Trigger()},
		Actions:  []*connectors.Action{sendAction(now)},
	}
}
