package stripe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/hookflow/hookflow/connectors"
)

func createCustomerAction() *connectors.Action {
	return &connectors.Action{
		Name:  "create_customer",
		Title: "Create a customer",
		Description: "Create a Stripe customer (POST /v1/customers). Retries of the same step reuse one " +
			"Idempotency-Key, so a retried run never creates a second customer.",
		Input: []connectors.Field{
			{Name: "email", Title: "Email", Type: connectors.TypeString, Example: "jenny.rosen@example.com",
				Pattern: `^[^@\s]+@[^@\s]+$`, PatternHelp: "must be an email address"},
			{Name: "name", Title: "Name", Type: connectors.TypeString, Example: "Jenny Rosen",
				Help: "Full name or business name."},
			{Name: "phone", Title: "Phone", Type: connectors.TypeString, Example: "+14155550123"},
			{Name: "description", Title: "Description", Type: connectors.TypeString, Example: "Signed up from the landing page",
				Help: "Shown in the Dashboard next to the customer."},
			{Name: "address", Title: "Address", Type: connectors.TypeObject,
				Example: map[string]any{"line1": "510 Townsend St", "city": "San Francisco", "postal_code": "94103", "country": "US"},
				Help:    "Stripe address object: line1, line2, city, state, postal_code, country (two-letter code)."},
			{Name: "metadata", Title: "Metadata", Type: connectors.TypeObject, Example: map[string]any{"user_id": "42"},
				Help: "Up to 50 key/value pairs stored on the customer; keys up to 40 characters, values up to 500."},
		},
		OutputSample: json.RawMessage(`{"id":"cus_NffrFeUfNV2Hib","object":"customer","address":null,"balance":0,` +
			`"created":1680893993,"currency":null,"default_source":null,"delinquent":false,"description":null,` +
			`"email":"jennyrosen@example.com","invoice_prefix":"0759376C","livemode":false,` +
			`"metadata":{"user_id":"42"},"name":"Jenny Rosen","phone":null,"preferred_locales":[],"tax_exempt":"none"}`),
		Run: runCreateCustomer,
	}
}

func runCreateCustomer(ctx context.Context, call *connectors.Call) (any, error) {
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	in := call.Input
	form := url.Values{}
	for _, k := range []string{"email", "name", "phone", "description"} {
		if v := in.String(k); v != "" {
			form.Set(k, v)
		}
	}
	if addr, ok := in["address"].(map[string]any); ok {
		for k, v := range addr {
			if _, nested := v.(map[string]any); nested {
				return nil, connectors.Permanent(fmt.Errorf("input.address.%s: want a string", k))
			}
		}
		encodeForm(form, "address", addr)
	}
	if md, ok := in["metadata"].(map[string]any); ok {
		if err := metadataForm(form, "input.metadata", md); err != nil {
			return nil, err
		}
	}
	var out map[string]any
	if err := a.post(ctx, "/v1/customers", form, &out); err != nil {
		return nil, fmt.Errorf("creating customer: %w", err)
	}
	return out, nil
}
