// Package salesforce is the Salesforce connector: a trigger for Outbound
// Messages (the SOAP notifications that flows, workflow rules and approval
// processes send; verify.go, event.go, trigger.go) and REST API actions
// that create or update Contacts and Opportunities.
//
// Actions call the org's own host (the credential's instance_url, such as
// https://acme.my.salesforce.com) with an access token. The credential is
// the {instance_url, access_token} pair an OAuth 2 token response carries:
// pasted by hand, or filled by "Connect Salesforce" (Spec.OAuth, whose
// ExtraFields copy the token response's instance_url into the credential).
// Salesforce reports errors as a JSON array of {errorCode, message, fields};
// checkResponse keeps all three in the message. A spent API request limit
// answers 403 REQUEST_LIMIT_EXCEEDED rather than 429, so it is classified
// as rate-limited by its code.
package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "salesforce"

// APIVersion is the REST API version the actions were written against.
const APIVersion = "v61.0"

// Credential fields the actions read.
const (
	// CredentialInstanceURL is the org's own host, e.g.
	// https://acme.my.salesforce.com: an OAuth token response's
	// instance_url.
	CredentialInstanceURL = "instance_url"
	// CredentialAccessToken is an OAuth access token (or a session id) of
	// a user allowed to edit the objects.
	CredentialAccessToken = "access_token"
)

// requestLimitWait is how long to wait after REQUEST_LIMIT_EXCEEDED when
// Salesforce names no time: the daily limit is a rolling 24 hours and the
// concurrent-request limit clears in seconds, so a few minutes is the
// retry step that neither hammers the org nor stalls a run for a day.
const requestLimitWait = 5 * time.Minute

// instanceURLPattern accepts the hosts Salesforce serves orgs from.
var instanceURLPattern = regexp.MustCompile(`^https://[A-Za-z0-9.-]+\.(salesforce|force)\.com/?$`)

// New returns the Salesforce connector's spec.
func New() *connectors.Spec {
	own := []connectors.Field{
		{Name: CredentialInstanceURL, Title: "Instance URL", Type: connectors.TypeString,
			Example: "https://acme.my.salesforce.com", Pattern: instanceURLPattern.String(),
			PatternHelp: "your org's https://….my.salesforce.com address, without a path",
			Help: "Your org's My Domain URL (Setup → My Domain), or the instance_url of an OAuth token response. " +
				"Needed by the actions; a credential used only for the Outbound Message trigger may leave it empty."},
		{Name: CredentialAccessToken, Title: "Access token", Type: connectors.TypeString, Secret: true,
			Example: "00D5g000004ABCD!AQ4AQ…",
			Help: "An OAuth access token of a connected app (scopes api), for a user who may edit Contacts and Opportunities. " +
				"Needed by the actions; a credential used only for the trigger may leave it empty."},
	}
	return &connectors.Spec{
		Name:  Name,
		Title: "Salesforce",
		Description: "CRM: start workflows from Salesforce Outbound Messages (record created or changed), and create or " +
			"update Contacts and Opportunities by record id or external id.",
		Icon:        "/ui/icons/salesforce.svg",
		DocsURL:     "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/",
		BaseURL:     "https://login.salesforce.com",
		APIHosts:    []string{"*.salesforce.com", "*.force.com"},
		BaseURLFrom: instanceBaseURL,
		Credential:  connectors.MergeFields(own, TriggerCredential),
		// Salesforce connected apps use the OAuth 2.0 web server flow
		// (help.salesforce.com "OAuth 2.0 Web Server Flow for Web App
		// Integration"): PKCE is supported, the client secret goes in the
		// token request's body, the api scope reaches the REST API and
		// refresh_token lets hookflow stay connected. The token response
		// names the org's instance_url, which the actions call; its
		// access tokens carry no expires_in (they last the org's session
		// timeout), so they are refreshed when the API answers 401.
		// Sandboxes authorize at test.salesforce.com instead, which this
		// declaration does not cover: connect a sandbox by pasting its
		// instance URL and token.
		OAuth: &connectors.OAuth{
			AuthURL:          "https://login.salesforce.com/services/oauth2/authorize",
			TokenURL:         "https://login.salesforce.com/services/oauth2/token",
			RevokeURL:        "https://login.salesforce.com/services/oauth2/revoke",
			Scopes:           []string{"api", "refresh_token"},
			PKCE:             true,
			ClientAuthInBody: true,
			ExtraFields:      map[string]string{"instance_url": CredentialInstanceURL},
		},
		Triggers: []*connectors.Trigger{Trigger()},
		Actions:  []*connectors.Action{upsertContactAction(), upsertOpportunityAction()},
	}
}

// instanceBaseURL is the REST API root of the credential's org.
func instanceBaseURL(cred connectors.Values) (string, error) {
	raw := strings.TrimSpace(cred.String(CredentialInstanceURL))
	if raw == "" {
		return "", fmt.Errorf("credential.%s: required by Salesforce actions (your org's https://….my.salesforce.com address)", CredentialInstanceURL)
	}
	if !instanceURLPattern.MatchString(raw) {
		return "", fmt.Errorf("credential.%s: %q is not an org address like https://acme.my.salesforce.com", CredentialInstanceURL, raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// checkResponse classifies Salesforce's error arrays,
// [{"errorCode":"REQUIRED_FIELD_MISSING","message":"…","fields":["LastName"]}],
// keeping the code and the fields in the message, since those are what a
// user fixes in the step's input.
func checkResponse(resp *connectors.HTTPResponse) error {
	if resp.Status == http.StatusMultipleChoices {
		return connectors.NewError(connectors.ClassPermanent, resp.Status,
			"the external id matches more than one record; use a field that is unique, or the record id")
	}
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	first := gjson.GetBytes(resp.Body, "0")
	if !first.IsObject() {
		return ce
	}
	code := first.Get("errorCode").String()
	msg := first.Get("message").String()
	if msg == "" {
		msg = ce.Message
	}
	if code != "" {
		msg = code + ": " + msg
	}
	var fields []string
	for _, f := range first.Get("fields").Array() {
		fields = append(fields, f.String())
	}
	if len(fields) > 0 {
		msg += " (fields: " + strings.Join(fields, ", ") + ")"
	}
	if n := len(resp.Get("@this").Array()); n > 1 {
		msg += fmt.Sprintf(" and %d more errors", n-1)
	}
	ce.Message = msg
	switch code {
	case "REQUEST_LIMIT_EXCEEDED":
		ce.Class = connectors.ClassRateLimited
		if wait, ok := connectors.RetryAfter(resp.Header, nil, time.Now()); ok {
			ce.RetryAfter = wait
		} else if ce.RetryAfter == 0 {
			ce.RetryAfter = requestLimitWait
		}
	case "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE":
		ce.Class = connectors.ClassRetryable
	case "INVALID_SESSION_ID":
		ce.Message += " (the access token expired or was revoked; reconnect the Salesforce credential)"
	}
	return ce
}

// api is one action's view of the REST API.
type api struct {
	http   *connectors.Client
	base   string
	header http.Header
}

func newAPI(call *connectors.Call) (*api, error) {
	token := call.Credential.String(CredentialAccessToken)
	if token == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by Salesforce actions", CredentialAccessToken))
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	return &api{http: call.HTTP.WithCheck(checkResponse), base: strings.TrimRight(call.BaseURL, "/") + "/services/data/" + APIVersion,
		header: h}, nil
}

// sobjectPath is the REST path of one sObject type, with each further
// segment escaped.
func sobjectPath(sobject string, segments ...string) string {
	p := "/sobjects/" + sobject
	for _, s := range segments {
		p += "/" + url.PathEscape(s)
	}
	return p
}

func (a *api) do(ctx context.Context, method, path string, body, out any) (*connectors.HTTPResponse, error) {
	return a.http.DoJSON(ctx, method, a.base+path, a.header, body, out)
}
