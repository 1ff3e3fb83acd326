// Package all lists every built-in connector in one place. Adding a
// provider means adding one line to Connectors below; nothing else in the
// codebase changes.
package all

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/bigcommerce"
	"github.com/hookflow/hookflow/connectors/cloudevents"
	"github.com/hookflow/hookflow/connectors/datadog"
	"github.com/hookflow/hookflow/connectors/discord"
	"github.com/hookflow/hookflow/connectors/drift"
	"github.com/hookflow/hookflow/connectors/email"
	"github.com/hookflow/hookflow/connectors/github"
	"github.com/hookflow/hookflow/connectors/gitlab"
	"github.com/hookflow/hookflow/connectors/googlechat"
	hfhttp "github.com/hookflow/hookflow/connectors/http"
	"github.com/hookflow/hookflow/connectors/hubspot"
	"github.com/hookflow/hookflow/connectors/intercom"
	"github.com/hookflow/hookflow/connectors/jira"
	"github.com/hookflow/hookflow/connectors/messenger"
	"github.com/hookflow/hookflow/connectors/openai"
	"github.com/hookflow/hookflow/connectors/pagerduty"
	"github.com/hookflow/hookflow/connectors/paypal"
	"github.com/hookflow/hookflow/connectors/pipedrive"
	"github.com/hookflow/hookflow/connectors/salesforce"
	"github.com/hookflow/hookflow/connectors/sendgrid"
	"github.com/hookflow/hookflow/connectors/shopify"
	"github.com/hookflow/hookflow/connectors/slack"
	"github.com/hookflow/hookflow/connectors/square"
	"github.com/hookflow/hookflow/connectors/stripe"
	"github.com/hookflow/hookflow/connectors/teams"
	"github.com/hookflow/hookflow/connectors/telegram"
	"github.com/hookflow/hookflow/connectors/twilio"
	"github.com/hookflow/hookflow/connectors/webhook"
	"github.com/hookflow/hookflow/connectors/whatsapp"
	"github.com/hookflow/hookflow/connectors/woocommerce"
)

// Connectors returns the built-in connectors, in catalog order. This is
// the one list: add a provider's constructor here (keep it sorted after
// the two generic connectors).
func Connectors() []connectors.Connector {
	return []connectors.Connector{
		hfhttp.New(),
		webhook.New(),
		// Providers: one line each, e.g. stripe.New(),
		bigcommerce.New(),
		cloudevents.New(),
		datadog.New(),
		discord.New(),
		drift.New(),
		email.New(),
		github.New(),
		gitlab.New(),
		googlechat.New(),
		hubspot.New(),
		intercom.New(),
		jira.New(),
		messenger.New(),
		openai.New(),
		pagerduty.New(),
		paypal.New(),
		pipedrive.New(),
		salesforce.New(),
		sendgrid.New(),
		shopify.New(),
		slack.New(),
		square.New(),
		stripe.New(),
		teams.New(),
		telegram.New(),
		twilio.New(),
		whatsapp.New(),
		woocommerce.New(),
	}
}

// Options configures the registry of built-ins.
type Options = connectors.RegistryConfig

// New returns a registry holding every built-in connector. It fails when
// two connectors share a name or a spec is invalid, which tests catch
// before a release.
func New(opts Options) (*connectors.Registry, error) {
	reg, err := connectors.NewRegistryConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("building connector registry: %w", err)
	}
	for _, c := range Connectors() {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return reg, nil
}
