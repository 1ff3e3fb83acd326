package email_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/email"
)

// ExampleNew registers the connector, as connectors/all does for every
// built-in, and lists what it offers.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(email.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector(email.Name)
	for _, a := range spec.Actions {
		fmt.Println("action:", a.Name)
	}
	for _, tr := range spec.Triggers {
		fmt.Println("trigger:", tr.Name)
	}
	fmt.Println("duplicate:", reg.Register(email.New()) != nil)
	// Output:
	// action: send_email
	// duplicate: true
}
