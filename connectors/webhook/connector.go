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
		Description: "Send signed webhooks (Standard Webhooks) to any URL, with a configurable retry schedule and a dead-letter list.",
		DocsURL:     "https://www.standardwebhooks.com/",
		UserURLs:    true,
		Credential: []connectors.Field{
			{Name: CredentialSecret, Title: "Signing secret", Type: connectors.TypeString, Required: true, Secret: true,
				Example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Pattern: `^whsec_[A-Za-z0-9+/=]+$`,
				PatternHelp: "Standard Webhooks secrets start with whsec_ followed by base64",
				Help:        "Share this secret with the receiver; it verifies the webhook-signature header with it."},
			{Name: CredentialPreviousSecret, Title: "Previous signing secret", Type: connectors.TypeString, Secret: true,
				Pattern: `^whsec_[A-Za-z0-9+/=]+$`, PatternHelp: "Standard Webhooks secrets start with whsec_ followed by base64",
				Help: "While rotating, deliveries carry a signature under both secrets, so receivers can switch at their own pace."},
		},
		Actions: []*connectors.Action{sendAction(now)},
	}
}
