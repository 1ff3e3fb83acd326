package stripe_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/stripe"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, stripe.New())
}
