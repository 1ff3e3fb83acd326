package paypal

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	proxy := func() func(w http.ResponseWriter, r *http.Request) {
		f := newFake(t)
		return f.Config.Handler.ServeHTTP
	}
	connectortest.Run(t, New(), connectortest.Fixtures{
		Credential: connectors.Values{CredentialClientID: testClientID, CredentialClientSecret: testSecret},
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"name": "INVALID_REQUEST", "message": message, "debug_id": "90957fca61718",
				"details": []any{map[string]any{"issue": "INVALID_PARAMETER_VALUE", "description": "The value of a field is invalid."}}})
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"get_order":      {Input: connectors.Values{"order_id": "5O190127TN364715T"}, Success: proxy()},
			"get_capture":    {Input: connectors.Values{"capture_id": "3C679366HH908993F"}, Success: proxy()},
			"refund_capture": {Input: connectors.Values{"capture_id": "3C679366HH908993F", "amount": "10.99", "currency": "USD"}, Success: proxy()},
		},
	})
}

func TestTokenIsCachedAcrossCalls(t *testing.T) {
	f := newFake(t)
	order, err := f.InvokeJSON("get_order", connectors.Values{"order_id": "5O190127TN364715T"})
	if err != nil {
		t.Fatal(err)
	}
	if order["status"] != "COMPLETED" {
		t.Fatalf("order = %v", order)
	}
	capture, err := f.InvokeJSON("get_capture", connectors.Values{"capture_id": "3C679366HH908993F"})
	if err != nil {
		t.Fatal(err)
	}
	if capture["id"] != "3C679366HH908993F" {
		t.Fatalf("capture = %v", capture)
	}
	if n := f.issued(); n != 1 {
		t.Fatalf("%d tokens fetched for two calls, want 1 (cached until it expires)", n)
	}
	reqs := f.Requests()
	tok := reqs[0]
	if tok.Path != "/v1/oauth2/token" || tok.Form().Get("grant_type") != "client_credentials" {
		t.Fatalf("first request = %s %s", tok.Method, tok.Path)
	}
	if id, _, ok := tok.BasicAuth(); !ok || id != testClientID {
		t.Fatal("token request without the client id in Basic auth")
	}
	if got := reqs[1].Header.Get("Authorization"); got != "Bearer A21AAFake-token-1" {
		t.Fatalf("Authorization = %q", got)
	}
}

func TestRevokedTokenIsReplaced(t *testing.T) {
	f := newFake(t)
	if _, err := f.Invoke("get_capture", connectors.Values{"capture_id": "3C679366HH908993F"}); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.revokeAll = true
	f.mu.Unlock()
	if _, err := f.Invoke("get_capture", connectors.Values{"capture_id": "3C679366HH908993F"}); err != nil {
		t.Fatalf("after a revocation: %v", err)
	}
	if n := f.issued(); n != 2 {
		t.Fatalf("tokens issued = %d, want 2 (one after the 401)", n)
	}
}

func TestWrongClientSecretIsPermanent(t *testing.T) {
	f := newFake(t)
	f.Credential = connectors.Values{CredentialClientID: testClientID, CredentialClientSecret: "wrong-secret-value"}
	_, err := f.Invoke("get_order", connectors.Values{"order_id": "5O190127TN364715T"})
	if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "getting PayPal access token") ||
		!strings.Contains(err.Error(), "Client Authentication failed") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatal("the error leaks the secret")
	}
}

func TestNotFoundKeepsPayPalsDetails(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("get_order", connectors.Values{"order_id": "NOPE123"})
	want := "The specified resource does not exist. (name RESOURCE_NOT_FOUND, issue INVALID_RESOURCE_ID, description Specified resource ID does not exist. Please check the resource ID and try again., debug_id 90957fca61718)"
	if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant it to contain %q", err, want)
	}
}

func TestRefundCapture(t *testing.T) {
	f := newFake(t)
	in := connectors.Values{"capture_id": "3C679366HH908993F", "amount": "10.99", "currency": "USD",
		"note_to_payer": "Sorry, the item was damaged.", "invoice_id": "INV-727-R1"}
	out, err := f.InvokeJSON("refund_capture", in)
	if err != nil {
		t.Fatal(err)
	}
	if out["status"] != "COMPLETED" || out["amount"].(map[string]any)["value"] != "10.99" {
		t.Fatalf("output = %v", out)
	}
	var refundReq connectortest.Received
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, "/refund") {
			refundReq = r
		}
	}
	if got := refundReq.Header.Get("PayPal-Request-Id"); got != connectors.IdempotencyKey("run-1", "refund_capture") {
		t.Fatalf("PayPal-Request-Id = %q", got)
	}
	if refundReq.Header.Get("Prefer") != "return=representation" {
		t.Fatal("no Prefer: return=representation")
	}
	if got := connectortest.JSON(t, refundReq.JSON()); got != `{"amount":{"currency_code":"USD","value":"10.99"},"invoice_id":"INV-727-R1","note_to_payer":"Sorry, the item was damaged."}` {
		t.Fatalf("body = %s", got)
	}
	// The retried step gets the first refund back, not a second one.
	again, err := f.InvokeJSON("refund_capture", in)
	if err != nil {
		t.Fatal(err)
	}
	if again["id"] != out["id"] {
		t.Fatalf("retry refunded again: %v then %v", out["id"], again["id"])
	}
	// A full refund of the rest, from another step, then nothing is left.
	full, err := f.Call(connectors.Invocation{Action: "refund_capture", StepID: "refund_rest", Input: connectors.Values{"capture_id": "3C679366HH908993F"}})
	if err != nil {
		t.Fatal(err)
	}
	if v := connectortest.Decode(t, full)["amount"].(map[string]any)["value"]; v != "114.01" {
		t.Fatalf("full refund of the rest = %v, want 114.01", v)
	}
	_, err = f.Call(connectors.Invocation{Action: "refund_capture", StepID: "refund_more", Input: connectors.Values{"capture_id": "3C679366HH908993F", "amount": "1.00", "currency": "USD"}})
	if connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "issue REFUND_AMOUNT_EXCEEDED") {
		t.Fatalf("over-refund: err = %v", err)
	}
}

func TestRefundCaptureBadInput(t *testing.T) {
	tests := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{name: "amount_without_currency", input: connectors.Values{"capture_id": "3C679366HH908993F", "amount": "1.00"}, want: "input.currency: required with amount"},
		{name: "currency_without_amount", input: connectors.Values{"capture_id": "3C679366HH908993F", "currency": "USD"}, want: "input.amount: required with currency"},
		{name: "zero", input: connectors.Values{"capture_id": "3C679366HH908993F", "amount": "0.00", "currency": "USD"}, want: "input.amount: must be more than zero"},
		{name: "amount_with_sign", input: connectors.Values{"capture_id": "3C679366HH908993F", "amount": "$1.00", "currency": "USD"}, want: "input.amount: a decimal amount such as 10.99"},
		{name: "id_with_slash", input: connectors.Values{"capture_id": "3C67/../x"}, want: "input.capture_id: a PayPal id has only letters, digits and -"},
		{name: "long_note", input: connectors.Values{"capture_id": "3C679366HH908993F", "note_to_payer": strings.Repeat("n", 256)}, want: "input.note_to_payer: PayPal allows at most 255 characters, got 256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("refund_capture", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.want)
			}
			if n := len(f.Requests()); n != 0 {
				t.Fatalf("PayPal was called %d times", n)
			}
		})
	}
}
