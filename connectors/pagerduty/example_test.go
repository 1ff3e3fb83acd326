package pagerduty_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/pagerduty"
)

// ExampleNew registers the PagerDuty connector, as connectors/all does,
// and lists its actions and the credential fields a user fills in.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(pagerduty.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector("pagerduty")
	for _, a := range spec.Actions {
		fmt.Println("action:", a.Name)
	}
	for _, f := range spec.Credential {
		fmt.Printf("credential: %s (secret %v)\n", f.Name, f.Secret)
	}
	// Output:
	// action: send_event
	// credential: routing_key (secret true)
	// credential: webhook_secret (secret true)
}
