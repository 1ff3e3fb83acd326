package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/hookflow/hookflow/connectors"
)

// Refund reasons Stripe accepts.
var refundReasons = []string{"duplicate", "fraudulent", "requested_by_customer"}

func createRefundAction() *connectors.Action {
	return &connectors.Action{
		Name:  "create_refund",
		Title: "Create a refund",
		Description: "Refund a payment in full or in part (POST /v1/refunds). Name either the payment intent or the " +
			"charge. Retries of the same step reuse one Idempotency-Key, so a payment is never refunded twice by a retry.",
		Input: []connectors.Field{
			{Name: "payment_intent", Title: "Payment intent id", Type: connectors.TypeString,
				Example: "pi_3MtwBwLkdIwHu7ix28a3tqPa", Pattern: `^pi_[A-Za-z0-9_]+$`, PatternHelp: "payment intent ids start with pi_",
				Help: "Set this or charge, not both."},
			{Name: "charge", Title: "Charge id", Type: connectors.TypeString,
				Example: "ch_3MtwBwLkdIwHu7ix28Wk0nXN", Pattern: `^(ch|py)_[A-Za-z0-9_]+$`, PatternHelp: "charge ids start with ch_ or py_",
				Help: "Set this or payment_intent, not both."},
			{Name: "amount", Title: "Amount", Type: connectors.TypeInteger, Example: 500,
				Help: "In the currency's smallest unit (cents for USD). Empty refunds the whole remaining amount."},
			{Name: "reason", Title: "Reason", Type: connectors.TypeString, Enum: refundReasons,
				Help: "Shown to the customer's bank; fraudulent also adds the card to your block lists."},
			{Name: "metadata", Title: "Metadata", Type: connectors.TypeObject, Example: map[string]any{"ticket": "SUP-1042"}},
		},
		OutputSample: json.RawMessage(`{"id":"re_1Nispe2eZvKYlo2Cd31jOCgZ","object":"refund","amount":1000,` +
			`"charge":"ch_1NirD82eZvKYlo2CIvbtLWuY","created":1692942318,"currency":"usd","metadata":{},` +
			`"payment_intent":"pi_2NirD82eZvKYlo2C1jMbMAdU","reason":null,"status":"succeeded"}`),
		Run: runCreateRefund,
	}
}

func runCreateRefund(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	pi, ch := in.String("payment_intent"), in.String("charge")
	switch {
	case pi == "" && ch == "":
		return nil, connectors.Permanent(errors.New("input.payment_intent: set payment_intent or charge"))
	case pi != "" && ch != "":
		return nil, connectors.Permanent(errors.New("input.charge: set payment_intent or charge, not both"))
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	form := url.Values{}
	if pi != "" {
		form.Set("payment_intent", pi)
	} else {
		form.Set("charge", ch)
	}
	if amt, ok := in["amount"].(int64); ok {
		if amt < 1 {
			return nil, connectors.Permanent(fmt.Errorf("input.amount: must be at least 1, got %d", amt))
		}
		form.Set("amount", strconv.FormatInt(amt, 10))
	}
	if r := in.String("reason"); r != "" {
		form.Set("reason", r)
	}
	if md, ok := in["metadata"].(map[string]any); ok {
		if err := metadataForm(form, "input.metadata", md); err != nil {
			return nil, err
		}
	}
	var out map[string]any
	if err := a.post(ctx, "/v1/refunds", form, &out); err != nil {
		return nil, fmt.Errorf("creating refund: %w", err)
	}
	return out, nil
}
