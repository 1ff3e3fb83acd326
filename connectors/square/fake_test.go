package square

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const testToken = "EAAAlTestAccessToken_0123456789"

// fakeSquare follows Square's documented wire format: Bearer auth,
// Square-Version, {"payment":…}/{"refund":…} envelopes,
// {"errors":[{"category","code","detail","field"}]} bodies, and refunds
// that replay under the same idempotency_key and refuse its reuse with a
// different request (IDEMPOTENCY_KEY_REUSED).
type fakeSquare struct {
	*connectortest.Fake

	mu       sync.Mutex
	payments map[string]map[string]any
	refunds  map[string]savedRefund // by idempotency_key
	next     int
	failWith int // answer every request with this status when set
}

type savedRefund struct {
	body   string
	refund map[string]any
}

func newFake(t *testing.T) *fakeSquare {
	f := &fakeSquare{payments: map[string]map[string]any{}, refunds: map[string]savedRefund{}}
	var payment map[string]any
	data := connectortest.ReadFile(t, "testdata/webhook.deliveries.json")
	var d struct {
		Deliveries []struct {
			Body string `json:"body"`
		} `json:"deliveries"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Data struct {
			Object struct {
				Payment map[string]any `json:"payment"`
			} `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(d.Deliveries[0].Body), &ev); err != nil {
		t.Fatal(err)
	}
	payment = ev.Data.Object.Payment
	f.payments[payment["id"].(string)] = payment
	f.Fake = connectortest.NewFake(t, New(), connectors.Values{CredentialAccessToken: testToken}, f.serve)
	return f
}

func squareError(w http.ResponseWriter, status int, category, code, detail, field string) {
	e := map[string]any{"category": category, "code": code, "detail": detail}
	if field != "" {
		e["field"] = field
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{e}})
}

func (f *fakeSquare) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failWith != 0 {
		squareError(w, f.failWith, "API_ERROR", "INTERNAL_SERVER_ERROR", "fake failure", "")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		squareError(w, 401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized.", "")
		return
	}
	if r.Header.Get("Square-Version") == "" {
		squareError(w, 400, "INVALID_REQUEST_ERROR", "INVALID_VALUE", "Square-Version header is required by this fake.", "")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v2/payments/"):
		id := strings.TrimPrefix(r.URL.Path, "/v2/payments/")
		p, ok := f.payments[id]
		if !ok {
			squareError(w, 404, "INVALID_REQUEST_ERROR", "NOT_FOUND", "Could not find payment with id: "+id, "")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"payment": p})
	case r.Method == http.MethodPost && r.URL.Path == "/v2/refunds":
		f.refund(w, r)
	default:
		squareError(w, 404, "INVALID_REQUEST_ERROR", "NOT_FOUND", "no such endpoint", "")
	}
}

func (f *fakeSquare) refund(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var req refundRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		squareError(w, 400, "INVALID_REQUEST_ERROR", "INVALID_CONTENT_TYPE", "body is not JSON", "")
		return
	}
	if req.IdempotencyKey == "" {
		squareError(w, 400, "INVALID_REQUEST_ERROR", "MISSING_REQUIRED_PARAMETER", "Field must be set", "idempotency_key")
		return
	}
	if saved, ok := f.refunds[req.IdempotencyKey]; ok {
		if saved.body != string(raw) {
			squareError(w, 400, "INVALID_REQUEST_ERROR", "IDEMPOTENCY_KEY_REUSED", "The idempotency key was used with a different request.", "")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"refund": saved.refund})
		return
	}
	p, ok := f.payments[req.PaymentID]
	if !ok {
		squareError(w, 404, "INVALID_REQUEST_ERROR", "NOT_FOUND", "Payment "+req.PaymentID+" not found.", "payment_id")
		return
	}
	paid := p["amount_money"].(map[string]any)
	if req.AmountMoney.Currency != paid["currency"] {
		squareError(w, 400, "INVALID_REQUEST_ERROR", "CURRENCY_MISMATCH", "The currency does not match the payment's.", "amount_money.currency")
		return
	}
	if float64(req.AmountMoney.Amount) > paid["amount"].(float64) {
		squareError(w, 400, "INVALID_REQUEST_ERROR", "REFUND_AMOUNT_INVALID", "The requested refund amount exceeds the amount available to refund.", "amount_money.amount")
		return
	}
	f.next++
	refund := map[string]any{"id": fmt.Sprintf("%s_r%d", req.PaymentID, f.next), "status": "PENDING",
		"amount_money": map[string]any{"amount": req.AmountMoney.Amount, "currency": req.AmountMoney.Currency},
		"payment_id":   req.PaymentID, "reason": req.Reason, "location_id": p["location_id"]}
	f.refunds[req.IdempotencyKey] = savedRefund{body: string(raw), refund: refund}
	json.NewEncoder(w).Encode(map[string]any{"refund": refund})
}

// refundCount is how many refunds the fake created.
func (f *fakeSquare) refundCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.refunds)
}
