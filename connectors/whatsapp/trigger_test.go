package whatsapp_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/whatsapp"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, whatsapp.New())
}
