package square

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hookflow/hookflow/connectors"
)

func refundPaymentAction() *connectors.Action {
	return &connectors.Action{
		Name:  "refund_payment",
		Title: "Refund a payment",
		Description: "Refund a payment in full or in part (POST /v2/refunds). Retries of the same step send the same " +
			"idempotency_key, so a payment is never refunded twice by a retry. Square refunds are asynchronous: " +
			"the status starts PENDING and a refund.updated event reports COMPLETED or FAILED.",
		Input: []connectors.Field{
			idField("payment_id", "Payment id", "KkAkhdMsgzn59SM8A89WgKwekxLZY", "The payment to refund."),
			{Name: "amount", Title: "Amount", Type: connectors.TypeInteger, Required: true, Example: 2500,
				Help: "In the currency's smallest unit (cents for USD). At most the payment's remaining amount."},
			{Name: "currency", Title: "Currency", Type: connectors.TypeString, Required: true, Example: "USD",
				Pattern: `^[A-Z]{3}$`, PatternHelp: "an ISO 4217 code in capitals, e.g. USD",
				Help: "Must be the payment's currency."},
			{Name: "reason", Title: "Reason", Type: connectors.TypeString, Example: "Damaged item",
				Help: "Shown to the seller in the Square Dashboard; at most 192 characters."},
		},
		OutputSample: json.RawMessage(`{"id":"KkAkhdMsgzn59SM8A89WgKwekxLZY_ODljYmFhYmM5YjNiN","status":"PENDING",` +
			`"amount_money":{"amount":2500,"currency":"USD"},"payment_id":"KkAkhdMsgzn59SM8A89WgKwekxLZY","reason":"Damaged item"}`),
		Run: runRefundPayment,
	}
}

type money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type refundRequest struct {
	IdempotencyKey string `json:"idempotency_key"`
	PaymentID      string `json:"payment_id"`
	AmountMoney    money  `json:"amount_money"`
	Reason         string `json:"reason,omitempty"`
}

func runRefundPayment(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	amount, _ := in["amount"].(int64)
	if amount < 1 {
		return nil, connectors.InputError("amount", fmt.Sprintf("must be at least 1, got %d", amount))
	}
	if r := in.String("reason"); len([]rune(r)) > 192 {
		return nil, connectors.InputError("reason", fmt.Sprintf("Square allows at most 192 characters, got %d", len([]rune(r))))
	}
	if call.IdempotencyKey == "" {
		// Without a key a retried activity could refund twice.
		return nil, connectors.Permanent(fmt.Errorf("refunding payment: no idempotency key for this call"))
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	req := refundRequest{IdempotencyKey: call.IdempotencyKey, PaymentID: in.String("payment_id"),
		AmountMoney: money{Amount: amount, Currency: in.String("currency")}, Reason: in.String("reason")}
	var out struct {
		Refund map[string]any `json:"refund"`
	}
	if err := a.do(ctx, http.MethodPost, "/v2/refunds", req, &out); err != nil {
		return nil, fmt.Errorf("refunding payment %s: %w", req.PaymentID, err)
	}
	if out.Refund == nil {
		return nil, connectors.Permanent(fmt.Errorf("refunding payment %s: Square's response has no refund", req.PaymentID))
	}
	return out.Refund, nil
}
