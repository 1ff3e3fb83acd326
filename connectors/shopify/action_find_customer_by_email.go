package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// searchPageSize is how many customers one search page asks for (Shopify
// allows up to 250).
const searchPageSize = 50

func findCustomerByEmailAction() *connectors.Action {
	return &connectors.Action{
		Name:  "find_customer_by_email",
		Title: "Find a customer by email",
		Description: "Look up a customer by email (GET /customers/search.json?query=email:…). Shopify's search is " +
			"fuzzy, so results are followed through Link-header pages and only an exact (case-insensitive) email " +
			"match is returned. found is false when there is none; that is not an error.",
		Input: []connectors.Field{
			{Name: "email", Title: "Email", Type: connectors.TypeString, Required: true, Example: "bob.norman@mail.example.com",
				Pattern: `^[^@\s]+@[^@\s]+$`, PatternHelp: "must be an email address"},
		},
		OutputSample: json.RawMessage(`{"found":true,"customer":{"id":207119551,"email":"bob.norman@mail.example.com",` +
			`"first_name":"Bob","last_name":"Norman","orders_count":1,"state":"disabled","total_spent":"199.65",` +
			`"tags":"Léon, Noël","phone":"+16136120707","currency":"USD"}}`),
		Run: runFindCustomerByEmail,
	}
}

// CustomerOutput is the find_customer_by_email output.
type CustomerOutput struct {
	Found    bool           `json:"found"`
	Customer map[string]any `json:"customer"`
}

func runFindCustomerByEmail(ctx context.Context, call *connectors.Call) (any, error) {
	email := strings.TrimSpace(call.Input.String("email"))
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	first := &connectors.HTTPRequest{
		Method: http.MethodGet, URL: a.prefix + "/customers/search.json", Header: a.header.Clone(),
		Query: map[string][]string{"query": {"email:" + email}, "limit": {strconv.Itoa(searchPageSize)}},
	}
	for page, err := range a.http.Pages(ctx, first, connectors.LinkPages()) {
		if err != nil {
			return nil, fmt.Errorf("searching customers: %w", err)
		}
		var res struct {
			Customers []map[string]any `json:"customers"`
		}
		if err := page.JSON(&res); err != nil {
			return nil, connectors.NewError(connectors.ClassPermanent, page.Status, "searching customers: "+err.Error())
		}
		for _, c := range res.Customers {
			if e, _ := c["email"].(string); strings.EqualFold(strings.TrimSpace(e), email) {
				return CustomerOutput{Found: true, Customer: c}, nil
			}
		}
	}
	return CustomerOutput{}, nil
}
