package telegram_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/telegram"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, telegram.New())
}
