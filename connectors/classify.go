package connectors

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// MaxMessageLength bounds the provider message kept in an *Error, so a
// provider's HTML error page does not end up in run history.
const MaxMessageLength = 500

// DefaultRateLimitWait is the wait used for a 429 that names none.
const DefaultRateLimitWait = 30 * time.Second

// ClassifyResponse turns an HTTP status into a classified *Error, or returns
// nil for 1xx–3xx. now is used to read HTTP-date Retry-After values.
//
//   - 429, or any 4xx/5xx whose rate-limit headers say the quota is spent
//     (X-RateLimit-Remaining: 0 with a reset), is RateLimited with the wait
//     from Retry-After (seconds or HTTP date), the reset headers, or the
//     body (Telegram's parameters.retry_after);
//   - 408, 425 and 5xx are Retryable (a Retry-After is kept as RetryAfter);
//   - other 4xx are Permanent.
//
// The provider's own message is extracted from the body (see
// ProviderMessage), falling back to the status text.
func ClassifyResponse(status int, header http.Header, body []byte, now time.Time) error {
	if status < 400 {
		return nil
	}
	msg := ProviderMessage(body)
	if msg == "" {
		msg = strings.TrimSpace(http.StatusText(status))
		if msg == "" {
			msg = "HTTP " + strconv.Itoa(status)
		}
	}
	wait, hasWait := RetryAfter(header, body, now)
	switch {
	case status == http.StatusTooManyRequests || (rateLimitSpent(header) && hasWait):
		if !hasWait {
			wait = DefaultRateLimitWait
		}
		return &Error{Class: ClassRateLimited, Status: status, RetryAfter: wait, Message: msg}
	case status >= 500 || status == http.StatusRequestTimeout || status == http.StatusTooEarly:
		return &Error{Class: ClassRetryable, Status: status, RetryAfter: wait, Message: msg}
	default:
		return &Error{Class: ClassPermanent, Status: status, Message: msg}
	}
}

// Classify is ClassifyResponse for the response a ResponseCheck holds, at
// the current time: nil below 400, otherwise the classified *Error, which
// the check may enrich with the provider's details (Annotate) before
// returning it.
func (r *HTTPResponse) Classify() *Error {
	if r.Status < 400 {
		return nil
	}
	return AsError(ClassifyResponse(r.Status, r.Header, r.Body, time.Now()))
}

// Details renders the body's values at prefix+key, for each key present, as
// "key value" joined by ", ": the error type, code or correlation id a
// provider puts beside its message, for Error.Annotate.
func (r *HTTPResponse) Details(prefix string, keys ...string) string {
	var parts []string
	for _, k := range keys {
		if v := r.Get(prefix + k).String(); v != "" {
			parts = append(parts, k+" "+v)
		}
	}
	return strings.Join(parts, ", ")
}

func rateLimitSpent(h http.Header) bool {
	for _, k := range []string{"X-RateLimit-Remaining", "X-Rate-Limit-Remaining", "RateLimit-Remaining"} {
		if v := strings.TrimSpace(h.Get(k)); v == "0" {
			return true
		}
	}
	return false
}

// RetryAfter reads the wait a provider asked for, from Retry-After (delay
// seconds, fractional seconds as Shopify sends, or an HTTP date), then the
// reset headers (X-RateLimit-Reset, X-Rate-Limit-Reset, RateLimit-Reset:
// a Unix time when the value is larger than a year of seconds, otherwise a
// delay), then a JSON body's parameters.retry_after or retry_after
// (Telegram). ok is false when none is present.
func RetryAfter(h http.Header, body []byte, now time.Time) (wait time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return time.Duration(secs * float64(time.Second)), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampWait(t.Sub(now)), true
		}
	}
	for _, k := range []string{"X-RateLimit-Reset", "X-Rate-Limit-Reset", "RateLimit-Reset", "X-RateLimit-Reset-After"} {
		v := strings.TrimSpace(h.Get(k))
		if v == "" {
			continue
		}
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs < 0 {
			continue
		}
		const yearOfSeconds = 365 * 24 * 3600
		if secs > yearOfSeconds {
			sec := int64(secs)
			if secs > 1e12 { // milliseconds since the epoch
				return clampWait(time.UnixMilli(sec).Sub(now)), true
			}
			return clampWait(time.Unix(sec, 0).Sub(now)), true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if len(body) > 0 && gjson.ValidBytes(body) {
		for _, p := range []string{"parameters.retry_after", "retry_after"} {
			if r := gjson.GetBytes(body, p); r.Type == gjson.Number {
				return time.Duration(r.Float() * float64(time.Second)), true
			}
		}
	}
	return 0, false
}

func clampWait(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// messagePaths are the places common APIs put a human-readable error, tried
// in order: Stripe and Graph API ({"error":{"message"}}), HubSpot and Twilio
// ({"message"}), Telegram ({"description"}), GraphQL and HubSpot batches
// ({"errors":[{"message"}]}), Shopify ({"errors":"…"} or {"errors":{field:[…]}}),
// RFC 7807 problem details ({"detail"}, {"title"}), OAuth
// ({"error_description"}) and Slack ({"error":"…"}).
var messagePaths = []string{
	"error.message",
	"message",
	"description",
	"error_description",
	"detail",
	"errors.0.message",
	"errors.0.detail",
	"errors",
	"error",
	"title",
}

// ProviderMessage extracts the provider's error message from a response
// body. For JSON bodies it tries the common shapes listed above; Shopify's
// field map {"errors":{"title":["can't be blank"]}} becomes
// "title: can't be blank". For short plain-text bodies it returns the text.
// It returns "" when nothing useful is found. The result is at most
// MaxMessageLength bytes.
func ProviderMessage(body []byte) string {
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return ""
	}
	if gjson.Valid(trimmed) {
		for _, p := range messagePaths {
			r := gjson.Get(trimmed, p)
			switch {
			case r.Type == gjson.String && strings.TrimSpace(r.Str) != "":
				return truncate(strings.TrimSpace(r.Str))
			case r.IsObject() && (p == "errors" || p == "error"):
				if m := fieldErrors(r); m != "" {
					return truncate(m)
				}
			case r.IsArray() && p == "errors":
				var parts []string
				r.ForEach(func(_, v gjson.Result) bool {
					if v.Type == gjson.String {
						parts = append(parts, v.Str)
					}
					return true
				})
				if len(parts) > 0 {
					return truncate(strings.Join(parts, "; "))
				}
			}
		}
		return ""
	}
	if strings.HasPrefix(trimmed, "<") {
		return "" // an HTML error page says nothing a user can act on
	}
	return truncate(trimmed)
}

// fieldErrors flattens {"field":["msg",…],…} into "field: msg; …".
func fieldErrors(r gjson.Result) string {
	var parts []string
	r.ForEach(func(k, v gjson.Result) bool {
		switch {
		case v.IsArray():
			v.ForEach(func(_, m gjson.Result) bool {
				if m.Type == gjson.String {
					parts = append(parts, k.String()+": "+m.Str)
				}
				return true
			})
		case v.Type == gjson.String:
			parts = append(parts, k.String()+": "+v.Str)
		}
		return true
	})
	return strings.Join(parts, "; ")
}

func truncate(s string) string {
	if len(s) <= MaxMessageLength {
		return s
	}
	cut := MaxMessageLength
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
