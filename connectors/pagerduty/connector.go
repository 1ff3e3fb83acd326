// Package pagerduty is the PagerDuty connector: a Webhooks v3 trigger
// (verify.go, event.go, trigger.go) and an Events API v2 action that
// triggers, acknowledges and resolves alerts.
//
// The Events API authenticates by the routing key inside the body, not a
// header: POST https://events.pagerduty.com/v2/enqueue answers 202 with
// {"status":"success","dedup_key":…}, 400 with {"status":"invalid event",
// "message","errors":[…]} for an event it will never take, 429 when the
// routing key sends too fast, and 5xx when it should be retried. Events
// with the same dedup_key update one alert, which is what makes a
// retried step safe (action_send_event.go).
package pagerduty

import (
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "pagerduty"

// DefaultBaseURL is the Events API v2 host.
const DefaultBaseURL = "https://events.pagerduty.com"

// CredentialRoutingKey is the credential field holding the integration
// (routing) key of an Events API v2 integration.
const CredentialRoutingKey = "routing_key"

// New returns the PagerDuty connector's spec.
func New() *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialRoutingKey, Title: "Integration key (routing key)", Type: connectors.TypeString, Secret: true,
			Pattern: `^[A-Za-z0-9]{32}$`, PatternHelp: "an Events API v2 integration key is 32 letters and digits",
			Help: "Services → your service → Integrations → Add integration → \"Events API V2\" → Integration Key. " +
				"Needed by send_event; a credential used only for the webhook trigger may leave it empty."},
	}
	return &connectors.Spec{
		Name:        Name,
		Title:       "PagerDuty",
		Description: "Incident response: react to incident webhooks (triggered, acknowledged, resolved…) and trigger, acknowledge or resolve alerts through the Events API v2.",
		Icon:        "/ui/icons/pagerduty.svg",
		DocsURL:     "https://developer.pagerduty.com/docs/events-api-v2-overview",
		BaseURL:     DefaultBaseURL,
		Credential:  connectors.MergeFields(cred, TriggerCredential),
		Triggers:    []*connectors.Trigger{Trigger()},
		Actions:     []*connectors.Action{sendEventAction()},
	}
}

// checkResponse keeps the Events API's error list with its message:
// {"message":"Event object is invalid","errors":["'summary' is missing"]}.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	var errs []string
	for _, e := range resp.Get("errors").Array() {
		if s := strings.TrimSpace(e.String()); s != "" {
			errs = append(errs, s)
		}
	}
	ce.Annotate(strings.Join(errs, "; "))
	return ce
}
