// Package datadog is the Datadog connector: a trigger for Datadog's
// Webhooks integration, which monitors, SLOs and incidents notify with
// "@webhook-<name>".
//
// Datadog signs nothing. The strongest options it offers are a custom
// header and HTTP Basic auth on the webhook, so the credential chooses
// one (verify.go) and the trigger says plainly that deliveries are
// authenticated, not signed. The body is whatever payload template the
// webhook has; the Setup text recommends one whose $ID and $EVENT_TYPE
// give each event its dedupe key and type (event.go).
package datadog

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "datadog"

// New returns the Datadog connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "Datadog",
		Description: "Monitoring: start workflows from Datadog monitor, SLO and incident notifications sent through the Webhooks integration.",
		Icon:        "/ui/icons/datadog.svg",
		DocsURL:     "https://docs.datadoghq.com/integrations/webhooks/",
		Credential:  TriggerCredential,
		Triggers:    []*connectors.Trigger{Trigger()},
	}
}
