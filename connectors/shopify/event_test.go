package shopify

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	order := string(connectortest.ReadFile(t, "testdata/orders_create.json"))
	const webhookID = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "webhook id fallback", Request: connectortest.NewRequest(order, "X-Shopify-Topic", "orders/create", "X-Shopify-Webhook-Id", webhookID),
			Want: []string{webhookID + " orders/create"}},
		{Name: "no id", Request: connectortest.NewRequest(order, "X-Shopify-Topic", "orders/create"),
			WantErr: "reading Shopify webhook: neither X-Shopify-Event-Id nor X-Shopify-Webhook-Id header is present"},
		{Name: "no topic", Request: connectortest.NewRequest(order, "X-Shopify-Event-Id", "e1"),
			WantErr: "reading Shopify webhook e1: header X-Shopify-Topic is missing"},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`{"id":`, "X-Shopify-Topic", "orders/create", "X-Shopify-Event-Id", "e1"),
			WantErr: "reading Shopify webhook: malformed JSON body: unexpected end of JSON input (at byte 6)"},
	})
}
