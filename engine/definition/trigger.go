package definition

import "github.com/hookflow/hookflow/connectors"

// ConnectorTrigger picks the connector trigger that a definition's trigger
// of type triggerType starts from: spec's trigger named like the type, or
// spec's only trigger. It returns nil when there is none. Validation and
// the webhook pipeline both pick it here, so a saved definition is served
// by the very trigger it was checked against.
func ConnectorTrigger(spec *connectors.Spec, triggerType string) *connectors.Trigger {
	if spec == nil {
		return nil
	}
	for _, tr := range spec.Triggers {
		if tr.Name == triggerType || len(spec.Triggers) == 1 {
			return tr
		}
	}
	return nil
}
