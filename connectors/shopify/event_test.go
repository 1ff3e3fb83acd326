package shopify

import (
	"net/http"
	"os"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestExtract(t *testing.T) {
	order, err := os.ReadFile("testdata/orders_create.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		headers  map[string]string
		body     string
		wantID   string
		wantType string
		wantErr  string
	}{
		{"webhook id fallback", map[string]string{"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}, string(order), "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "orders/create", ""},
		{"no id", map[string]string{"X-Shopify-Topic": "orders/create"}, string(order), "", "", "reading Shopify webhook: neither X-Shopify-Event-Id nor X-Shopify-Webhook-Id header is present"},
		{"no topic", map[string]string{"X-Shopify-Event-Id": "e1"}, string(order), "", "", "reading Shopify webhook e1: header X-Shopify-Topic is missing"},
		{"malformed JSON", map[string]string{"X-Shopify-Topic": "orders/create", "X-Shopify-Event-Id": "e1"}, `{"id":`, "", "", "reading Shopify webhook: malformed JSON body: unexpected end of JSON input (at byte 6)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.headers {
				h.Set(k, v)
			}
			events, err := Extract(&connectors.Request{Header: h, Body: []byte(tc.body)}, nil)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 || events[0].ID != tc.wantID || events[0].Type != tc.wantType {
				t.Fatalf("events = %+v", events)
			}
		})
	}
}
