package square_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/square"
)

// ExampleNew registers the connector, as connectors/all does for every
// built-in, and lists what it offers.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(square.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector(square.Name)
	for _, a := range spec.Actions {
		fmt.Println("action:", a.Name)
	}
	for _, tr := range spec.Triggers {
		fmt.Println("trigger:", tr.Name)
	}
	fmt.Println("duplicate:", reg.Register(square.New()) != nil)
	// Output:
	// action: retrieve_payment
	// action: refund_payment
	// trigger: webhook
	// duplicate: true
}
