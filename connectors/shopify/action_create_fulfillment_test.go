package shopify

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestCreateFulfillment(t *testing.T) {
	tests := []struct {
		name      string
		input     connectors.Values
		wantBody  map[string]any
		wantLines []any
	}{
		{
			name: "all_remaining_items_with_tracking",
			input: connectors.Values{"order_id": 450789469, "tracking_number": "1Z001985YW99744790", "tracking_company": "UPS",
				"tracking_url": "https://www.ups.com/track?tracknum=1Z001985YW99744790", "notify_customer": true},
			wantBody: map[string]any{"fulfillment": map[string]any{
				"line_items_by_fulfillment_order": []any{map[string]any{"fulfillment_order_id": float64(1046000818)}},
				"tracking_info": map[string]any{"number": "1Z001985YW99744790", "company": "UPS",
					"url": "https://www.ups.com/track?tracknum=1Z001985YW99744790"},
				"notify_customer": true,
			}},
			wantLines: []any{map[string]any{"id": float64(466157049), "quantity": float64(1)}, map[string]any{"id": float64(703073504), "quantity": float64(3)}},
		},
		{
			name:  "some_items_partial_quantity_no_tracking",
			input: connectors.Values{"order_id": "450789469", "line_items": []any{map[string]any{"line_item_id": float64(703073504), "quantity": float64(2)}}},
			wantBody: map[string]any{"fulfillment": map[string]any{
				"line_items_by_fulfillment_order": []any{map[string]any{"fulfillment_order_id": float64(1046000818),
					"fulfillment_order_line_items": []any{map[string]any{"id": float64(1058737494), "quantity": float64(2)}}}},
				"notify_customer": false,
			}},
			wantLines: []any{map[string]any{"id": float64(703073504), "quantity": float64(2)}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			out, err := f.InvokeJSON("create_fulfillment", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want GET fulfillment orders then POST", len(reqs))
			}
			checkRequest(t, reqs[0], http.MethodGet, "/orders/450789469/fulfillment_orders.json")
			checkRequest(t, reqs[1], http.MethodPost, "/fulfillments.json")
			if !reflect.DeepEqual(reqs[1].JSON(), tc.wantBody) {
				t.Errorf("POST body = %v\nwant %v", reqs[1].JSON(), tc.wantBody)
			}
			if out["id"] != float64(1069019873) || out["status"] != "success" || !reflect.DeepEqual(out["line_items"], tc.wantLines) {
				t.Errorf("output = %v", out)
			}
		})
	}
}

func TestCreateFulfillmentRefusals(t *testing.T) {
	tests := []struct {
		name      string
		prepare   func(f *fakeShopify)
		input     connectors.Values
		wantMsg   string
		wantCalls int
	}{
		{name: "nothing_open", prepare: func(f *fakeShopify) { f.fulfillmentOrders[0]["status"] = "closed" },
			input: connectors.Values{"order_id": 450789469}, wantMsg: "order 450789469 has no open fulfillment order to fulfill", wantCalls: 1},
		{name: "several_locations", prepare: func(f *fakeShopify) {
			f.fulfillmentOrders[1]["status"], f.fulfillmentOrders[1]["assigned_location_id"] = "open", float64(99)
			f.fulfillmentOrders[1]["supported_actions"] = []any{"create_fulfillment"}
		}, input: connectors.Values{"order_id": 450789469}, wantMsg: "input.location_id: order 450789469 ships from several locations", wantCalls: 1},
		{name: "unknown_line_item", input: connectors.Values{"order_id": 450789469, "line_items": []any{map[string]any{"line_item_id": 1}}},
			wantMsg: "input.line_items[0].line_item_id: line item 1 has nothing left to fulfill", wantCalls: 1},
		{name: "too_many", input: connectors.Values{"order_id": 450789469, "line_items": []any{map[string]any{"line_item_id": 703073504, "quantity": 4}}},
			wantMsg: "input.line_items[0].quantity: only 3 of line item 703073504 remain", wantCalls: 1},
		{name: "bad_quantity", input: connectors.Values{"order_id": 450789469, "line_items": []any{map[string]any{"line_item_id": 703073504, "quantity": 0.5}}},
			wantMsg: "input.line_items[0].quantity: want a whole number"},
		{name: "line_item_without_id", input: connectors.Values{"order_id": 450789469, "line_items": []any{map[string]any{"quantity": 1}}},
			wantMsg: "input.line_items[0].line_item_id: required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			if tc.prepare != nil {
				tc.prepare(f)
			}
			_, err := f.InvokeJSON("create_fulfillment", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.wantMsg)
			}
			if n := len(f.Requests()); n != tc.wantCalls {
				t.Errorf("%d calls, want %d (never a POST)", n, tc.wantCalls)
			}
		})
	}
}

func TestCreateFulfillmentLocationPicksOne(t *testing.T) {
	f := newFake(t, 0)
	f.fulfillmentOrders[1]["status"], f.fulfillmentOrders[1]["assigned_location_id"] = "open", float64(99)
	f.fulfillmentOrders[1]["supported_actions"] = []any{"create_fulfillment"}
	f.fulfillmentOrders[1]["line_items"].([]any)[0].(map[string]any)["fulfillable_quantity"] = float64(1)
	if _, err := f.InvokeJSON("create_fulfillment", connectors.Values{"order_id": 450789469, "location_id": "99"}); err != nil {
		t.Fatal(err)
	}
	got := f.Requests()[1].JSON()["fulfillment"].(map[string]any)["line_items_by_fulfillment_order"]
	want := []any{map[string]any{"fulfillment_order_id": float64(1046000819)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("line_items_by_fulfillment_order = %v, want %v", got, want)
	}
}
