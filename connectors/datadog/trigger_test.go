package datadog_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/datadog"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, datadog.New())
}
