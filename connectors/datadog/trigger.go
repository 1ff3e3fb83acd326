package datadog

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

// TriggerCredential lists the credential fields the trigger reads.
var TriggerCredential = []connectors.Field{
	{Name: CredentialAuth, Title: "Authentication", Type: connectors.TypeString, Default: AuthHeader, Enum: []string{AuthHeader, AuthBasic},
		Help: "header: Datadog sends the token in the X-Hookflow-Token custom header. basic: Datadog sends HTTP Basic auth with the username and password."},
	connectors.SecretField(CredentialToken, "Token", "For header authentication: a long random value, also typed into the webhook's Custom Headers."),
	{Name: CredentialUsername, Title: "Username", Type: connectors.TypeString, Help: "For basic authentication."},
	connectors.SecretField(CredentialPassword, "Password", "For basic authentication: a long random value."),
}

// PayloadTemplate is the payload the Setup recommends: Datadog's default
// fields plus the alert's transition, status and cycle key, so id and
// event_type give each notification its dedupe key and type.
const PayloadTemplate = `{
  "id": "$ID",
  "event_type": "$EVENT_TYPE",
  "alert_transition": "$ALERT_TRANSITION",
  "alert_id": "$ALERT_ID",
  "alert_status": "$ALERT_STATUS",
  "alert_title": "$ALERT_TITLE",
  "alert_priority": "$ALERT_PRIORITY",
  "alert_cycle_key": "$ALERT_CYCLE_KEY",
  "title": "$EVENT_TITLE",
  "body": "$EVENT_MSG",
  "date": "$DATE",
  "last_updated": "$LAST_UPDATED",
  "hostname": "$HOSTNAME",
  "tags": "$TAGS",
  "link": "$LINK",
  "org": {"id": "$ORG_ID", "name": "$ORG_NAME"}
}`

// Events are Datadog's $EVENT_TYPE values.
var Events = []string{
	"metric_alert_monitor", "query_alert_monitor", "service_check", "event_alert", "log_alert", "process_alert",
	"synthetics_alert", "slo_alert", "composite_monitor", "incident", TypeNotification,
}

// Trigger returns the Datadog webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Datadog webhook",
		Description: "Starts a run for each notification Datadog sends to a webhook (\"@webhook-<name>\" in a monitor's " +
			"message). Not signed by Datadog: deliveries are authenticated by a secret token in a custom header, or by " +
			"HTTP Basic auth, as the credential chooses, compared in constant time; the body itself is not protected. " +
			"With the recommended payload the dedupe key is $ID and the type $EVENT_TYPE (e.g. query_alert_monitor); " +
			"trigger.alert_transition says Triggered, Recovered, Warn…",
		Setup: strings.Join([]string{
			"Datadog does not sign webhooks: hookflow authenticates each delivery by a shared secret (a custom header or Basic auth) but cannot prove the body was not changed on the way.",
			"1. In Datadog open Integrations → Webhooks → New (+ New Webhook) and name it, e.g. hookflow.",
			"2. Paste this workflow's webhook URL as the URL.",
			"3. Payload: use this template (id and event_type give each notification its dedupe key and type):",
			PayloadTemplate,
			"4. Authentication, one of:",
			"   header (the default): tick Custom Headers and enter {\"X-Hookflow-Token\": \"<token>\"} with a long random token, and paste the same token into the credential's Token;",
			"   basic: set the credential's Authentication to basic and put user:password@ in the URL (https://user:password@host/hooks/…) or use the webhook's Basic auth fields, with the same username and password in the credential.",
			"5. Save, then mention @webhook-hookflow in a monitor's message (or use \"Test\" on the monitor).",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{HeaderToken, "Authorization"},
		Verifier:         Verifier{},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
