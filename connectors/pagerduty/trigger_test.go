package pagerduty_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/pagerduty"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, pagerduty.New())
}
