package teams_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/teams"
)

// ExampleNew registers the Teams connector and lists the hosts its
// webhook URL may name.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(teams.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector("teams")
	fmt.Println(spec.APIHosts)
	// Output:
	// [*.webhook.office.com *.logic.azure.com *.environment.api.powerplatform.com]
}
