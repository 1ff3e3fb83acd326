// Package twilio is the Twilio Programmable Messaging connector: the
// incoming SMS and status-callback trigger (verify.go, event.go) and the
// send_sms action.
//
// Twilio's REST API takes application/x-www-form-urlencoded bodies with
// HTTP Basic auth (the Account SID and Auth Token, or an API key SID and
// secret) and answers errors with {"code","message","more_info","status"};
// checkResponse keeps Twilio's numeric code and its documentation link in
// the error so users can look the code up.
package twilio

import (
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "twilio"

// DefaultBaseURL is Twilio's REST API host.
const DefaultBaseURL = "https://api.twilio.com"

// Credential fields the action reads (CredentialAuthToken is declared by
// the trigger, which signs with it too).
const (
	CredentialAccountSID   = "account_sid"
	CredentialAPIKeySID    = "api_key_sid"
	CredentialAPIKeySecret = "api_key_secret"
)

// New returns the Twilio connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:  Name,
		Title: "Twilio",
		Description: "Send SMS and MMS through Twilio, and start workflows from incoming messages and " +
			"delivery status callbacks.",
		Icon:    "/ui/icons/twilio.svg",
		DocsURL: "https://www.twilio.com/docs/messaging/api/message-resource",
		BaseURL: DefaultBaseURL,
		// Regional edges such as api.dublin.ie1.twilio.com serve the same
		// API; a credential's base_url may name one.
		APIHosts:   []string{"*.twilio.com"},
		Credential: credentialFields(),
		Triggers:   []*connectors.Trigger{Trigger()},
		Actions:    []*connectors.Action{SendSMS()},
	}
}

func credentialFields() []connectors.Field {
	fields := []connectors.Field{{
		Name: CredentialAccountSID, Title: "Account SID", Type: connectors.TypeString, Required: true, ForActions: true,
		Example: "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", Pattern: `^AC[0-9a-fA-F]{32}$`,
		PatternHelp: "Twilio Account SIDs are AC followed by 32 hex characters",
		Help:        "On the Twilio Console home page under Account Info.",
	}}
	fields = connectors.MergeFields(fields, TriggerCredential) // auth_token
	return connectors.MergeFields(fields, []connectors.Field{
		{
			Name: CredentialAPIKeySID, Title: "API key SID", Type: connectors.TypeString, Example: "SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
			Pattern: `^SK[0-9a-fA-F]{32}$`, PatternHelp: "Twilio API key SIDs are SK followed by 32 hex characters",
			Help: "Optional: send with an API key (Console → Account → API keys) instead of the Auth Token. " +
				"The Auth Token is still needed to verify incoming webhooks.",
		},
		{
			Name: CredentialAPIKeySecret, Title: "API key secret", Type: connectors.TypeString, Secret: true,
			Help: "The secret shown once when the API key was created.",
		},
	})
}

// basicAuth picks the key pair to send: an API key when one is set,
// otherwise the Account SID and Auth Token. The error names the credential
// field to fill in.
func basicAuth(cred connectors.Values) (user, pass string, err error) {
	keySID, keySecret := cred.String(CredentialAPIKeySID), cred.String(CredentialAPIKeySecret)
	switch {
	case keySID != "" && keySecret != "":
		return keySID, keySecret, nil
	case keySID != "":
		return "", "", connectors.Permanent(fmt.Errorf("credential.%s: required when %s is set", CredentialAPIKeySecret, CredentialAPIKeySID))
	case cred.String(CredentialAuthToken) != "":
		return cred.String(CredentialAccountSID), cred.String(CredentialAuthToken), nil
	}
	return "", "", connectors.Permanent(fmt.Errorf("credential.%s: required (or an API key SID and secret)", CredentialAuthToken))
}

// checkResponse keeps Twilio's error code and documentation link in the
// classified error. Twilio's 20429 is a rate limit whatever the status.
func checkResponse(resp *connectors.HTTPResponse) error {
	code := resp.Get("code").Int()
	ce := resp.Classify()
	if ce == nil || code == 0 {
		// Below 400, or not a Twilio error body: the default
		// classification decides.
		return nil
	}
	msg := fmt.Sprintf("Twilio error %d: %s", code, resp.Get("message").String())
	if code == 20003 {
		msg += " (the Account SID and Auth Token, or the API key, do not match)"
	}
	if info := resp.Get("more_info").String(); info != "" {
		msg += " (" + info + ")"
	}
	ce.Message = msg
	if code == 20429 && ce.Class != connectors.ClassRateLimited {
		ce.Class = connectors.ClassRateLimited
		if ce.RetryAfter == 0 {
			ce.RetryAfter = connectors.DefaultRateLimitWait
		}
	}
	return ce
}

// authHeader builds the HTTP Basic auth header Twilio's REST API expects.
func authHeader(user, pass string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	return h
}
