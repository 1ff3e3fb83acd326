package square

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hookflow/hookflow/connectors"
)

func retrievePaymentAction() *connectors.Action {
	return &connectors.Action{
		Name:        "retrieve_payment",
		Title:       "Retrieve a payment",
		Description: "Look up a payment by id (GET /v2/payments/{payment_id}): amount, status, card, buyer email, receipt.",
		Input: []connectors.Field{
			idField("payment_id", "Payment id", "KkAkhdMsgzn59SM8A89WgKwekxLZY",
				"For a payment event, {{ trigger.data.id }}."),
		},
		OutputSample: json.RawMessage(`{"id":"KkAkhdMsgzn59SM8A89WgKwekxLZY","status":"COMPLETED",` +
			`"amount_money":{"amount":12500,"currency":"USD"},"source_type":"CARD","buyer_email_address":"ada@example.com",` +
			`"order_id":"03O3USaPaAaFnI6kkwB1JxGgBsUZY","receipt_url":"https://squareup.com/receipt/preview/KkAkhdMsgzn59SM8A89WgKwekxLZY"}`),
		Run: runRetrievePayment,
	}
}

func runRetrievePayment(ctx context.Context, call *connectors.Call) (any, error) {
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	id := call.Input.String("payment_id")
	var out struct {
		Payment map[string]any `json:"payment"`
	}
	if err := a.do(ctx, http.MethodGet, "/v2/payments/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, fmt.Errorf("retrieving payment %s: %w", id, err)
	}
	if out.Payment == nil {
		return nil, connectors.Permanent(fmt.Errorf("retrieving payment %s: Square's response has no payment", id))
	}
	return out.Payment, nil
}
