// Package stripe is the Stripe connector: a webhook trigger (verify.go,
// event.go, trigger.go) and actions on customers, payment intents, refunds,
// charges and metadata.
//
// The actions call the Stripe REST API through the shared connectors.Client
// rather than github.com/stripe/stripe-go. stripe-go brings its own HTTP
// stack, retry loop and error types; going through the shared client keeps
// timeouts, size caps, error classification (retryable, permanent,
// rate-limited) and the base_url override that tests use identical to every
// other connector, and it lets Temporal own retries instead of a second
// retry loop hidden inside the SDK. The wire format is small: form-encoded
// bodies with bracket notation (metadata[order_id]=42), Bearer auth, an
// Idempotency-Key on every POST, and list pagination with has_more and
// starting_after.
package stripe

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "stripe"

// DefaultBaseURL is Stripe's API host.
const DefaultBaseURL = "https://api.stripe.com"

// Credential field names.
const (
	CredentialSecretKey  = "secret_key"
	CredentialAPIVersion = "api_version"
	CredentialAccount    = "account"
)

// Metadata limits Stripe documents: 50 keys, keys up to 40 characters,
// values up to 500 characters. Checking them here turns Stripe's 400 into an
// error that names the offending key before any request is sent.
const (
	MaxMetadataKeys     = 50
	MaxMetadataKeyLen   = 40
	MaxMetadataValueLen = 500
)

// rateLimitWait is the wait used for a 429 without Retry-After. Stripe's
// limits are per second, so the registry-wide 30 s default would stall a
// run for no reason.
const rateLimitWait = 2 * time.Second

// New returns the Stripe connector's spec.
func New() *connectors.Spec {
	cred := []connectors.Field{
		{Name: CredentialSecretKey, Title: "Secret key", Type: connectors.TypeString, Secret: true,
			Example: "sk_test_…", Pattern: `^(sk|rk)_(test|live)_[A-Za-z0-9]+$`,
			PatternHelp: "Stripe secret keys start with sk_test_ or sk_live_ (restricted keys with rk_)",
			Help: "Developers → API keys in the Stripe Dashboard. Needed by every action; a credential used only " +
				"for the webhook trigger may leave it empty. A restricted key (rk_…) needs write access to " +
				"customers, refunds, charges and payment intents."},
	}
	cred = connectors.MergeFields(cred, TriggerCredential)
	cred = append(cred,
		connectors.Field{Name: CredentialAPIVersion, Title: "API version", Type: connectors.TypeString,
			Example: "2024-06-20", Pattern: `^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$`, PatternHelp: "a Stripe API version looks like 2024-06-20",
			Help: "Sent as Stripe-Version. Empty uses the account's default version."},
		connectors.Field{Name: CredentialAccount, Title: "Connected account", Type: connectors.TypeString,
			Example: "acct_1032D82eZvKYlo2C", Pattern: `^acct_[A-Za-z0-9]+$`, PatternHelp: "Stripe account ids start with acct_",
			Help: "Stripe Connect only: act on this connected account (sent as Stripe-Account)."},
	)
	return &connectors.Spec{
		Name:        Name,
		Title:       "Stripe",
		Description: "Payments: react to Stripe events, create customers, look up payment intents, refund, list charges and tag objects with metadata.",
		Icon:        "/ui/icons/stripe.svg",
		DocsURL:     "https://docs.stripe.com/api",
		BaseURL:     DefaultBaseURL,
		Credential:  cred,
		Triggers:    []*connectors.Trigger{Trigger()},
		Actions: []*connectors.Action{
			createCustomerAction(),
			retrievePaymentIntentAction(),
			createRefundAction(),
			listChargesAction(),
			updateMetadataAction(),
		},
	}
}

// api is one action's view of the Stripe API: the shared client with
// Stripe's error check, the base URL and the auth headers.
type api struct {
	http   *connectors.Client
	base   string
	header http.Header
	idem   string
}

func newAPI(call *connectors.Call) (*api, error) {
	key := call.Credential.String(CredentialSecretKey)
	if key == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by Stripe actions", CredentialSecretKey))
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+key)
	if v := call.Credential.String(CredentialAPIVersion); v != "" {
		h.Set("Stripe-Version", v)
	}
	if v := call.Credential.String(CredentialAccount); v != "" {
		h.Set("Stripe-Account", v)
	}
	base := strings.TrimRight(call.BaseURL, "/")
	return &api{http: call.HTTP.WithCheck(checkResponse), base: base, header: h, idem: call.IdempotencyKey}, nil
}

// post sends form to path with the call's Idempotency-Key, so a retried
// activity replays Stripe's saved response instead of acting twice.
func (a *api) post(ctx context.Context, path string, form url.Values, out any) error {
	h := a.header.Clone()
	if a.idem != "" {
		h.Set("Idempotency-Key", a.idem)
	}
	_, err := a.http.DoForm(ctx, http.MethodPost, a.base+path, h, form, out)
	return err
}

func (a *api) get(ctx context.Context, path string, query url.Values, out any) error {
	req := &connectors.HTTPRequest{Method: http.MethodGet, URL: a.base + path, Query: query, Header: a.header.Clone()}
	req.Header.Set("Accept", "application/json")
	resp, err := a.http.Do(ctx, req)
	if err != nil {
		return err
	}
	return resp.Decode("Stripe", out)
}

// checkResponse classifies Stripe's error responses. The body is
// {"error":{"type","code","message","param","decline_code"}}; the message
// keeps Stripe's text and adds code and param, which say what to fix.
// Stripe-Should-Retry, when present, overrides the status-based class:
// Stripe sets it to false for a 500 whose result was saved under the
// idempotency key (a retry would only replay it) and to true for lock
// timeouts returned as 409.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	ce.Annotate(resp.Details("error.", "type", "code", "decline_code", "param"))
	if ce.Class == connectors.ClassRateLimited && resp.Header.Get("Retry-After") == "" {
		ce.RetryAfter = rateLimitWait
	}
	switch strings.ToLower(resp.Header.Get("Stripe-Should-Retry")) {
	case "true":
		if ce.Class == connectors.ClassPermanent {
			ce.Class = connectors.ClassRetryable
		}
	case "false":
		if ce.Class == connectors.ClassRetryable {
			ce.Class = connectors.ClassPermanent
		}
	}
	return ce
}

// encodeForm writes value into form under key using Stripe's bracket
// notation: objects become key[sub], arrays key[0], key[1]. Object keys are
// sorted so the body, and with it the idempotent request, is stable.
func encodeForm(form url.Values, key string, value any) {
	switch v := value.(type) {
	case nil:
		form.Set(key, "") // Stripe reads an empty value as "unset"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			encodeForm(form, key+"["+k+"]", v[k])
		}
	case connectors.Values:
		encodeForm(form, key, map[string]any(v))
	case []any:
		for i, x := range v {
			encodeForm(form, key+"["+strconv.Itoa(i)+"]", x)
		}
	case []string:
		for i, x := range v {
			form.Set(key+"["+strconv.Itoa(i)+"]", x)
		}
	default:
		form.Set(key, scalar(v))
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// metadataForm checks a metadata object against Stripe's limits and encodes
// it as metadata[key]=value. A null value unsets the key. path names the
// input field in errors, e.g. "input.metadata".
func metadataForm(form url.Values, path string, md map[string]any) error {
	if len(md) > MaxMetadataKeys {
		return connectors.Permanent(fmt.Errorf("%s: has %d keys, Stripe allows at most %d", path, len(md), MaxMetadataKeys))
	}
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case k == "":
			return connectors.Permanent(fmt.Errorf("%s: keys cannot be empty", path))
		case len(k) > MaxMetadataKeyLen:
			return connectors.Permanent(fmt.Errorf("%s.%s: key is longer than %d characters", path, k, MaxMetadataKeyLen))
		case strings.ContainsAny(k, "[]"):
			return connectors.Permanent(fmt.Errorf("%s.%s: keys cannot contain square brackets", path, k))
		}
		var s string
		switch v := md[k].(type) {
		case nil:
		case string, bool, int, int64, float64:
			s = scalar(v)
		default:
			return connectors.Permanent(fmt.Errorf("%s.%s: want a string, number, boolean or null, got a nested value", path, k))
		}
		if len(s) > MaxMetadataValueLen {
			return connectors.Permanent(fmt.Errorf("%s.%s: value is longer than %d characters", path, k, MaxMetadataValueLen))
		}
		form.Set("metadata["+k+"]", s)
	}
	return nil
}

// checkID fails unless id has one of Stripe's prefixes, so a customer id
// pasted into a payment intent field fails before the call.
func checkID(path, id string, prefixes ...string) error {
	for _, p := range prefixes {
		if strings.HasPrefix(id, p) {
			return nil
		}
	}
	return connectors.Permanent(fmt.Errorf("%s: %q is not a Stripe id starting with %s", path, id, strings.Join(prefixes, " or ")))
}

var idChars = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// objectPath builds /v1/<collection>/<id>, refusing ids that could change
// the path.
func objectPath(path, collection, id string) (string, error) {
	if !idChars.MatchString(id) {
		return "", connectors.Permanent(fmt.Errorf("%s: %q is not a valid Stripe id (letters, digits and _ only)", path, id))
	}
	return "/v1/" + collection + "/" + id, nil
}
