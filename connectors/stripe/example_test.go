package stripe_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/stripe"
)

// ExampleNew registers the Stripe connector, as connectors/all does for
// every built-in, and lists what it offers. A connector author registers a
// new connector the same way: build its *connectors.Spec and pass it to
// Register, which checks the spec and refuses duplicate names.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(stripe.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector("stripe")
	for _, a := range spec.Actions {
		fmt.Println("action:", a.Name)
	}
	for _, tr := range spec.Triggers {
		fmt.Println("trigger:", tr.Name)
	}
	fmt.Println("duplicate:", reg.Register(stripe.New()) != nil)
	// Output:
	// action: create_customer
	// action: retrieve_payment_intent
	// action: create_refund
	// action: list_charges
	// action: update_metadata
	// trigger: webhook
	// duplicate: true
}
