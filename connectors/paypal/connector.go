// Package paypal is the PayPal connector: a webhook trigger verified with
// PayPal's certificate-based signature (verify.go, certs.go) and REST API
// actions on orders, captured payments and refunds.
//
// Actions authenticate with an OAuth 2.0 client-credentials token
// (the app's client id and secret → POST /v1/oauth2/token), cached until
// it expires (oauth.go), and call https://api-m.paypal.com (or the
// sandbox, api-m.sandbox.paypal.com, through the credential's base_url).
// PayPal reports errors as {"name","message","debug_id","details":[{
// "issue","description"}]}; writes take a PayPal-Request-Id header that
// makes a retry return the first result.
package paypal

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "paypal"

// DefaultBaseURL is PayPal's live REST API host.
const DefaultBaseURL = "https://api-m.paypal.com"

// Credential field names used by the actions.
const (
	CredentialClientID     = "client_id"
	CredentialClientSecret = "client_secret"
)

// New returns the PayPal connector's spec.
func New() *connectors.Spec { return newSpec(nil) }

// newSpec builds the spec with a certificate source for the trigger; nil
// is PayPal's own. Only tests pass another.
func newSpec(certs *certSource) *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialClientID, Title: "Client ID", Type: connectors.TypeString, Example: "AeA1QIZXiflr1_-r0U2UbWTziOWX1GRQer5ybRK8…",
			Help: "Developer Dashboard → Apps & Credentials → your app → Client ID. Needed by the actions only."},
		{Name: CredentialClientSecret, Title: "Secret", Type: connectors.TypeString, Secret: true,
			Help: "The app's Secret (Secret key 1), shown under the Client ID. Needed by the actions only."},
	}
	return &connectors.Spec{
		Name:        Name,
		Title:       "PayPal",
		Icon:        "/ui/icons/paypal.svg",
		Description: "Payments: react to PayPal webhooks such as a completed capture, look up orders and captures, and refund captured payments.",
		DocsURL:     "https://developer.paypal.com/api/rest/",
		BaseURL:     DefaultBaseURL,
		APIHosts:    []string{"api-m.sandbox.paypal.com", "api.paypal.com", "api.sandbox.paypal.com"},
		Credential:  connectors.MergeFields(cred, TriggerCredential),
		Triggers:    []*connectors.Trigger{trigger(certs)},
		Actions:     []*connectors.Action{getOrderAction(), getCaptureAction(), refundCaptureAction()},
	}
}

// api is one action's view of the PayPal REST API.
type api struct {
	http  *connectors.Client
	base  string
	token *tokenSource
}

func newAPI(call *connectors.Call) (*api, error) {
	id, secret := call.Credential.String(CredentialClientID), call.Credential.String(CredentialClientSecret)
	switch {
	case id == "":
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by PayPal actions", CredentialClientID))
	case secret == "":
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by PayPal actions", CredentialClientSecret))
	}
	base := strings.TrimRight(call.BaseURL, "/")
	return &api{http: call.HTTP.WithCheck(checkResponse), base: base, token: tokens.get(call.HTTP, base, id, secret)}, nil
}

// do sends a JSON request with a bearer token and decodes the response
// into out. A 401 means the cached token was revoked or expired early:
// the token is dropped and the request tried once more with a new one.
func (a *api) do(ctx context.Context, method, path string, header http.Header, body, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := a.token.get(ctx)
		if err != nil {
			return err
		}
		h := header.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set("Authorization", "Bearer "+tok)
		_, err = a.http.DoJSON(ctx, method, a.base+path, h, body, out)
		if ce := connectors.AsError(err); ce != nil && ce.Status == http.StatusUnauthorized && attempt == 0 {
			a.token.invalidate()
			continue
		}
		return err
	}
}

// checkResponse classifies PayPal's errors: the message is PayPal's
// (the shared classification finds "message", or an OAuth
// error_description), with the error name, the first detail's issue and
// the debug_id PayPal support asks for. 422 (a business rule:
// CAPTURE_FULLY_REFUNDED) is permanent like other 4xx.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	var parts []string
	for _, d := range []string{resp.Details("", "name"), resp.Details("details.0.", "issue", "description"), resp.Details("", "debug_id")} {
		if d != "" {
			parts = append(parts, d)
		}
	}
	ce.Annotate(strings.Join(parts, ", "))
	return ce
}

// idField declares a PayPal object id input. Ids are capital letters and
// digits, which also keeps them safe in a URL path.
func idField(name, title, example, help string) connectors.Field {
	return connectors.Field{Name: name, Title: title, Type: connectors.TypeString, Required: true, Example: example,
		Pattern: `^[A-Za-z0-9-]{1,64}$`, PatternHelp: "a PayPal id has only letters, digits and -", Help: help}
}
