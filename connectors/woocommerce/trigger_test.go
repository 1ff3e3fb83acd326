package woocommerce

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, New())
}

func TestExtract(t *testing.T) {
	order := `{"id":727,"status":"processing","date_created_gmt":"2026-11-30T09:12:41","date_modified_gmt":"2026-11-30T09:15:02"}`
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "delivery_id_is_the_key", Request: connectortest.NewRequest(order,
			HeaderTopic, "order.updated", HeaderDeliveryID, "d1"), Want: []string{"d1 order.updated"}},
		{Name: "without_delivery_id_the_resource_and_its_change_are_the_key", Request: connectortest.NewRequest(order,
			HeaderTopic, "order.updated"), Want: []string{"order.updated:727:2026-11-30T09:15:02 order.updated"}},
		{Name: "without_modification_time_the_creation_time", Request: connectortest.NewRequest(`{"id":"93","date_created_gmt":"2026-11-30T09:00:00"}`,
			HeaderTopic, "product.created"), Want: []string{"product.created:93:2026-11-30T09:00:00 product.created"}},
		{Name: "no_topic", Request: connectortest.NewRequest(order, HeaderDeliveryID, "d1"),
			WantErr: "reading WooCommerce webhook: header X-WC-Webhook-Topic is missing"},
		{Name: "no_delivery_id_and_no_resource_id", Request: connectortest.NewRequest(`{"status":"processing"}`, HeaderTopic, "order.updated"),
			WantErr: "reading WooCommerce webhook order.updated: no X-WC-Webhook-Delivery-ID header and the body has no id"},
		{Name: "form_body_is_refused", Request: connectortest.NewRequest("webhook_id=14", HeaderTopic, "order.updated"),
			WantErr: "reading WooCommerce webhook: malformed JSON body: invalid character 'w' looking for beginning of value (at byte 1)"},
	})
}

func TestHandshakeIgnoresLookalikes(t *testing.T) {
	for _, body := range []string{"", "webhook_id=", "webhook_id=0", "webhook_id=-3", "webhook_id=1&webhook_id=2",
		"webhook_id=14&secret=x", `{"webhook_id":14}`, "id=14"} {
		if _, handled := Handshake(connectortest.NewRequest(body), nil); handled {
			t.Errorf("body %q was answered as a ping", body)
		}
	}
}
