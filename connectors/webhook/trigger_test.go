package webhook_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/webhook"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, webhook.New())
}
