// Package square is the Square connector: a webhook trigger for Square's
// event notifications (payments, refunds, orders, customers…) and actions
// on the Payments and Refunds APIs.
//
// Actions call https://connect.squareup.com/v2/… (or the sandbox,
// connect.squareupsandbox.com, through the credential's base_url) with a
// Bearer access token and the Square-Version header that pins the API
// version. Square reports errors as {"errors":[{"category","code",
// "detail","field"}]} and rate-limits with 429 RATE_LIMITED; writes take an
// idempotency_key in the body, which a retried step keeps.
package square

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "square"

// DefaultBaseURL is Square's production API host.
const DefaultBaseURL = "https://connect.squareup.com"

// SandboxHost is Square's sandbox API host, which a credential's base_url
// may name.
const SandboxHost = "connect.squareupsandbox.com"

// DefaultAPIVersion is the Square-Version sent when the credential names
// none. Square keeps every dated version working; pinning one keeps
// responses stable when Square releases a new one.
const DefaultAPIVersion = "2024-11-20"

// Credential field names.
const (
	CredentialAccessToken = "access_token"
	CredentialAPIVersion  = "api_version"
)

// rateLimitWait is used for a 429 without Retry-After, which Square does
// not send; its limits are per second, so a short wait frees room.
const rateLimitWait = 2 * time.Second

// New returns the Square connector's spec.
func New() *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialAccessToken, Title: "Access token", Type: connectors.TypeString, Secret: true,
			Example: "EAAAl…", Help: "Developer Dashboard → your application → Credentials → Production (or Sandbox) access token, " +
				"or an OAuth access token with PAYMENTS_READ and PAYMENTS_WRITE. Needed by the actions only."},
	}
	cred = connectors.MergeFields(cred, TriggerCredential)
	cred = append(cred, connectors.Field{Name: CredentialAPIVersion, Title: "API version (Square-Version)", Type: connectors.TypeString,
		Default: DefaultAPIVersion, Pattern: `^\d{4}-\d{2}-\d{2}$`, PatternHelp: "a Square API version is a date such as 2024-11-20"})
	return &connectors.Spec{
		Name:        Name,
		Title:       "Square",
		Icon:        "/ui/icons/square.svg",
		Description: "Payments and point of sale: react to Square events such as a completed payment, look up payments and refund them.",
		DocsURL:     "https://developer.squareup.com/reference/square",
		BaseURL:     DefaultBaseURL,
		APIHosts:    []string{SandboxHost},
		Credential:  cred,
		Triggers:    []*connectors.Trigger{Trigger()},
		Actions:     []*connectors.Action{retrievePaymentAction(), refundPaymentAction()},
	}
}

// api is one action's view of the Square API.
type api struct {
	http   *connectors.Client
	base   string
	header http.Header
}

func newAPI(call *connectors.Call) (*api, error) {
	token := call.Credential.String(CredentialAccessToken)
	if token == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by Square actions", CredentialAccessToken))
	}
	version := call.Credential.String(CredentialAPIVersion)
	if version == "" {
		version = DefaultAPIVersion
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	h.Set("Square-Version", version)
	return &api{http: call.HTTP.WithCheck(checkResponse), base: strings.TrimRight(call.BaseURL, "/"), header: h}, nil
}

func (a *api) do(ctx context.Context, method, path string, body, out any) error {
	_, err := a.http.DoJSON(ctx, method, a.base+path, a.header, body, out)
	return err
}

// checkResponse classifies Square's errors: the message is the first
// error's detail (the shared classification finds errors.0.detail), with
// its category, code and field added, which say what to fix
// (INVALID_REQUEST_ERROR, NOT_FOUND, amount_money.amount). A 429 has no
// Retry-After from Square, so it gets a wait that fits its per-second
// limits.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	ce.Annotate(resp.Details("errors.0.", "category", "code", "field"))
	if ce.Class == connectors.ClassRateLimited && resp.Header.Get("Retry-After") == "" {
		ce.RetryAfter = rateLimitWait
	}
	return ce
}

// idField declares a Square object id input. Ids are letters, digits, _
// and -, which also keeps them safe in a URL path.
func idField(name, title, example, help string) connectors.Field {
	return connectors.Field{Name: name, Title: title, Type: connectors.TypeString, Required: true, Example: example,
		Pattern: `^[A-Za-z0-9_-]{1,192}$`, PatternHelp: "a Square id has only letters, digits, _ and -", Help: help}
}
