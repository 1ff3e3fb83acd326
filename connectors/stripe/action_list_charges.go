package stripe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hookflow/hookflow/connectors"
)

// Paging limits of list_charges. Stripe returns at most 100 objects per
// page; MaxListLimit bounds how many one step collects so a customer with a
// long history cannot flood run history.
const (
	stripePageSize   = 100
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

func listChargesAction() *connectors.Action {
	return &connectors.Action{
		Name:  "list_charges",
		Title: "List a customer's charges",
		Description: "List the charges of one customer, newest first (GET /v1/charges?customer=…), following " +
			"has_more/starting_after pages until limit charges are collected.",
		Input: []connectors.Field{
			{Name: "customer", Title: "Customer id", Type: connectors.TypeString, Required: true,
				Example: "cus_NffrFeUfNV2Hib", Pattern: `^cus_[A-Za-z0-9_]+$`, PatternHelp: "customer ids start with cus_"},
			{Name: "limit", Title: "Limit", Type: connectors.TypeInteger, Default: int64(DefaultListLimit), Example: 25,
				Help: fmt.Sprintf("How many charges to return at most (1–%d). Pages of %d are fetched as needed.", MaxListLimit, stripePageSize)},
			{Name: "created_after", Title: "Created after", Type: connectors.TypeInteger, Example: 1704067200,
				Help: "Only charges created at or after this Unix time (created[gte])."},
		},
		OutputSample: json.RawMessage(`{"charges":[{"id":"ch_3MmlLrLkdIwHu7ix0snN0B15","object":"charge","amount":1099,` +
			`"amount_refunded":0,"currency":"usd","customer":"cus_NffrFeUfNV2Hib","paid":true,"refunded":false,` +
			`"status":"succeeded","payment_intent":"pi_3MmlLrLkdIwHu7ix0uke3Ezy"}],"count":1,"has_more":false}`),
		Run: runListCharges,
	}
}

// ChargeList is the list_charges output.
type ChargeList struct {
	Charges []json.RawMessage `json:"charges"`
	Count   int               `json:"count"`
	// HasMore is true when the customer has more charges than were returned.
	HasMore bool `json:"has_more"`
}

func runListCharges(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	limit, _ := in["limit"].(int64)
	if limit < 1 || limit > MaxListLimit {
		return nil, connectors.Permanent(fmt.Errorf("input.limit: must be between 1 and %d, got %d", MaxListLimit, limit))
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("customer", in.String("customer"))
	q.Set("limit", strconv.FormatInt(min(limit, stripePageSize), 10))
	if after, ok := in["created_after"].(int64); ok {
		q.Set("created[gte]", strconv.FormatInt(after, 10))
	}
	first := &connectors.HTTPRequest{Method: http.MethodGet, URL: a.base + "/v1/charges", Query: q, Header: a.header.Clone()}
	first.Header.Set("Accept", "application/json")
	out := ChargeList{Charges: []json.RawMessage{}}
	next := connectors.CursorPages("starting_after", "data|@reverse|0.id", "has_more")
	for page, err := range a.http.Pages(ctx, first, next) {
		if err != nil {
			return nil, fmt.Errorf("listing charges: %w", err)
		}
		var list struct {
			Data    []json.RawMessage `json:"data"`
			HasMore bool              `json:"has_more"`
		}
		if err := page.Decode("Stripe", &list); err != nil {
			return nil, fmt.Errorf("listing charges: %w", err)
		}
		for i, c := range list.Data {
			if int64(len(out.Charges)) == limit {
				out.HasMore = true
				break
			}
			out.Charges = append(out.Charges, c)
			if i == len(list.Data)-1 {
				out.HasMore = list.HasMore
			}
		}
		if int64(len(out.Charges)) >= limit {
			break
		}
	}
	out.Count = len(out.Charges)
	return out, nil
}
