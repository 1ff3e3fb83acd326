package shopify_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/shopify"
)

// ExampleNew registers the Shopify connector, as connectors/all does, and
// lists its actions and the credential fields a user fills in.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(shopify.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector("shopify")
	for _, a := range spec.Actions {
		fmt.Println("action:", a.Name)
	}
	for _, f := range spec.Credential {
		fmt.Printf("credential: %s (secret %v)\n", f.Name, f.Secret)
	}
	// Output:
	// action: get_order
	// action: add_order_tags
	// action: add_order_note
	// action: create_fulfillment
	// action: find_customer_by_email
	// credential: shop (secret false)
	// credential: access_token (secret true)
	// credential: client_secret (secret true)
	// credential: api_version (secret false)
}
