package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func getOrderAction() *connectors.Action {
	return &connectors.Action{
		Name:        "get_order",
		Title:       "Get an order",
		Description: "Fetch one order by id (GET /admin/api/{version}/orders/{id}.json), optionally only some fields.",
		Input: []connectors.Field{
			idField("order_id", "Order id", "450789469", "The order's numeric id; in an orders/* webhook it is {{ trigger.id }}."),
			{Name: "fields", Title: "Fields", Type: connectors.TypeArray, Example: []any{"id", "name", "tags", "fulfillment_status"},
				Help: "Only return these top-level fields. Empty returns the whole order."},
		},
		OutputSample: json.RawMessage(`{"id":450789469,"name":"#1001","email":"bob.norman@mail.example.com",` +
			`"financial_status":"paid","fulfillment_status":null,"tags":"imported","note":null,"total_price":"598.94","currency":"USD",` +
			`"line_items":[{"id":466157049,"title":"IPod Nano - 8gb","quantity":1,"sku":"IPOD2008GREEN"}]}`),
		Run: runGetOrder,
	}
}

func runGetOrder(ctx context.Context, call *connectors.Call) (any, error) {
	id, err := resourceID(call.Input, "order_id")
	if err != nil {
		return nil, err
	}
	var query map[string]string
	if fields, ok := call.Input["fields"].([]any); ok && len(fields) > 0 {
		names := make([]string, len(fields))
		for i, f := range fields {
			s, ok := f.(string)
			if !ok || s == "" || strings.Contains(s, ",") {
				return nil, connectors.Permanent(fmt.Errorf("input.fields[%d]: want a field name", i))
			}
			names[i] = s
		}
		query = map[string]string{"fields": strings.Join(names, ",")}
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var out struct {
		Order map[string]any `json:"order"`
	}
	if err := a.do(ctx, http.MethodGet, "/orders/"+id+".json", query, nil, &out); err != nil {
		return nil, fmt.Errorf("getting order %s: %w", id, err)
	}
	if out.Order == nil {
		return nil, connectors.Permanent(fmt.Errorf("getting order %s: the response has no order", id))
	}
	return out.Order, nil
}
