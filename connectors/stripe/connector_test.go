package stripe

import (
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	f := newFake(t, 3)
	proxy := func(w http.ResponseWriter, r *http.Request) {
		// The suite's own server forwards to the documented fake, so the
		// success case exercises the real wire format and auth check.
		f.Config.Handler.ServeHTTP(w, r)
	}
	connectortest.Run(t, New(), connectortest.Fixtures{
		Credential: connectors.Values{CredentialSecretKey: testKey, CredentialWebhookSecret: "whsec_test"},
		Actions: map[string]connectortest.ActionFixture{
			"create_customer":         {Input: connectors.Values{"email": "jenny.rosen@example.com", "metadata": map[string]any{"a": "b"}}, Success: proxy},
			"retrieve_payment_intent": {Input: connectors.Values{"payment_intent_id": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "expand": []any{"customer"}}, Success: proxy},
			"create_refund":           {Input: connectors.Values{"payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "amount": 100, "reason": "duplicate"}, Success: proxy},
			"list_charges":            {Input: connectors.Values{"customer": "cus_NffrFeUfNV2Hib", "limit": 2}, Success: proxy},
			"update_metadata":         {Input: connectors.Values{"object_type": "customer", "object_id": "cus_NffrFeUfNV2Hib", "metadata": map[string]any{"a": "b"}}, Success: proxy},
		},
	})
}

func TestStripeShouldRetryOverridesStatus(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header string
		want   connectors.Class
	}{
		{name: "500_saved_under_key_is_permanent", status: 500, header: "false", want: connectors.ClassPermanent},
		{name: "409_lock_timeout_is_retryable", status: 409, header: "true", want: connectors.ClassRetryable},
		{name: "500_without_header_is_retryable", status: 500, want: connectors.ClassRetryable},
		{name: "402_card_declined_is_permanent", status: 402, want: connectors.ClassPermanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Stripe-Should-Retry", tc.header)
			}
			err := checkResponse(&connectors.HTTPResponse{Status: tc.status, Header: h,
				Body: []byte(`{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}`)})
			ce := connectors.AsError(err)
			if ce == nil || ce.Class != tc.want {
				t.Fatalf("err = %v, want class %s", err, tc.want)
			}
			if want := "Your card has insufficient funds. (type card_error, code card_declined, decline_code insufficient_funds)"; ce.Message != want {
				t.Errorf("message = %q, want %q", ce.Message, want)
			}
		})
	}
}
