package stripe

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestCreateCustomer(t *testing.T) {
	tests := []struct {
		name     string
		input    connectors.Values
		wantForm url.Values
		wantOut  map[string]any
	}{
		{
			name:     "email_only",
			input:    connectors.Values{"email": "jenny.rosen@example.com"},
			wantForm: url.Values{"email": {"jenny.rosen@example.com"}},
			wantOut:  map[string]any{"object": "customer", "email": "jenny.rosen@example.com", "name": nil},
		},
		{
			name: "all_fields_with_bracket_notation",
			input: connectors.Values{
				"email": "jenny.rosen@example.com", "name": "Jenny Rosen", "phone": "+14155550123",
				"description": "from the landing page",
				"address":     map[string]any{"line1": "510 Townsend St", "city": "San Francisco", "country": "US"},
				"metadata":    map[string]any{"user_id": "42", "vip": true, "score": 9.5},
			},
			wantForm: url.Values{
				"email": {"jenny.rosen@example.com"}, "name": {"Jenny Rosen"}, "phone": {"+14155550123"},
				"description":    {"from the landing page"},
				"address[line1]": {"510 Townsend St"}, "address[city]": {"San Francisco"}, "address[country]": {"US"},
				"metadata[user_id]": {"42"}, "metadata[vip]": {"true"}, "metadata[score]": {"9.5"},
			},
			wantOut: map[string]any{
				"name":     "Jenny Rosen",
				"metadata": map[string]any{"user_id": "42", "vip": "true", "score": "9.5"},
				"address":  map[string]any{"line1": "510 Townsend St", "city": "San Francisco", "country": "US"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			out, err := f.InvokeJSON("create_customer", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			checkPost(t, reqs[0], "/v1/customers", "create_customer")
			if !reflect.DeepEqual(reqs[0].Form(), tc.wantForm) {
				t.Errorf("form = %v\nwant   %v", reqs[0].Form(), tc.wantForm)
			}
			if !strings.HasPrefix(out["id"].(string), "cus_") {
				t.Errorf("id = %v", out["id"])
			}
			for k, want := range tc.wantOut {
				if !reflect.DeepEqual(out[k], want) {
					t.Errorf("output %s = %#v, want %#v", k, out[k], want)
				}
			}
		})
	}
}

func TestCreateCustomerRetryReusesIdempotencyKey(t *testing.T) {
	f := newFake(t, 0)
	in := connectors.Values{"email": "a@example.com"}
	step := func(id string) map[string]any {
		t.Helper()
		out, err := f.Call(connectors.Invocation{Action: "create_customer", StepID: id, Input: in})
		if err != nil {
			t.Fatal(err)
		}
		return connectortest.Decode(t, out)
	}
	first, again := step("step-a"), step("step-a")
	if first["id"] != again["id"] {
		t.Errorf("a retried step created a second customer: %v then %v", first["id"], again["id"])
	}
	if other := step("step-b"); other["id"] == first["id"] {
		t.Errorf("a different step reused the first customer %v", first["id"])
	}
}

func TestCreateCustomerErrors(t *testing.T) {
	tests := []struct {
		name      string
		input     connectors.Values
		rateLimit bool
		wantClass connectors.Class
		wantWait  time.Duration
		wantMsg   string
		wantCalls int
	}{
		{name: "rate_limited_without_retry_after", input: connectors.Values{"email": "a@example.com"}, rateLimit: true,
			wantClass: connectors.ClassRateLimited, wantWait: rateLimitWait, wantMsg: "code rate_limit", wantCalls: 1},
		{name: "metadata_key_too_long", input: connectors.Values{"metadata": map[string]any{strings.Repeat("k", 41): "v"}},
			wantClass: connectors.ClassPermanent, wantMsg: "input.metadata." + strings.Repeat("k", 41) + ": key is longer than 40"},
		{name: "metadata_nested_value", input: connectors.Values{"metadata": map[string]any{"a": map[string]any{"b": 1}}},
			wantClass: connectors.ClassPermanent, wantMsg: "input.metadata.a: want a string"},
		{name: "bad_email", input: connectors.Values{"email": "not-an-email"},
			wantClass: connectors.ClassPermanent, wantMsg: "input.email: must be an email address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			f.rateLimit = tc.rateLimit
			_, err := f.InvokeJSON("create_customer", tc.input)
			if err == nil {
				t.Fatal("no error")
			}
			ce := connectors.AsError(err)
			if ce == nil || ce.Class != tc.wantClass {
				t.Fatalf("error %v: want class %s", err, tc.wantClass)
			}
			if ce.RetryAfter != tc.wantWait {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tc.wantWait)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
			if n := len(f.Requests()); n != tc.wantCalls {
				t.Errorf("provider called %d times, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestMissingSecretKeyNamesTheField(t *testing.T) {
	f := newFake(t, 0)
	_, err := f.Call(connectors.Invocation{
		Action: "create_customer", Input: connectors.Values{"email": "a@example.com"},
		Credential: connectors.Values{CredentialWebhookSecret: "whsec_x"},
	})
	if err == nil || !strings.Contains(err.Error(), "credential.secret_key: required") {
		t.Fatalf("err = %v, want credential.secret_key: required", err)
	}
	if connectors.ClassOf(err) != connectors.ClassPermanent {
		t.Errorf("class = %s", connectors.ClassOf(err))
	}
	if len(f.Requests()) != 0 {
		t.Error("the provider was called without a key")
	}
}

func TestCredentialPatternRefusesPublishableKey(t *testing.T) {
	_, err := connectortest.Registry(t, New(), "").Invoke(t.Context(), connectors.Invocation{
		Connector: Name, Action: "create_customer", Input: connectors.Values{},
		Credential: connectors.Values{CredentialSecretKey: "pk_test_123"},
	})
	if err == nil || !strings.Contains(err.Error(), "credential.secret_key: Stripe secret keys start with sk_") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "pk_test_123") {
		t.Errorf("error leaks the key: %v", err)
	}
}
