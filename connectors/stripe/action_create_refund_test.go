package stripe

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestCreateRefund(t *testing.T) {
	tests := []struct {
		name     string
		input    connectors.Values
		wantForm url.Values
		wantOut  map[string]any
	}{
		{
			name:     "full_refund_of_payment_intent",
			input:    connectors.Values{"payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa"},
			wantForm: url.Values{"payment_intent": {"pi_3MtwBwLkdIwHu7ix28a3tqPa"}},
			wantOut:  map[string]any{"object": "refund", "amount": float64(2000), "status": "succeeded", "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa"},
		},
		{
			name: "partial_refund_of_charge_with_reason_and_metadata",
			input: connectors.Values{"charge": "ch_3MtwBwLkdIwHu7ix28Wk0nXN", "amount": 500,
				"reason": "requested_by_customer", "metadata": map[string]any{"ticket": "SUP-1042"}},
			wantForm: url.Values{"charge": {"ch_3MtwBwLkdIwHu7ix28Wk0nXN"}, "amount": {"500"},
				"reason": {"requested_by_customer"}, "metadata[ticket]": {"SUP-1042"}},
			wantOut: map[string]any{"amount": float64(500), "charge": "ch_3MtwBwLkdIwHu7ix28Wk0nXN",
				"reason": "requested_by_customer", "metadata": map[string]any{"ticket": "SUP-1042"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			out, err := f.InvokeJSON("create_refund", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			checkPost(t, reqs[0], "/v1/refunds", "create_refund")
			if !reflect.DeepEqual(reqs[0].Form(), tc.wantForm) {
				t.Errorf("form = %v\nwant   %v", reqs[0].Form(), tc.wantForm)
			}
			for k, want := range tc.wantOut {
				if !reflect.DeepEqual(out[k], want) {
					t.Errorf("output %s = %#v, want %#v", k, out[k], want)
				}
			}
		})
	}
}

func TestCreateRefundBadInput(t *testing.T) {
	tests := []struct {
		name    string
		input   connectors.Values
		wantMsg string
	}{
		{name: "neither_target", input: connectors.Values{"amount": 100}, wantMsg: "input.payment_intent: set payment_intent or charge"},
		{name: "both_targets", input: connectors.Values{"payment_intent": "pi_1", "charge": "ch_1"}, wantMsg: "input.charge: set payment_intent or charge, not both"},
		{name: "zero_amount", input: connectors.Values{"payment_intent": "pi_1", "amount": 0}, wantMsg: "input.amount: must be at least 1"},
		{name: "customer_id_as_charge", input: connectors.Values{"charge": "cus_1"}, wantMsg: "input.charge: charge ids start with ch_ or py_"},
		{name: "unknown_reason", input: connectors.Values{"payment_intent": "pi_1", "reason": "changed_mind"}, wantMsg: "input.reason: must be one of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			_, err := f.InvokeJSON("create_refund", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want %q", err, tc.wantMsg)
			}
			if connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Errorf("class = %s", connectors.ClassOf(err))
			}
			if len(f.Requests()) != 0 {
				t.Error("the provider was called with bad input")
			}
		})
	}
}

func TestCreateRefundUnknownPaymentIntent(t *testing.T) {
	f := newFake(t, 0)
	_, err := f.InvokeJSON("create_refund", connectors.Values{"payment_intent": "pi_unknown"})
	if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "No such payment_intent: 'pi_unknown'") {
		t.Fatalf("err = %v", err)
	}
}
