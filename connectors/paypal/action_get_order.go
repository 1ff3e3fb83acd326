package paypal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hookflow/hookflow/connectors"
)

func getOrderAction() *connectors.Action {
	return &connectors.Action{
		Name:        "get_order",
		Title:       "Get an order",
		Description: "Look up a checkout order by id (GET /v2/checkout/orders/{id}): status, payer, purchase units and their captures.",
		Input: []connectors.Field{
			idField("order_id", "Order id", "5O190127TN364715T",
				"For a CHECKOUT.ORDER event, {{ trigger.resource.id }}; for a capture, {{ trigger.resource.supplementary_data.related_ids.order_id }}."),
		},
		OutputSample: json.RawMessage(`{"id":"5O190127TN364715T","status":"COMPLETED","intent":"CAPTURE",` +
			`"payer":{"email_address":"ada@example.com","payer_id":"QYR5Z8XDVJNXQ","name":{"given_name":"Ada","surname":"Lovelace"}},` +
			`"purchase_units":[{"reference_id":"default","amount":{"currency_code":"USD","value":"125.00"},` +
			`"payments":{"captures":[{"id":"3C679366HH908993F","status":"COMPLETED","amount":{"currency_code":"USD","value":"125.00"}}]}}]}`),
		Run: func(ctx context.Context, call *connectors.Call) (any, error) {
			return getObject(ctx, call, "/v2/checkout/orders/", call.Input.String("order_id"), "getting order")
		},
	}
}

func getCaptureAction() *connectors.Action {
	return &connectors.Action{
		Name:        "get_capture",
		Title:       "Get a captured payment",
		Description: "Look up a captured payment by id (GET /v2/payments/captures/{id}): amount, status, fees and the related order.",
		Input: []connectors.Field{
			idField("capture_id", "Capture id", "3C679366HH908993F",
				"For a PAYMENT.CAPTURE event, {{ trigger.resource.id }}."),
		},
		OutputSample: json.RawMessage(`{"id":"3C679366HH908993F","status":"COMPLETED","amount":{"currency_code":"USD","value":"125.00"},` +
			`"final_capture":true,"seller_receivable_breakdown":{"gross_amount":{"currency_code":"USD","value":"125.00"},` +
			`"paypal_fee":{"currency_code":"USD","value":"4.18"},"net_amount":{"currency_code":"USD","value":"120.82"}},` +
			`"supplementary_data":{"related_ids":{"order_id":"5O190127TN364715T"}}}`),
		Run: func(ctx context.Context, call *connectors.Call) (any, error) {
			return getObject(ctx, call, "/v2/payments/captures/", call.Input.String("capture_id"), "getting capture")
		},
	}
}

// getObject GETs prefix+id and returns the JSON object PayPal answers.
func getObject(ctx context.Context, call *connectors.Call, prefix, id, doing string) (any, error) {
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := a.do(ctx, http.MethodGet, prefix+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, fmt.Errorf("%s %s: %w", doing, id, err)
	}
	if out == nil {
		return nil, connectors.Permanent(fmt.Errorf("%s %s: PayPal's response is empty", doing, id))
	}
	return out, nil
}
