package datadog_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/datadog"
)

// ExampleNew registers the Datadog connector, as connectors/all does, and
// lists its credential fields: one way or the other to authenticate the
// unsigned webhooks.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(datadog.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector("datadog")
	for _, f := range spec.Credential {
		fmt.Printf("credential: %s (secret %v)\n", f.Name, f.Secret)
	}
	// Output:
	// credential: auth (secret false)
	// credential: token (secret true)
	// credential: username (secret false)
	// credential: password (secret true)
}
