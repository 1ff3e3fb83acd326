package salesforce_test

import (
	"fmt"
	"os"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/salesforce"
)

// ExampleExtract registers the Salesforce connector, as connectors/all
// does, and turns a recorded Outbound Message into the events a workflow
// starts from.
func ExampleExtract() {
	reg := connectors.NewRegistry()
	if err := reg.Register(salesforce.New()); err != nil {
		fmt.Println(err)
		return
	}
	body, _ := os.ReadFile("testdata/opportunity_batch.xml")
	events, err := salesforce.Extract(&connectors.Request{Body: body}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		fmt.Println(e.ID, e.Type)
	}
	// Output:
	// 04l5g00000Tq7FvAAJ Opportunity
	// 04l5g00000Tq7FwAAJ Opportunity
}
