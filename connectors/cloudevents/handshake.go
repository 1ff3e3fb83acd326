package cloudevents

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// Headers of the abuse-protection handshake (CloudEvents HTTP Web Hooks,
// section 4: "Abuse Protection").
const (
	HeaderRequestOrigin   = "WebHook-Request-Origin"
	HeaderRequestRate     = "WebHook-Request-Rate"
	HeaderRequestCallback = "WebHook-Request-Callback"
	HeaderAllowedOrigin   = "WebHook-Allowed-Origin"
	HeaderAllowedRate     = "WebHook-Allowed-Rate"
)

// Handshake answers the validation request a sender makes before it
// delivers to a new URL: an OPTIONS request naming its origin in
// WebHook-Request-Origin. A granted request gets 200 with
// WebHook-Allowed-Origin (the origin, echoed), Allow: POST, and
// WebHook-Allowed-Rate when the credential sets a rate or the sender asked
// for one (WebHook-Request-Rate, which the specification says must then be
// answered; "*" grants no limit). An origin outside the credential's
// allowed_origins gets 403, so the sender does not deliver.
//
// The asynchronous variant (WebHook-Request-Callback, to be confirmed by a
// GET) is not followed: a webhook receiver fetching a URL a request names
// would be an SSRF hole, and the specification lets the target answer
// synchronously instead, which every sender must accept.
//
// An OPTIONS request without WebHook-Request-Origin (a browser's CORS
// preflight) is not a handshake and is left to the pipeline, which answers
// 405.
func Handshake(r *connectors.Request, c connectors.Values) (*connectors.Response, bool) {
	if r.Method != http.MethodOptions {
		return nil, false
	}
	origin := strings.TrimSpace(r.Header.Get(HeaderRequestOrigin))
	if origin == "" {
		return nil, false
	}
	if !originAllowed(c.String(CredentialAllowedOrigins), origin) {
		return &connectors.Response{Status: http.StatusForbidden, ContentType: "text/plain; charset=utf-8",
			Body: []byte("origin " + strconv.Quote(origin) + " is not among this endpoint's allowed origins")}, true
	}
	h := http.Header{}
	h.Set(HeaderAllowedOrigin, origin)
	h.Set("Allow", http.MethodPost)
	if rate := allowedRate(c); rate != "" {
		h.Set(HeaderAllowedRate, rate)
	} else if r.Header.Get(HeaderRequestRate) != "" {
		h.Set(HeaderAllowedRate, "*")
	}
	return &connectors.Response{Status: http.StatusOK, Header: h}, true
}

// originAllowed reports whether origin is in the comma-separated list, or
// the list is empty (any origin). Origins are host names, compared without
// case.
func originAllowed(list, origin string) bool {
	if strings.TrimSpace(list) == "" {
		return true
	}
	for _, o := range strings.Split(list, ",") {
		if o = strings.TrimSpace(o); o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// allowedRate is the credential's allowed_rate as the header's text, or ""
// when it is not set.
func allowedRate(c connectors.Values) string {
	switch v := c[CredentialAllowedRate].(type) {
	case int64:
		if v > 0 {
			return strconv.FormatInt(v, 10)
		}
	case float64:
		if v > 0 {
			return strconv.FormatInt(int64(v), 10)
		}
	case int:
		if v > 0 {
			return strconv.Itoa(v)
		}
	}
	return ""
}
