package pagerduty

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
var TriggerCredential = []connectors.Field{connectors.SecretField(CredentialWebhookSecret, "Webhook signing secret",
	"Shown once when you add the webhook subscription (Integrations → Generic Webhooks (v3) → New Webhook): copy it then.")}

// Events are the Webhooks v3 event types.
var Events = []string{
	"incident.triggered", "incident.acknowledged", "incident.unacknowledged", "incident.resolved", "incident.reopened",
	"incident.escalated", "incident.reassigned", "incident.delegated", "incident.priority_updated", "incident.annotated",
	"incident.responder.added", "incident.responder.replied", "incident.status_update_published",
	"incident.conference_bridge.updated", "incident.custom_field_values.updated", "incident.workflow.started",
	"incident.workflow.completed", "service.created", "service.updated", "service.deleted", "pagey.ping",
}

// Trigger returns the PagerDuty Webhooks v3 trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "PagerDuty webhook (v3)",
		Description: "Starts a run for each Webhooks v3 event, such as incident.triggered or incident.resolved. Deliveries " +
			"are checked against X-PagerDuty-Signature (HMAC-SHA256 of the body; any of several v1= values may match " +
			"while a secret is rotated) and deduplicated by event.id, so PagerDuty's retries never run twice. The " +
			"workflow sees the delivery as trigger: trigger.event.data is the incident.",
		Setup: strings.Join([]string{
			"1. In PagerDuty open Integrations → Generic Webhooks (v3) → New Webhook.",
			"2. Paste this workflow's webhook URL as the Webhook URL, choose the scope (an account, a service or a team) and the event subscriptions (for example incident.triggered and incident.resolved).",
			"3. Add the webhook and copy the signing secret PagerDuty shows once into the PagerDuty credential's \"Webhook signing secret\" field.",
			"4. \"Send Test Event\" sends a pagey.ping event, which appears in the workflow's events.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
