// Package intercom is the Intercom connector: a webhook trigger for
// Intercom's topics (conversation replies, new contacts, tickets…;
// verify.go, event.go, trigger.go) and an action that replies to a
// conversation as an admin.
//
// Actions call the REST API (https://api.intercom.io, or the EU and
// Australian hosts) with an access token, pinned to one Intercom-Version
// so that a change of the workspace's default version cannot change the
// shape of what they send or receive. Errors are
// {"type":"error.list","request_id","errors":[{"code","message"}]}; rate
// limits answer 429 with X-RateLimit-Reset (a Unix time).
package intercom

import (
	"net/http"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "intercom"

// DefaultBaseURL is Intercom's US data-hosting region.
const DefaultBaseURL = "https://api.intercom.io"

// APIVersion is the Intercom-Version header every call sends.
const APIVersion = "2.11"

// Credential fields the actions read.
const (
	// CredentialAccessToken is the app's access token (Developer Hub →
	// your app → Authentication).
	CredentialAccessToken = "access_token"
	// CredentialAdminID is the admin replies are sent as, unless a step
	// names another.
	CredentialAdminID = "admin_id"
)

// New returns the Intercom connector's spec.
func New() *connectors.Spec {
	own := []connectors.Field{
		{Name: CredentialAccessToken, Title: "Access token", Type: connectors.TypeString, Secret: true, Example: "dG9rOm…",
			Help: "Developer Hub → your app → Configure → Authentication → Access token. Needed by the actions; a credential " +
				"used only for the webhook trigger may leave it empty."},
		{Name: CredentialAdminID, Title: "Reply as admin (id)", Type: connectors.TypeString, Example: "814860",
			Pattern: `^[0-9]+$`, PatternHelp: "an admin id is numeric",
			Help: "The teammate replies are sent as: open the teammate in Settings → Teammates; the id is in the URL. A step may override it."},
	}
	return &connectors.Spec{
		Name:        Name,
		Title:       "Intercom",
		Description: "Customer messaging: start workflows from Intercom webhooks (replies, new conversations and contacts) and reply to conversations.",
		Icon:        "/ui/icons/intercom.svg",
		DocsURL:     "https://developers.intercom.com/docs/references/rest-api/api.intercom.io",
		BaseURL:     DefaultBaseURL,
		APIHosts:    []string{"api.eu.intercom.io", "api.au.intercom.io"},
		Credential:  connectors.MergeFields(own, TriggerCredential),
		Triggers:    []*connectors.Trigger{Trigger()},
		Actions:     []*connectors.Action{replyToConversationAction()},
	}
}

// headers are what every call sends.
func headers(token string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	h.Set("Intercom-Version", APIVersion)
	h.Set("Accept", "application/json")
	return h
}

// checkResponse adds Intercom's error code and request id, which its
// support asks for, to the message.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	ce.Annotate(resp.Details("errors.0.", "code"))
	ce.Annotate(resp.Details("", "request_id"))
	return ce
}
