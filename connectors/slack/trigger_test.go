package slack_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/slack"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, slack.New())
}
