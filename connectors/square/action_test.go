package square

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const paymentID = "KkAkhdMsgzn59SM8A89WgKwekxLZY"

func TestRetrievePayment(t *testing.T) {
	f := newFake(t)
	out, err := f.InvokeJSON("retrieve_payment", connectors.Values{"payment_id": paymentID})
	if err != nil {
		t.Fatal(err)
	}
	if out["status"] != "COMPLETED" || out["buyer_email_address"] != "ada@example.com" {
		t.Fatalf("output = %v", out)
	}
	req := f.Requests()[0]
	if req.Method != "GET" || req.Path != "/v2/payments/"+paymentID || req.Header.Get("Square-Version") != DefaultAPIVersion {
		t.Fatalf("request = %s %s Square-Version %q", req.Method, req.Path, req.Header.Get("Square-Version"))
	}
}

func TestRetrievePaymentNotFound(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("retrieve_payment", connectors.Values{"payment_id": "nope"})
	if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "Could not find payment with id: nope (category INVALID_REQUEST_ERROR, code NOT_FOUND)") {
		t.Fatalf("err = %v", err)
	}
}

func TestCredentialAPIVersionIsSent(t *testing.T) {
	f := newFake(t)
	f.Credential = connectors.Values{CredentialAccessToken: testToken, CredentialAPIVersion: "2025-01-23"}
	if _, err := f.Invoke("retrieve_payment", connectors.Values{"payment_id": paymentID}); err != nil {
		t.Fatal(err)
	}
	if got := f.Requests()[0].Header.Get("Square-Version"); got != "2025-01-23" {
		t.Fatalf("Square-Version = %q", got)
	}
}

func TestRefundPayment(t *testing.T) {
	f := newFake(t)
	in := connectors.Values{"payment_id": paymentID, "amount": 2500, "currency": "USD", "reason": "Damaged item"}
	out, err := f.InvokeJSON("refund_payment", in)
	if err != nil {
		t.Fatal(err)
	}
	if out["status"] != "PENDING" || out["payment_id"] != paymentID {
		t.Fatalf("output = %v", out)
	}
	body := f.Requests()[0].JSON()
	want := `{"amount_money":{"amount":2500,"currency":"USD"},"idempotency_key":"` +
		connectors.IdempotencyKey("run-1", "refund_payment") + `","payment_id":"` + paymentID + `","reason":"Damaged item"}`
	if got := connectortest.JSON(t, body); got != want {
		t.Fatalf("body = %s\nwant   %s", got, want)
	}
	// A retried activity of the same step sends the same key and gets
	// the same refund back instead of a second one.
	again, err := f.InvokeJSON("refund_payment", in)
	if err != nil {
		t.Fatal(err)
	}
	if again["id"] != out["id"] || f.refundCount() != 1 {
		t.Fatalf("retry made refund %v (refunds: %d), want the first %v", again["id"], f.refundCount(), out["id"])
	}
	// Another step is another refund.
	if _, err := f.Call(connectors.Invocation{Action: "refund_payment", Input: in, StepID: "second_refund"}); err != nil {
		t.Fatal(err)
	}
	if f.refundCount() != 2 {
		t.Fatalf("refunds = %d, want 2", f.refundCount())
	}
}

func TestRefundPaymentErrors(t *testing.T) {
	tests := []struct {
		name  string
		input connectors.Values
		want  string
		calls int
	}{
		{name: "zero_amount", input: connectors.Values{"payment_id": paymentID, "amount": 0, "currency": "USD"},
			want: "input.amount: must be at least 1, got 0"},
		{name: "lowercase_currency", input: connectors.Values{"payment_id": paymentID, "amount": 1, "currency": "usd"},
			want: "input.currency: an ISO 4217 code in capitals"},
		{name: "id_with_a_slash", input: connectors.Values{"payment_id": "../v2/locations", "amount": 1, "currency": "USD"},
			want: "input.payment_id: a Square id has only letters, digits, _ and -"},
		{name: "long_reason", input: connectors.Values{"payment_id": paymentID, "amount": 1, "currency": "USD", "reason": strings.Repeat("x", 193)},
			want: "input.reason: Square allows at most 192 characters, got 193"},
		{name: "more_than_paid", input: connectors.Values{"payment_id": paymentID, "amount": 99999, "currency": "USD"},
			want: "The requested refund amount exceeds the amount available to refund. (category INVALID_REQUEST_ERROR, code REFUND_AMOUNT_INVALID, field amount_money.amount)", calls: 1},
		{name: "other_currency", input: connectors.Values{"payment_id": paymentID, "amount": 100, "currency": "EUR"},
			want: "code CURRENCY_MISMATCH, field amount_money.currency", calls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("refund_payment", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Errorf("class = %s, want permanent", connectors.ClassOf(err))
			}
			if n := len(f.Requests()); n != tc.calls {
				t.Errorf("Square was called %d times, want %d", n, tc.calls)
			}
		})
	}
}

func TestSandboxBaseURLIsAllowed(t *testing.T) {
	spec := New()
	base, _, err := spec.CredentialBaseURL(connectors.Values{connectors.BaseURLField: "https://connect.squareupsandbox.com"})
	if err != nil || base != "https://connect.squareupsandbox.com" {
		t.Fatalf("sandbox base = %q, %v", base, err)
	}
	if _, _, err := spec.CredentialBaseURL(connectors.Values{connectors.BaseURLField: "https://evil.example.com"}); err == nil {
		t.Fatal("a foreign base_url was accepted")
	}
}
