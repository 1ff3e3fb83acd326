package shopify_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/shopify"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, shopify.New())
}
