package twilio_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/twilio"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, twilio.New())
}
