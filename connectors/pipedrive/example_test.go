package pipedrive_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/pipedrive"
)

// ExampleExtract turns a webhooks v2 delivery into the event a workflow
// starts from.
func ExampleExtract() {
	body := `{"data":{"id":101,"status":"won"},"previous":{"status":"open"},"meta":{"action":"change","entity":"deal",` +
		`"entity_id":"101","id":"8b1c0f2a","timestamp":"2026-11-30T17:04:11.846Z","version":"2.0","webhook_id":"884512"}}`
	events, err := pipedrive.Extract(&connectors.Request{Body: []byte(body)}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(events[0].Type, events[0].ID)
	// Output:
	// change.deal 884512:change.deal:8b1c0f2a:2026-11-30T17:04:11.846Z
}
