package sendgrid_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/sendgrid"
)

// ExampleNew registers the connector, as connectors/all does for every
// built-in, and lists what it offers.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(sendgrid.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector(sendgrid.Name)
	for _, a := range spec.Actions {
		fmt.Println("action:", a.Name)
	}
	for _, tr := range spec.Triggers {
		fmt.Println("trigger:", tr.Name)
	}
	fmt.Println("duplicate:", reg.Register(sendgrid.New()) != nil)
	// Output:
	// action: send_email
	// trigger: webhook
	// duplicate: true
}
