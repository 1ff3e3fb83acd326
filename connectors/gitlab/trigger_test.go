package gitlab_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/gitlab"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, gitlab.New())
}
