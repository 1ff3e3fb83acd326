package stripe

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestRetrievePaymentIntent(t *testing.T) {
	tests := []struct {
		name       string
		input      connectors.Values
		wantExpand []string
		check      func(t *testing.T, out map[string]any)
	}{
		{
			name:  "plain",
			input: connectors.Values{"payment_intent_id": "pi_3MtwBwLkdIwHu7ix28a3tqPa"},
			check: func(t *testing.T, out map[string]any) {
				if out["status"] != "succeeded" || out["amount"] != float64(2000) || out["latest_charge"] != "ch_3MtwBwLkdIwHu7ix28Wk0nXN" {
					t.Errorf("output = %v", out)
				}
			},
		},
		{
			name:       "expanded",
			input:      connectors.Values{"payment_intent_id": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "expand": []any{"latest_charge", "customer"}},
			wantExpand: []string{"latest_charge", "customer"},
			check: func(t *testing.T, out map[string]any) {
				ch, _ := out["latest_charge"].(map[string]any)
				cus, _ := out["customer"].(map[string]any)
				if ch["object"] != "charge" || cus["email"] != "jennyrosen@example.com" {
					t.Errorf("expanded output = %v", out)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			out, err := f.InvokeJSON("retrieve_payment_intent", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodGet || r.Path != "/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa" {
				t.Errorf("request = %s %s", r.Method, r.Path)
			}
			if r.Header.Get("Authorization") != "Bearer "+testKey {
				t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
			}
			if r.Header.Get("Idempotency-Key") != "" {
				t.Error("GET carries an Idempotency-Key")
			}
			if got := r.Query["expand[]"]; !reflect.DeepEqual(got, tc.wantExpand) {
				t.Errorf("expand[] = %v, want %v", got, tc.wantExpand)
			}
			tc.check(t, out)
		})
	}
}

func TestRetrievePaymentIntentNotFound(t *testing.T) {
	f := newFake(t, 0)
	_, err := f.InvokeJSON("retrieve_payment_intent", connectors.Values{"payment_intent_id": "pi_missing"})
	ce := connectors.AsError(err)
	if ce == nil || ce.Class != connectors.ClassPermanent || ce.Status != http.StatusNotFound {
		t.Fatalf("err = %v, want permanent 404", err)
	}
	for _, want := range []string{"No such payment_intent: 'pi_missing'", "code resource_missing", "param id"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestRetrievePaymentIntentSendsVersionAndAccount(t *testing.T) {
	f := newFake(t, 0)
	_, err := f.Call(connectors.Invocation{
		Action: "retrieve_payment_intent",
		Input:  connectors.Values{"payment_intent_id": "pi_3MtwBwLkdIwHu7ix28a3tqPa"},
		Credential: connectors.Values{CredentialSecretKey: testKey,
			CredentialAPIVersion: "2024-06-20", CredentialAccount: "acct_1032D82eZvKYlo2C"},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := f.Requests()[0].Header
	if h.Get("Stripe-Version") != "2024-06-20" || h.Get("Stripe-Account") != "acct_1032D82eZvKYlo2C" {
		t.Errorf("Stripe-Version %q, Stripe-Account %q", h.Get("Stripe-Version"), h.Get("Stripe-Account"))
	}
}
