package shopify

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestGetOrder(t *testing.T) {
	tests := []struct {
		name       string
		input      connectors.Values
		wantFields string
		wantKeys   []string
	}{
		{name: "number_id_whole_order", input: connectors.Values{"order_id": float64(450789469)},
			wantKeys: []string{"id", "name", "line_items", "customer", "tags"}},
		{name: "string_id_some_fields", input: connectors.Values{"order_id": "450789469", "fields": []any{"id", "name", "tags"}},
			wantFields: "id,name,tags", wantKeys: []string{"id", "name", "tags"}},
		{name: "graphql_id", input: connectors.Values{"order_id": "gid://shopify/Order/450789469"},
			wantKeys: []string{"id", "name"}},
		{name: "json_number_id", input: connectors.Values{"order_id": json.Number("450789469")},
			wantKeys: []string{"id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			out, err := f.InvokeJSON("get_order", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			checkRequest(t, reqs[0], http.MethodGet, "/orders/450789469.json")
			if got := reqs[0].Query.Get("fields"); got != tc.wantFields {
				t.Errorf("fields = %q, want %q", got, tc.wantFields)
			}
			for _, k := range tc.wantKeys {
				if _, ok := out[k]; !ok {
					t.Errorf("output lacks %s: %v", k, out)
				}
			}
			if tc.wantFields != "" && len(out) != len(tc.wantKeys) {
				t.Errorf("output has %d keys, want %d", len(out), len(tc.wantKeys))
			}
			if out["id"] != float64(450789469) {
				t.Errorf("id = %v", out["id"])
			}
		})
	}
}

func TestGetOrderErrors(t *testing.T) {
	tests := []struct {
		name      string
		input     connectors.Values
		token     string
		rate      bool
		wantClass connectors.Class
		wantMsg   string
		wantCalls int
	}{
		{name: "not_found", input: connectors.Values{"order_id": 1}, wantClass: connectors.ClassPermanent, wantMsg: "Not Found", wantCalls: 1},
		{name: "bad_token", input: connectors.Values{"order_id": 450789469}, token: "shpat_wrong", wantClass: connectors.ClassPermanent,
			wantMsg: "Invalid API key or access token", wantCalls: 1},
		{name: "rate_limited", input: connectors.Values{"order_id": 450789469}, rate: true, wantClass: connectors.ClassRateLimited,
			wantMsg: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service. (API call limit 40/40)", wantCalls: 1},
		{name: "id_not_numeric", input: connectors.Values{"order_id": "#1001"}, wantClass: connectors.ClassPermanent,
			wantMsg: `input.order_id: "#1001" is not a numeric Shopify id`},
		{name: "id_too_large_for_json_number", input: connectors.Values{"order_id": float64(820982911946154508)}, wantClass: connectors.ClassPermanent,
			wantMsg: "input.order_id: 820982911946154496 is too large to be exact"},
		{name: "id_negative", input: connectors.Values{"order_id": -5}, wantClass: connectors.ClassPermanent,
			wantMsg: "input.order_id: want a positive numeric Shopify id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			f.rateLimited = tc.rate
			token := testToken
			if tc.token != "" {
				token = tc.token
			}
			_, err := f.Call(connectors.Invocation{
				Action: "get_order", Input: tc.input,
				Credential: connectors.Values{CredentialShop: "my-store", CredentialAccessToken: token},
			})
			ce := connectors.AsError(err)
			if ce == nil || ce.Class != tc.wantClass {
				t.Fatalf("err = %v, want class %s", err, tc.wantClass)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
			if tc.rate && ce.RetryAfter.Seconds() != 2 {
				t.Errorf("RetryAfter = %s, want the 2.0 s Shopify sent", ce.RetryAfter)
			}
			if n := len(f.Requests()); n != tc.wantCalls {
				t.Errorf("%d calls, want %d", n, tc.wantCalls)
			}
			if strings.Contains(err.Error(), token) {
				t.Error("error leaks the token")
			}
		})
	}
}

func TestShopURLFromCredential(t *testing.T) {
	tests := []struct {
		name, shop, want string
	}{
		{name: "bare_name", shop: "my-store", want: "https://my-store.myshopify.com/admin/api/2024-10"},
		{name: "full_domain", shop: "My-Store.myshopify.com", want: "https://my-store.myshopify.com/admin/api/2024-10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			call, err := connectortest.Registry(t, New(), "").NewCall(connectors.Invocation{Connector: Name, Action: "get_order",
				Input:      connectors.Values{"order_id": "1"},
				Credential: connectors.Values{CredentialShop: tc.shop, CredentialAccessToken: testToken}})
			if err != nil {
				t.Fatal(err)
			}
			a, err := newAPI(call)
			if err != nil {
				t.Fatal(err)
			}
			if a.prefix != tc.want {
				t.Errorf("prefix = %q, want %q", a.prefix, tc.want)
			}
		})
	}
	_, err := connectortest.Registry(t, New(), "").NewCall(connectors.Invocation{Connector: Name, Action: "get_order",
		Input: connectors.Values{"order_id": "1"}, Credential: connectors.Values{CredentialAccessToken: testToken}})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "credential.shop: required") {
		t.Errorf("missing shop: err = %v", err)
	}
}
