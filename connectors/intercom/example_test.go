package intercom_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/intercom"
)

// ExampleNew registers the Intercom connector, as connectors/all does.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(intercom.New()); err != nil {
		fmt.Println(err)
		return
	}
	tr, _ := reg.Trigger("intercom", "webhook")
	fmt.Println(tr.SignatureHeaders)
	// Output:
	// [X-Hub-Signature]
}
