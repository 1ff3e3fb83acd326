package stripe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/hookflow/hookflow/connectors"
)

func retrievePaymentIntentAction() *connectors.Action {
	return &connectors.Action{
		Name:        "retrieve_payment_intent",
		Title:       "Retrieve a payment intent",
		Description: "Fetch a PaymentIntent by id (GET /v1/payment_intents/{id}), optionally expanding related objects such as the latest charge or the customer.",
		Input: []connectors.Field{
			{Name: "payment_intent_id", Title: "Payment intent id", Type: connectors.TypeString, Required: true,
				Example: "pi_3MtwBwLkdIwHu7ix28a3tqPa", Pattern: `^pi_[A-Za-z0-9_]+$`, PatternHelp: "payment intent ids start with pi_",
				Help: "In a payment_intent.* event this is {{ trigger.data.object.id }}."},
			{Name: "expand", Title: "Expand", Type: connectors.TypeArray, Example: []any{"latest_charge", "customer"},
				Help: "Fields to expand into full objects (Stripe's expand[] parameter)."},
		},
		OutputSample: json.RawMessage(`{"id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","object":"payment_intent","amount":2000,` +
			`"amount_received":2000,"currency":"usd","customer":"cus_NffrFeUfNV2Hib","latest_charge":"ch_3MtwBwLkdIwHu7ix28Wk0nXN",` +
			`"metadata":{},"payment_method":"pm_1MtwBwLkdIwHu7ixS4Y7bNbF","status":"succeeded","livemode":false}`),
		Run: runRetrievePaymentIntent,
	}
}

func runRetrievePaymentIntent(ctx context.Context, call *connectors.Call) (any, error) {
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	path, err := objectPath("input.payment_intent_id", "payment_intents", call.Input.String("payment_intent_id"))
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if err := addExpand(q, call.Input["expand"]); err != nil {
		return nil, err
	}
	var out map[string]any
	if err := a.get(ctx, path, q, &out); err != nil {
		return nil, fmt.Errorf("retrieving payment intent: %w", err)
	}
	return out, nil
}

// addExpand adds expand[]=field for each entry of an expand input.
func addExpand(q url.Values, v any) error {
	var list []any
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		list = x
	case []string:
		for _, s := range x {
			list = append(list, s)
		}
	}
	for i, e := range list {
		s, ok := e.(string)
		if !ok || s == "" {
			return connectors.Permanent(fmt.Errorf("input.expand[%d]: want a non-empty string", i))
		}
		q.Add("expand[]", s)
	}
	return nil
}
