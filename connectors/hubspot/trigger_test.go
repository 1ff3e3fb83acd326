package hubspot_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/hubspot"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, hubspot.New())
}
