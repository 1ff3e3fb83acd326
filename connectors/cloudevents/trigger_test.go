package cloudevents_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/cloudevents"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, cloudevents.New())
}
