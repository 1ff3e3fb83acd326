package woocommerce_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/woocommerce"
)

// ExampleHandshake shows the ping WooCommerce sends when a webhook is
// saved: it is answered 200 without starting a run.
func ExampleHandshake() {
	resp, handled := woocommerce.Handshake(connectortest.NewRequest("webhook_id=14",
		"Content-Type", "application/x-www-form-urlencoded"), connectors.Values{})
	fmt.Println(handled, resp.Status, string(resp.Body))
	// Output: true 200 {"ok":true}
}
