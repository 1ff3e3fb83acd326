// Package shopify is the Shopify connector: a webhook trigger (verify.go,
// event.go, trigger.go) and Admin REST API actions on orders, fulfillments
// and customers.
//
// Actions call https://{shop}.myshopify.com/admin/api/{version}/… with the
// X-Shopify-Access-Token header through the shared connectors.Client, so
// timeouts, size caps and error classes match every other connector.
// Shopify reports errors as {"errors": "…"} or {"errors": {field: […]}},
// rate-limits with 429 plus Retry-After (the leaky bucket's state is in
// X-Shopify-Shop-Api-Call-Limit, e.g. "40/40"), and pages lists with Link
// headers carrying page_info cursors.
package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "shopify"

// DefaultAPIVersion is the Admin API version used when the credential names
// none. Shopify supports each version for at least 12 months.
const DefaultAPIVersion = "2024-10"

// Credential field names.
const (
	CredentialShop        = "shop"
	CredentialAccessToken = "access_token"
	CredentialAPIVersion  = "api_version"
)

// HeaderCallLimit reports the REST leaky bucket: "used/size".
const HeaderCallLimit = "X-Shopify-Shop-Api-Call-Limit"

// rateLimitWait is used for a 429 without Retry-After; the bucket leaks
// two calls a second, so a couple of seconds frees room.
const rateLimitWait = 2 * time.Second

// New returns the Shopify connector's spec.
func New() *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialShop, Title: "Shop", Type: connectors.TypeString, Example: "my-store",
			Pattern: `^[A-Za-z0-9][A-Za-z0-9-]*(\.myshopify\.com)?$`, PatternHelp: "the shop's myshopify name, e.g. my-store or my-store.myshopify.com",
			Help: "The store's permanent myshopify.com name (Settings → Domains), not a custom domain. Needed by every action."},
		{Name: CredentialAccessToken, Title: "Admin API access token", Type: connectors.TypeString, Secret: true,
			Example: "shpat_…", Pattern: `^shp[a-z]{2}_[A-Za-z0-9]+$`,
			PatternHelp: "Shopify Admin API access tokens start with shpat_ (custom apps) or shpca_/shpua_ (OAuth apps)",
			Help: "Settings → Apps and sales channels → Develop apps → your app → API credentials → Admin API access token. " +
				"Scopes: read_orders, write_orders, read_customers, write_merchant_managed_fulfillment_orders (or the assigned/third-party variants)."},
	}
	cred = connectors.MergeFields(cred, TriggerCredential)
	cred = append(cred,
		connectors.Field{Name: CredentialAPIVersion, Title: "API version", Type: connectors.TypeString, Default: DefaultAPIVersion,
			Pattern: `^\d{4}-\d{2}$`, PatternHelp: "an Admin API version looks like 2024-10"},
	)
	return &connectors.Spec{
		Name:        Name,
		Title:       "Shopify",
		Description: "E-commerce: react to store webhooks, read orders, tag and annotate them, create fulfillments with tracking, and look up customers.",
		Icon:        "/ui/icons/shopify.svg",
		DocsURL:     "https://shopify.dev/docs/api/admin-rest",
		Credential:  cred,
		// Each store has its own API host, named by the credential's shop.
		APIHosts:    []string{"*.myshopify.com"},
		BaseURLFrom: shopBaseURL,
		Triggers:    []*connectors.Trigger{Trigger()},
		Actions: []*connectors.Action{
			getOrderAction(),
			addOrderTagsAction(),
			addOrderNoteAction(),
			createFulfillmentAction(),
			findCustomerByEmailAction(),
		},
	}
}

// shopBaseURL is the store's own API host, https://{shop}.myshopify.com.
// The shop field's pattern keeps it a single label, so the host is always
// a subdomain of myshopify.com.
func shopBaseURL(cred connectors.Values) (string, error) {
	shop := cred.String(CredentialShop)
	if shop == "" {
		return "", fmt.Errorf("credential.%s: required by Shopify actions", CredentialShop)
	}
	return "https://" + strings.TrimSuffix(strings.ToLower(shop), ".myshopify.com") + ".myshopify.com", nil
}

// api is one action's view of the Admin API.
type api struct {
	http   *connectors.Client
	prefix string // …/admin/api/{version}
	header http.Header
}

func newAPI(call *connectors.Call) (*api, error) {
	token := call.Credential.String(CredentialAccessToken)
	if token == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by Shopify actions", CredentialAccessToken))
	}
	base := strings.TrimRight(call.BaseURL, "/")
	version := call.Credential.String(CredentialAPIVersion)
	if version == "" {
		version = DefaultAPIVersion
	}
	h := http.Header{}
	h.Set("X-Shopify-Access-Token", token)
	h.Set("Accept", "application/json")
	return &api{http: call.HTTP.WithCheck(checkResponse), prefix: base + "/admin/api/" + version, header: h}, nil
}

// do sends a JSON request to path (relative to the versioned prefix) and
// decodes the response into out.
func (a *api) do(ctx context.Context, method, path string, query map[string]string, body, out any) error {
	// The token rides in a header of Shopify's own, which Go would carry
	// across a redirect to another host; SecretHeaders keeps it home.
	req := &connectors.HTTPRequest{Method: method, URL: a.prefix + path, Header: a.header.Clone(),
		SecretHeaders: []string{"X-Shopify-Access-Token"}}
	if len(query) > 0 {
		req.Query = map[string][]string{}
		for k, v := range query {
			req.Query[k] = []string{v}
		}
	}
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return connectors.Permanent(fmt.Errorf("encoding request body: %w", err))
		}
		req.Body = data
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(ctx, req)
	if err != nil || out == nil {
		return err
	}
	return resp.Decode("Shopify", out)
}

// checkResponse adds the bucket state to rate-limit errors and gives a 429
// without Retry-After a wait that fits Shopify's leak rate. Everything else
// follows the shared classification: {"errors": …} becomes the message,
// 5xx is retryable, other 4xx (401 bad token, 402 frozen shop, 403 missing
// scope, 404, 422 validation, 423 locked shop) are permanent.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	if ce.Class == connectors.ClassRateLimited {
		if resp.Header.Get("Retry-After") == "" {
			ce.RetryAfter = rateLimitWait
		}
		if v := resp.Header.Get(HeaderCallLimit); v != "" {
			ce.Message += " (API call limit " + v + ")"
		}
	}
	return ce
}

// resourceID reads a Shopify numeric id from an input that may be a string
// ("450789469") or a number (a typed template such as {{ trigger.id }}).
// Numbers above 2^53 cannot be exact in JSON, so they must come as strings.
func resourceID(in connectors.Values, name string) (string, error) {
	return parseID(in[name], "input."+name)
}

// parseID is resourceID for a value at any input path. A GraphQL id
// (gid://shopify/Order/450789469, as in admin_graphql_api_id) gives its
// number.
func parseID(value any, path string) (string, error) {
	if s, ok := value.(string); ok && strings.HasPrefix(strings.TrimSpace(s), "gid://shopify/") {
		s = strings.TrimSpace(s)
		value = s[strings.LastIndexByte(s, '/')+1:]
	}
	id, err := connectors.NumericID(value)
	switch {
	case value == nil:
		return "", connectors.Permanent(fmt.Errorf("%s: required", path))
	case errors.Is(err, connectors.ErrIDTooLarge):
		return "", connectors.Permanent(fmt.Errorf("%s: %.0f is too large to be exact as a JSON number; pass it as a string, e.g. {{ string(trigger.id) }}", path, value))
	case err != nil:
		if s, ok := value.(string); ok {
			return "", connectors.Permanent(fmt.Errorf("%s: %q is not a numeric Shopify id", path, s))
		}
		return "", connectors.Permanent(fmt.Errorf("%s: want a positive numeric Shopify id", path))
	}
	return id, nil
}

// idField declares a numeric id input that accepts a string or a number.
func idField(name, title, example, help string) connectors.Field {
	return connectors.Field{Name: name, Title: title, Type: connectors.TypeAny, Required: true, Example: example,
		Help: help + " A number or a string of digits."}
}
