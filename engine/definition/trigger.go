package definition

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
)

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

// ActivationErrors are the problems that let a valid definition be saved
// but not activated: a webhook trigger whose connector verifies every
// delivery with a secret (connectors.Authenticates with no credential
// values) and that names no credential would refuse every event with 401.
// The Env must know the catalog; with a nil Env there is nothing to check.
func ActivationErrors(def *Definition, env Env) []Error {
	t := def.Trigger
	if env == nil || t.Type != TriggerWebhook || t.Connector == "" || t.Credential != "" {
		return nil
	}
	spec, ok := env.Connector(t.Connector)
	if !ok {
		return nil
	}
	trig := ConnectorTrigger(spec, t.Type)
	if trig == nil || trig.Verifier == nil || !connectors.Authenticates(trig.Verifier, connectors.Values{}) {
		return nil
	}
	return []Error{{Path: "trigger.credential", Message: fmt.Sprintf(
		"is required to activate: the %s trigger checks every event with a signing secret, so without a credential every event would be refused (401); create a %s credential and name it here",
		spec.Title, spec.Title)}}
}

// maxRunNameTemplate caps the run_name template: it names runs in lists.
const maxRunNameTemplate = 500

// checkRunName validates trigger.run_name like every other template: it
// compiles, and names only trigger, event and vars (no step has run when
// a run is named). Its rendering is checked again at run time, where a
// failure names the run after its event instead of failing it.
func (r *run) checkRunName(tmpl string) {
	const path = "trigger.run_name"
	switch {
	case tmpl == "":
		return
	case len(tmpl) > maxRunNameTemplate:
		r.errorf(path, "is %d characters long; a run name template may have at most %d", len(tmpl), maxRunNameTemplate)
		return
	}
	r.template(path, tmpl, nil, expression.Context{})
}
