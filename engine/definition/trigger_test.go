package definition_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
)

func TestConnectorTrigger(t *testing.T) {
	webhook := &connectors.Trigger{Name: "webhook"}
	events := &connectors.Trigger{Name: "events"}
	other := &connectors.Trigger{Name: "other"}
	tests := []struct {
		name        string
		spec        *connectors.Spec
		triggerType string
		want        *connectors.Trigger
	}{
		{name: "the trigger named like the type", spec: &connectors.Spec{Triggers: []*connectors.Trigger{events, webhook}}, triggerType: "webhook", want: webhook},
		{name: "the only trigger, whatever its name", spec: &connectors.Spec{Triggers: []*connectors.Trigger{events}}, triggerType: "webhook", want: events},
		{name: "none named like the type among several", spec: &connectors.Spec{Triggers: []*connectors.Trigger{events, other}}, triggerType: "webhook"},
		{name: "a connector without triggers", spec: &connectors.Spec{}, triggerType: "webhook"},
		{name: "no connector", triggerType: "webhook"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := definition.ConnectorTrigger(tc.spec, tc.triggerType); got != tc.want {
				t.Fatalf("ConnectorTrigger = %v, want %v", got, tc.want)
			}
		})
	}
}
