package gitlab

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
var TriggerCredential = []connectors.Field{connectors.SecretField(CredentialWebhookToken, "Webhook secret token",
	"The \"Secret token\" you type when adding the webhook (project or group → Settings → Webhooks). "+
		"Choose a long random value and paste the same value here.")}

// Events are the object_kind values GitLab webhooks carry.
var Events = []string{
	"push", "tag_push", "issue", "note", "merge_request", "wiki_page", "pipeline", "build", "deployment",
	"release", "milestone", "feature_flag", "emoji", "member", "subgroup", "project", "vulnerability", "work_item",
}

// Trigger returns the GitLab webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "GitLab webhook",
		Description: "Starts a run for each event of a project or group webhook. Not signed by GitLab: deliveries are " +
			"authenticated by the webhook's secret token, which GitLab sends in X-Gitlab-Token and hookflow compares in " +
			"constant time. Deduplicated by Idempotency-Key (X-Gitlab-Event-UUID on GitLab before 17.4), so a retried or " +
			"resent delivery never runs twice. The type is the body's object_kind: issue, merge_request, push, note, pipeline…",
		Setup: strings.Join([]string{
			"GitLab does not sign webhooks: it sends the secret token itself, which hookflow compares in constant time; use HTTPS so nobody can read it on the way.",
			"1. In the project (or group) open Settings → Webhooks → Add new webhook.",
			"2. Paste this workflow's webhook URL as the URL.",
			"3. Type a long random Secret token and paste the same value into the GitLab credential's \"Webhook secret token\" field.",
			"4. Tick the triggers the workflow needs (for example Issues events), keep SSL verification on, and save.",
			"Use Test → Issues events to send a sample; the webhook's Recent events list shows each delivery and can resend it.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderToken},
		Verifier:         verifier,
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
