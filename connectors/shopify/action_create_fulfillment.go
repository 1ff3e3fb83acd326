package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"

	"github.com/hookflow/hookflow/connectors"
)

func createFulfillmentAction() *connectors.Action {
	return &connectors.Action{
		Name:  "create_fulfillment",
		Title: "Create a fulfillment",
		Description: "Mark an order's items as shipped, with tracking. Reads the order's fulfillment orders " +
			"(GET /orders/{id}/fulfillment_orders.json), keeps the open ones that allow create_fulfillment, " +
			"and posts one fulfillment for them (POST /fulfillments.json with line_items_by_fulfillment_order). " +
			"Without line_items every remaining item is fulfilled.",
		Input: []connectors.Field{
			idField("order_id", "Order id", "450789469", "The order's numeric id; in an orders/* webhook it is {{ trigger.id }}."),
			{Name: "tracking_number", Title: "Tracking number", Type: connectors.TypeString, Example: "1Z001985YW99744790"},
			{Name: "tracking_company", Title: "Carrier", Type: connectors.TypeString, Example: "UPS",
				Help: "A carrier Shopify knows (UPS, USPS, FedEx, DHL Express, …) gets an automatic tracking link."},
			{Name: "tracking_url", Title: "Tracking URL", Type: connectors.TypeString,
				Example: "https://www.ups.com/track?tracknum=1Z001985YW99744790", Pattern: `^https?://[^\s]+$`, PatternHelp: "must be an http:// or https:// URL"},
			{Name: "notify_customer", Title: "Notify customer", Type: connectors.TypeBoolean, Default: false,
				Help: "Send Shopify's shipping confirmation to the customer."},
			{Name: "line_items", Title: "Line items", Type: connectors.TypeArray,
				Example: []any{map[string]any{"line_item_id": 466157049, "quantity": 1}},
				Help:    "Ship only these order line items: objects with line_item_id and optional quantity (default: all that remain)."},
			{Name: "location_id", Title: "Location id", Type: connectors.TypeAny, Example: "24826418",
				Help: "When the order ships from several locations, which location this fulfillment is for."},
		},
		OutputSample: json.RawMessage(`{"id":1069019873,"order_id":450789469,"status":"success","name":"#1001.1",` +
			`"location_id":24826418,"tracking_company":"UPS","tracking_number":"1Z001985YW99744790",` +
			`"tracking_url":"https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z001985YW99744790",` +
			`"line_items":[{"id":466157049,"quantity":1,"sku":"IPOD2008GREEN"}]}`),
		Run: runCreateFulfillment,
	}
}

type fulfillmentOrder struct {
	ID               json.Number `json:"id"`
	Status           string      `json:"status"`
	AssignedLocation json.Number `json:"assigned_location_id"`
	SupportedActions []string    `json:"supported_actions"`
	LineItems        []struct {
		ID                  json.Number `json:"id"`
		LineItemID          json.Number `json:"line_item_id"`
		FulfillableQuantity int64       `json:"fulfillable_quantity"`
	} `json:"line_items"`
}

type foLineItem struct {
	ID       json.Number `json:"id"`
	Quantity int64       `json:"quantity"`
}

type foGroup struct {
	FulfillmentOrderID json.Number  `json:"fulfillment_order_id"`
	LineItems          []foLineItem `json:"fulfillment_order_line_items,omitempty"`
}

// wantedItem is one entry of the line_items input.
type wantedItem struct {
	id       string
	quantity int64 // 0: all that remain
}

func runCreateFulfillment(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	id, err := resourceID(in, "order_id")
	if err != nil {
		return nil, err
	}
	wanted, err := parseWanted(in["line_items"])
	if err != nil {
		return nil, err
	}
	location := ""
	if in["location_id"] != nil {
		if location, err = resourceID(in, "location_id"); err != nil {
			return nil, err
		}
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var list struct {
		FulfillmentOrders []fulfillmentOrder `json:"fulfillment_orders"`
	}
	if err := a.do(ctx, http.MethodGet, "/orders/"+id+"/fulfillment_orders.json", nil, nil, &list); err != nil {
		return nil, fmt.Errorf("listing fulfillment orders of order %s: %w", id, err)
	}
	var open []fulfillmentOrder
	locations := map[string]bool{}
	for _, fo := range list.FulfillmentOrders {
		if (fo.Status == "open" || fo.Status == "in_progress") && slices.Contains(fo.SupportedActions, "create_fulfillment") &&
			(location == "" || fo.AssignedLocation.String() == location) {
			open = append(open, fo)
			locations[fo.AssignedLocation.String()] = true
		}
	}
	if len(open) == 0 {
		where := ""
		if location != "" {
			where = " at location " + location
		}
		return nil, connectors.Permanent(fmt.Errorf("order %s has no open fulfillment order%s to fulfill (already fulfilled, on hold or cancelled?)", id, where))
	}
	if len(locations) > 1 {
		ids := make([]string, 0, len(locations))
		for l := range locations {
			ids = append(ids, l)
		}
		sort.Strings(ids)
		return nil, connectors.Permanent(fmt.Errorf("input.location_id: order %s ships from several locations (%v); one fulfillment covers one location, so name it", id, ids))
	}
	groups, err := pickItems(open, wanted)
	if err != nil {
		return nil, err
	}
	f := map[string]any{
		"line_items_by_fulfillment_order": groups,
		"notify_customer":                 in["notify_customer"] == true,
	}
	tracking := map[string]any{}
	for input, key := range map[string]string{"tracking_number": "number", "tracking_company": "company", "tracking_url": "url"} {
		if v := in.String(input); v != "" {
			tracking[key] = v
		}
	}
	if len(tracking) > 0 {
		f["tracking_info"] = tracking
	}
	var out struct {
		Fulfillment map[string]any `json:"fulfillment"`
	}
	if err := a.do(ctx, http.MethodPost, "/fulfillments.json", nil, map[string]any{"fulfillment": f}, &out); err != nil {
		return nil, fmt.Errorf("creating fulfillment for order %s: %w", id, err)
	}
	if out.Fulfillment == nil {
		return nil, connectors.Permanent(fmt.Errorf("creating fulfillment for order %s: the response has no fulfillment", id))
	}
	return out.Fulfillment, nil
}

func parseWanted(v any) ([]wantedItem, error) {
	items, _ := v.([]any)
	var out []wantedItem
	for i, x := range items {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, connectors.Permanent(fmt.Errorf("input.line_items[%d]: want an object with line_item_id", i))
		}
		id, err := parseID(m["line_item_id"], fmt.Sprintf("input.line_items[%d].line_item_id", i))
		if err != nil {
			return nil, err
		}
		w := wantedItem{id: id}
		if q, ok := m["quantity"]; ok && q != nil {
			n, ok := wholeNumber(q)
			if !ok || n < 1 {
				return nil, connectors.Permanent(fmt.Errorf("input.line_items[%d].quantity: want a whole number of at least 1", i))
			}
			w.quantity = n
		}
		out = append(out, w)
	}
	return out, nil
}

// pickItems builds line_items_by_fulfillment_order. With no wanted items
// each fulfillment order is listed without line items, which Shopify reads
// as "all that remain".
func pickItems(open []fulfillmentOrder, wanted []wantedItem) ([]foGroup, error) {
	if len(wanted) == 0 {
		groups := make([]foGroup, len(open))
		for i, fo := range open {
			groups[i] = foGroup{FulfillmentOrderID: fo.ID}
		}
		return groups, nil
	}
	var groups []foGroup
	for i, w := range wanted {
		remaining := w.quantity
		found := false
		for _, fo := range open {
			for _, li := range fo.LineItems {
				if li.LineItemID.String() != w.id || li.FulfillableQuantity < 1 {
					continue
				}
				found = true
				q := li.FulfillableQuantity
				if w.quantity > 0 {
					if remaining == 0 {
						continue
					}
					q = min(q, remaining)
					remaining -= q
				}
				groups = addToGroup(groups, fo.ID, foLineItem{ID: li.ID, Quantity: q})
			}
		}
		if !found {
			return nil, connectors.Permanent(fmt.Errorf("input.line_items[%d].line_item_id: line item %s has nothing left to fulfill in the open fulfillment orders", i, w.id))
		}
		if remaining > 0 {
			return nil, connectors.Permanent(fmt.Errorf("input.line_items[%d].quantity: only %d of line item %s remain to fulfill", i, w.quantity-remaining, w.id))
		}
	}
	return groups, nil
}

func addToGroup(groups []foGroup, foID json.Number, li foLineItem) []foGroup {
	for i := range groups {
		if groups[i].FulfillmentOrderID == foID {
			groups[i].LineItems = append(groups[i].LineItems, li)
			return groups
		}
	}
	return append(groups, foGroup{FulfillmentOrderID: foID, LineItems: []foLineItem{li}})
}

// wholeNumber reads an integer from a decoded JSON value.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), n == math.Trunc(n) && math.Abs(n) < 1<<53
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}
