package drift_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/drift"
)

// ExampleNew registers the Drift connector and lists what its credential
// asks for: both of the secrets Drift authenticates webhooks with.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(drift.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector("drift")
	for _, f := range spec.Credential {
		fmt.Println(f.Name, f.Secret)
	}
	// Output:
	// verification_token true
	// client_secret true
}
