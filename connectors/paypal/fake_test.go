package paypal

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const (
	testClientID = "AeA1QIZXiflr1_-r0U2UbWTziOWX1GRQer5ybRK8bTMUhzAZkBx9CvLH5Jm0Fj1z"
	testSecret   = "ECYYrrSHdKfk_Q0EdvzdGkzj58a66kKaUQ5dZAEv4HvvtDId2_DpSuYDB088BZxGuMji7G4OFUnPog6p"
)

// fakePayPal follows PayPal's documented wire format: client-credentials
// tokens from /v1/oauth2/token (Basic auth, form body), Bearer calls,
// {"name","message","debug_id","details":[…]} errors, OAuth errors as
// {"error","error_description"}, and refunds that replay under the same
// PayPal-Request-Id.
type fakePayPal struct {
	*connectortest.Fake
	t *testing.T

	mu        sync.Mutex
	tokens    int               // tokens issued
	valid     map[string]bool   // access tokens accepted
	refunds   map[string][]byte // by PayPal-Request-Id
	refunded  float64           // of the capture
	nextID    int
	revokeAll bool // refuse every token once, as after a revocation
}

func newFake(t *testing.T) *fakePayPal {
	f := &fakePayPal{t: t, valid: map[string]bool{}, refunds: map[string][]byte{}}
	f.Fake = connectortest.NewFake(t, New(), connectors.Values{CredentialClientID: testClientID, CredentialClientSecret: testSecret}, f.serve)
	return f
}

func ppError(w http.ResponseWriter, status int, name, message, issue, description string) {
	body := map[string]any{"name": name, "message": message, "debug_id": "90957fca61718"}
	if issue != "" {
		body["details"] = []any{map[string]any{"issue": issue, "description": description}}
	}
	connectortest.WriteJSON(w, status, body)
}

func (f *fakePayPal) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/v1/oauth2/token" {
		f.token(w, r)
		return
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if f.revokeAll {
		f.valid = map[string]bool{}
		f.revokeAll = false
	}
	if !f.valid[tok] {
		connectortest.WriteJSON(w, 401, map[string]any{"error": "invalid_token", "error_description": "Token signature verification failed"})
		return
	}
	capture := connectortest.ReadJSON(f.t, "testdata/api_capture.json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v2/checkout/orders/5O190127TN364715T":
		connectortest.WriteJSON(w, 200, connectortest.ReadJSON(f.t, "testdata/api_order.json"))
	case r.Method == http.MethodGet && r.URL.Path == "/v2/payments/captures/3C679366HH908993F":
		connectortest.WriteJSON(w, 200, capture)
	case r.Method == http.MethodPost && r.URL.Path == "/v2/payments/captures/3C679366HH908993F/refund":
		f.refund(w, r, capture)
	default:
		ppError(w, 404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", "INVALID_RESOURCE_ID",
			"Specified resource ID does not exist. Please check the resource ID and try again.")
	}
}

func (f *fakePayPal) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	body, _ := io.ReadAll(r.Body)
	if !ok || id != testClientID || secret != testSecret {
		connectortest.WriteJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": "Client Authentication failed"})
		return
	}
	if string(body) != "grant_type=client_credentials" {
		connectortest.WriteJSON(w, 400, map[string]any{"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"})
		return
	}
	f.tokens++
	tok := fmt.Sprintf("A21AAFake-token-%d", f.tokens)
	f.valid[tok] = true
	connectortest.WriteJSON(w, 200, map[string]any{"scope": "https://uri.paypal.com/services/payments/refund", "access_token": tok,
		"token_type": "Bearer", "app_id": "APP-80W284485P519543T", "expires_in": 32400, "nonce": "2026-12-01T12:00:00Z"})
}

func (f *fakePayPal) refund(w http.ResponseWriter, r *http.Request, capture map[string]any) {
	reqID := r.Header.Get("PayPal-Request-Id")
	if saved, ok := f.refunds[reqID]; ok && reqID != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		w.Write(saved)
		return
	}
	var req refundRequest
	json.NewDecoder(r.Body).Decode(&req)
	total, _ := strconv.ParseFloat(capture["amount"].(map[string]any)["value"].(string), 64)
	value := total - f.refunded
	if req.Amount != nil {
		value, _ = strconv.ParseFloat(req.Amount.Value, 64)
	}
	if value > total-f.refunded+1e-9 {
		ppError(w, 422, "UNPROCESSABLE_ENTITY", "The requested action could not be performed, semantically incorrect, or failed business validation.",
			"REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.")
		return
	}
	f.refunded += value
	f.nextID++
	out, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("1JU08902781691%03d", f.nextID), "status": "COMPLETED",
		"amount":        map[string]any{"currency_code": "USD", "value": strconv.FormatFloat(value, 'f', 2, 64)},
		"note_to_payer": req.NoteToPayer, "invoice_id": req.InvoiceID})
	f.refunds[reqID] = out
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(201)
	w.Write(out)
}

func (f *fakePayPal) issued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens
}
