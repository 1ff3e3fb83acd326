package github_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/github"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, github.New())
}
