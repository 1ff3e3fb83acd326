package github

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
	"The \"Secret\" you type when adding the webhook (repository → Settings → Webhooks → Add webhook). "+
		"Choose a long random value and paste the same value here.")}

// Events are common GitHub webhook events, as hookflow names them
// ("<X-GitHub-Event>.<action>").
var Events = []string{
	"issues.opened", "issues.edited", "issues.closed", "issues.reopened", "issues.labeled", "issues.unlabeled", "issues.assigned",
	"issue_comment.created", "issue_comment.edited",
	"pull_request.opened", "pull_request.closed", "pull_request.reopened", "pull_request.synchronize", "pull_request.labeled",
	"pull_request.ready_for_review", "pull_request_review.submitted",
	"push", "create", "delete", "release.published", "workflow_run.completed", "check_run.completed",
	"star.created", "fork", "discussion.created",
}

// Trigger returns the GitHub webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "GitHub webhook",
		Description: "Starts a run for each event a repository or organization webhook sends. Deliveries are checked " +
			"against X-Hub-Signature-256 (HMAC-SHA256 of the body under the webhook secret) and deduplicated by " +
			"X-GitHub-Delivery, so a redelivery never runs twice. The event type is X-GitHub-Event plus the payload's " +
			"action, e.g. issues.opened or pull_request.closed (push has no action). GitHub's ping, sent when the " +
			"webhook is created, is answered and logged as ignored.",
		Setup: strings.Join([]string{
			"1. In the repository (or organization) open Settings → Webhooks → Add webhook.",
			"2. Paste this workflow's webhook URL as the Payload URL. Content type: application/json (application/x-www-form-urlencoded works too).",
			"3. Type a long random Secret and paste the same value into the GitHub credential's \"Webhook secret\" field.",
			"4. Choose \"Let me select individual events\" and tick the events the workflow needs (for example Issues), then Add webhook.",
			"GitHub then sends a ping, which hookflow answers; Recent Deliveries shows a green tick, and \"Redeliver\" resends an event without running it twice.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		FormBody:         true,
		SignatureHeaders: []string{HeaderSignature256, HeaderSignatureSHA1},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
