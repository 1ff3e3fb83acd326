package jira

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
var TriggerCredential = []connectors.Field{connectors.SecretField(CredentialWebhookSecret, "Webhook secret",
	"The Secret of the webhook (Jira settings → System → WebHooks → Create a WebHook → Secret): "+
		"generate one there and copy it here.")}

// Events are Jira Cloud webhook events.
var Events = []string{
	"jira:issue_created", "jira:issue_updated", "jira:issue_deleted",
	"comment_created", "comment_updated", "comment_deleted",
	"worklog_created", "worklog_updated", "worklog_deleted",
	"issuelink_created", "issuelink_deleted", "attachment_created", "attachment_deleted",
	"sprint_created", "sprint_started", "sprint_closed", "jira:version_released",
	"project_created", "project_updated", "user_created",
}

// Trigger returns the Jira webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Jira webhook",
		Description: "Starts a run for each event of a Jira Cloud admin webhook, such as jira:issue_created. Deliveries " +
			"are checked against X-Hub-Signature (sha256=, HMAC-SHA256 of the body under the webhook's secret) and " +
			"deduplicated by X-Atlassian-Webhook-Identifier, so Jira's retries never run twice. The type is the body's " +
			"webhookEvent; trigger.issue is the issue. Only webhooks created with a secret are signed: create it with one.",
		Setup: strings.Join([]string{
			"1. As a Jira admin open Settings (cog) → System → WebHooks → Create a WebHook.",
			"2. Paste this workflow's webhook URL as the URL, and click \"Generate secret\" (or type a long random value).",
			"3. Copy the secret into the Jira credential's \"Webhook secret\" field.",
			"4. Pick the events (for example Issue: created) and optionally a JQL filter such as project = PROJ, then Create.",
			"Webhooks registered by Connect or OAuth 2.0 apps without a secret are not signed and are refused.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderSignature},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
