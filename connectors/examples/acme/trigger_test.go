package acme_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/examples/acme"
)

// Step 5 of the walkthrough: the trigger conformance suite replays the
// recorded deliveries in testdata/webhook.deliveries.json.
func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, acme.New())
}
