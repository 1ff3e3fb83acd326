// Package hubspot is the HubSpot connector: a webhook trigger (verify.go,
// event.go, trigger.go) and CRM v3 actions on contacts, deals and notes.
//
// Actions call https://api.hubapi.com with a private app's access token
// (Authorization: Bearer) through the shared connectors.Client. HubSpot
// reports errors as {"status":"error","message","correlationId","category"};
// the category and correlation id are kept in the error message because
// HubSpot support asks for the latter. Rate limits answer 429 with a
// policyName (SECONDLY, TEN_SECONDLY_ROLLING, DAILY) and the window in
// X-HubSpot-RateLimit-Interval-Milliseconds rather than Retry-After.
package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "hubspot"

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// Credential field names.
const (
	CredentialAccessToken = "access_token"
)

// Waits for a 429 that names none: HubSpot's burst windows are one or ten
// seconds; a spent daily quota only clears at midnight in the account's
// time zone, which the API does not tell us, so an hour is the retry step.
const (
	secondlyWait = time.Second
	burstWait    = 10 * time.Second
	dailyWait    = time.Hour
)

// HubSpot-defined association type ids (CRM v4 "associationTypeId").
const (
	assocDealToContact = 3
	assocDealToCompany = 5
	assocNoteToContact = 202
	assocNoteToDeal    = 214
)

// now is the clock for note timestamps; tests replace it.
var now = time.Now

// New returns the HubSpot connector's spec.
func New() *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialAccessToken, Title: "Private app access token", Type: connectors.TypeString, Secret: true,
			Example: "pat-na1-…", Pattern: `^[A-Za-z0-9_\-.]{20,}$`, PatternHelp: "a HubSpot access token is a long string such as pat-na1-…",
			Help: "Settings → Integrations → Private apps → your app → Access token. Scopes: crm.objects.contacts.read/write " +
				"and crm.objects.deals.read/write. Needed by every action; a credential used only for the webhook trigger may leave it empty."},
	}
	cred = connectors.MergeFields(cred, TriggerCredential)
	return &connectors.Spec{
		Name:        Name,
		Title:       "HubSpot",
		Description: "CRM: react to HubSpot events, upsert contacts by email, create deals for contacts, log notes and search contacts.",
		Icon:        "/ui/icons/hubspot.svg",
		DocsURL:     "https://developers.hubspot.com/docs/api/crm/understanding-the-crm",
		BaseURL:     DefaultBaseURL,
		// HubSpot public apps connect with OAuth 2 (developers.hubspot.com
		// "Working with OAuth"); a private app token can still be pasted.
		OAuth: &connectors.OAuth{
			AuthURL:  "https://app.hubspot.com/oauth/authorize",
			TokenURL: "https://api.hubapi.com/oauth/v1/token",
			Scopes:   []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.deals.read", "crm.objects.deals.write"},
			PKCE:     true,
			// HubSpot's token endpoint reads client_id and client_secret
			// from the form body. No RevokeURL: HubSpot deletes refresh
			// tokens with DELETE /oauth/v1/refresh-tokens/{token}, not an
			// RFC 7009 endpoint, so disconnecting deletes the tokens here
			// and the user removes the app in HubSpot (Settings →
			// Integrations → Connected apps).
			ClientAuthInBody: true,
		},
		Credential: cred,
		Triggers:   []*connectors.Trigger{Trigger()},
		Actions: []*connectors.Action{
			upsertContactAction(),
			createDealAction(),
			addNoteAction(),
			searchContactsAction(),
		},
	}
}

// api is one action's view of the CRM API.
type api struct {
	http   *connectors.Client
	base   string
	header http.Header
}

func newAPI(call *connectors.Call) (*api, error) {
	token := call.Credential.String(CredentialAccessToken)
	if token == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by HubSpot actions", CredentialAccessToken))
	}
	base := strings.TrimRight(call.BaseURL, "/")
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	return &api{http: call.HTTP.WithCheck(checkResponse), base: base, header: h}, nil
}

// post sends body as JSON to path and decodes the response into out. It
// returns the response so callers can look at 207 Multi-Status bodies.
func (a *api) post(ctx context.Context, path string, body, out any) (*connectors.HTTPResponse, error) {
	return a.http.DoJSON(ctx, http.MethodPost, a.base+path, a.header, body, out)
}

// checkResponse classifies HubSpot errors, adding the category and the
// correlation id to the message and choosing a 429's wait from its policy.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	ce.Annotate(resp.Details("", "category", "errorType", "policyName", "correlationId"))
	if ce.Class == connectors.ClassRateLimited && resp.Header.Get("Retry-After") == "" {
		ce.RetryAfter = rateLimitWait(resp)
	}
	return ce
}

func rateLimitWait(resp *connectors.HTTPResponse) time.Duration {
	policy := gjson.GetBytes(resp.Body, "policyName").String()
	if strings.Contains(policy, "DAILY") || resp.Header.Get("X-HubSpot-RateLimit-Daily-Remaining") == "0" {
		return dailyWait
	}
	if ms, err := strconv.Atoi(resp.Header.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	if policy == "SECONDLY" {
		return secondlyWait
	}
	return burstWait
}

// objectID reads a CRM record id that may arrive as a string or a number
// (a typed template like {{ trigger.objectId }}). Absent values give "".
func objectID(in connectors.Values, name string) (string, error) {
	id, err := connectors.NumericID(in[name])
	switch {
	case errors.Is(err, connectors.ErrIDTooLarge):
		return "", connectors.Permanent(fmt.Errorf("input.%s: %w; pass it as a string", name, err))
	case err != nil:
		if s, ok := in[name].(string); ok {
			return "", connectors.Permanent(fmt.Errorf("input.%s: %q is not a numeric HubSpot record id", name, s))
		}
		return "", connectors.Permanent(fmt.Errorf("input.%s: want a positive numeric HubSpot record id", name))
	}
	return id, nil
}

func idField(name, title, help string, required bool) connectors.Field {
	return connectors.Field{Name: name, Title: title, Type: connectors.TypeAny, Required: required, Example: "51",
		Help: help + " A number or a string of digits."}
}

// propertyValues turns a properties input into HubSpot's string values:
// numbers without exponent, booleans as true/false, null as "" (which
// clears the property). path names the input in errors.
func propertyValues(path string, in map[string]any) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for k, v := range in {
		if k == "" {
			return nil, connectors.Permanent(fmt.Errorf("%s: property names cannot be empty", path))
		}
		s, ok := propertyString(v)
		if !ok {
			return nil, connectors.Permanent(fmt.Errorf("%s.%s: want a string, number, boolean or null", path, k))
		}
		out[k] = s
	}
	return out, nil
}

func propertyString(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// association is one entry of a create request's associations list.
func association(toID string, typeID int) map[string]any {
	return map[string]any{
		"to":    map[string]any{"id": toID},
		"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typeID}},
	}
}
