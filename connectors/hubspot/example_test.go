package hubspot_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/hubspot"
)

// ExampleNew registers the HubSpot connector, as connectors/all does, and
// checks an action input the way the engine does before a step runs.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(hubspot.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector("hubspot")
	for _, a := range spec.Actions {
		fmt.Println("action:", a.Name)
	}
	a, _ := reg.Action("hubspot", "upsert_contact")
	_, err := connectors.ValidateInput(a.Input, connectors.Values{"emial": "ada@example.com"})
	fmt.Println(err)
	// Output:
	// action: upsert_contact
	// action: create_deal
	// action: add_note
	// action: search_contacts
	// input.email: required; input.emial: unknown field (did you mean "email"?)
}
