package connectors

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestClassifyResponse(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		class   Class
		wait    time.Duration
		message string
	}{
		{name: "2xx is success", status: 200},
		{name: "stripe 400", status: 400, body: `{"error":{"message":"No such customer: 'cus_x'","type":"invalid_request_error"}}`, class: ClassPermanent, message: "No such customer: 'cus_x'"},
		{name: "hubspot 409", status: 409, body: `{"status":"error","message":"Contact already exists","correlationId":"c1"}`, class: ClassPermanent, message: "Contact already exists"},
		{name: "graphql errors list", status: 422, body: `{"errors":[{"message":"email is invalid"}]}`, class: ClassPermanent, message: "email is invalid"},
		{name: "shopify errors string", status: 404, body: `{"errors":"Not Found"}`, class: ClassPermanent, message: "Not Found"},
		{name: "shopify field errors", status: 422, body: `{"errors":{"email":["is invalid"]}}`, class: ClassPermanent, message: "email: is invalid"},
		{name: "telegram description", status: 400, body: `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, class: ClassPermanent, message: "Bad Request: chat not found"},
		{name: "slack error string", status: 400, body: `{"ok":false,"error":"invalid_auth"}`, class: ClassPermanent, message: "invalid_auth"},
		{name: "plain text", status: 403, body: "forbidden by policy", class: ClassPermanent, message: "forbidden by policy"},
		{name: "html page falls back to status text", status: 401, body: "<html><body>nope</body></html>", class: ClassPermanent, message: "Unauthorized"},
		{name: "500 retryable", status: 500, body: `{"message":"internal"}`, class: ClassRetryable, message: "internal"},
		{name: "502 empty body", status: 502, class: ClassRetryable, message: "Bad Gateway"},
		{name: "408 retryable", status: 408, class: ClassRetryable},
		{name: "503 keeps retry-after", status: 503, header: map[string]string{"Retry-After": "12"}, class: ClassRetryable, wait: 12 * time.Second},
		{name: "429 retry-after seconds", status: 429, header: map[string]string{"Retry-After": "7"}, class: ClassRateLimited, wait: 7 * time.Second},
		{name: "429 retry-after fractional (shopify)", status: 429, header: map[string]string{"Retry-After": "2.0"}, class: ClassRateLimited, wait: 2 * time.Second},
		{name: "429 retry-after http date", status: 429, header: map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, class: ClassRateLimited, wait: 90 * time.Second},
		{name: "429 reset epoch", status: 429, header: map[string]string{"X-RateLimit-Reset": "1767323105"}, class: ClassRateLimited, wait: 60 * time.Second},
		{name: "429 reset delay", status: 429, header: map[string]string{"RateLimit-Reset": "30"}, class: ClassRateLimited, wait: 30 * time.Second},
		{name: "429 telegram body", status: 429, body: `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}`, class: ClassRateLimited, wait: 5 * time.Second, message: "Too Many Requests: retry after 5"},
		{name: "429 with no hint", status: 429, class: ClassRateLimited, wait: DefaultRateLimitWait},
		{name: "403 with spent quota is rate limited", status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1767323065"}, class: ClassRateLimited, wait: 20 * time.Second},
		{name: "403 without quota headers is permanent", status: 403, class: ClassPermanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			err := ClassifyResponse(tc.status, h, []byte(tc.body), now)
			if tc.class == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			ce := AsError(err)
			if ce == nil {
				t.Fatalf("err = %v, want *Error", err)
			}
			if ce.Class != tc.class || ce.Status != tc.status || ce.RetryAfter != tc.wait {
				t.Fatalf("got class=%s status=%d wait=%s, want %s %d %s", ce.Class, ce.Status, ce.RetryAfter, tc.class, tc.status, tc.wait)
			}
			if tc.message != "" && ce.Message != tc.message {
				t.Fatalf("message = %q, want %q", ce.Message, tc.message)
			}
		})
	}
}

func TestProviderMessageIsBounded(t *testing.T) {
	long := `{"message":"` + strings.Repeat("é", 600) + `"}`
	msg := ProviderMessage([]byte(long))
	if len(msg) > MaxMessageLength+len("…") || !strings.HasSuffix(msg, "…") {
		t.Fatalf("message not truncated: %d bytes", len(msg))
	}
	if !strings.HasPrefix(msg, "éé") || strings.ContainsRune(msg, '\uFFFD') {
		t.Fatal("truncation split a UTF-8 sequence")
	}
}

func TestIdempotencyKey(t *testing.T) {
	a := IdempotencyKey("run-1", "charge")
	if a != IdempotencyKey("run-1", "charge") {
		t.Fatal("key is not stable")
	}
	if len(a) != 32 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Fatalf("key %q is not 32 hex characters", a)
	}
	for _, other := range []string{IdempotencyKey("run-2", "charge"), IdempotencyKey("run-1", "refund"), IdempotencyKey("run-1c", "harge")} {
		if other == a {
			t.Fatalf("different run/step gave the same key %s", a)
		}
	}
}

// TestCheckHelpers pins the pieces a connector's ResponseCheck is built
// from, so every connector that uses them keeps its messages.
func TestCheckHelpers(t *testing.T) {
	stripeBody := []byte(`{"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}}`)
	tests := []struct {
		name    string
		resp    *HTTPResponse
		prefix  string
		keys    []string
		class   Class
		message string
	}{
		{name: "success_is_not_classified", resp: &HTTPResponse{Status: 204}},
		{name: "details_in_key_order", resp: &HTTPResponse{Status: 402, Body: stripeBody}, prefix: "error.",
			keys: []string{"type", "code", "param"}, class: ClassPermanent,
			message: "Your card was declined. (type card_error, code card_declined)"},
		{name: "no_details_leaves_the_message", resp: &HTTPResponse{Status: 503, Body: []byte(`{"message":"down"}`)},
			keys: []string{"correlationId"}, class: ClassRetryable, message: "down"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ce := tc.resp.Classify()
			if tc.class == "" {
				if ce != nil {
					t.Fatalf("Classify = %v, want nil", ce)
				}
				return
			}
			if ce == nil || ce.Class != tc.class {
				t.Fatalf("Classify = %v, want class %s", ce, tc.class)
			}
			ce.Annotate(tc.resp.Details(tc.prefix, tc.keys...))
			if ce.Message != tc.message {
				t.Fatalf("message = %q, want %q", ce.Message, tc.message)
			}
		})
	}
}

func TestInputErrorAndDecode(t *testing.T) {
	err := InputError("components[2].type", "required (header, body or button)")
	if ClassOf(err) != ClassPermanent || err.Error() != "permanent: input.components[2].type: required (header, body or button)" {
		t.Fatalf("InputError = %v (%s)", err, ClassOf(err))
	}
	var out map[string]any
	err = (&HTTPResponse{Status: 200, Body: []byte(`{"id":`)}).Decode("Acme", &out)
	if ClassOf(err) != ClassPermanent || !strings.HasPrefix(err.Error(), "permanent (HTTP 200): reading Acme response: decoding response body: ") {
		t.Fatalf("Decode = %v", err)
	}
}
