package jira_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/jira"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, jira.New())
}
