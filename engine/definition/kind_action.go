package definition

import (
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// KindAction calls an action of a connector.
const KindAction Kind = "action"

var actionKind = &KindSpec{
	Kind:        KindAction,
	Title:       "Action",
	Description: "Call a connector: post to Slack, upsert a HubSpot contact…",
	Output:      "The action's result (connector-defined; see the action's output_sample in the connector catalog).",
	Flow:        FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "connector", Title: "Connector", Type: connectors.TypeString, Required: true, Example: "slack"}, Format: FormatConnector},
		{Field: connectors.Field{Name: "action", Title: "Action", Type: connectors.TypeString, Required: true, Example: "post_message"}, Format: FormatAction},
		{Field: connectors.Field{Name: "credential", Title: "Credential", Type: connectors.TypeString,
			Help: "A saved credential of this connector; required when the connector has credential fields."}, Format: FormatCredential},
		{Field: connectors.Field{Name: "input", Title: "Input", Type: connectors.TypeObject,
			Help: "The action's input fields (see the connector catalog); {{ }} templates are allowed in every string."}, Format: FormatInput},
		optNext, optRetry, optTimeout, optOnError,
	},
	validate: validateAction,
	edges:    continues,
}

func validateAction(r *run, n *node) {
	s, p := n.step, n.path
	if s.Connector == "" {
		r.errorf(p+".connector", "is required")
	}
	if s.Action == "" {
		r.errorf(p+".action", "is required")
	}
	if r.env == nil || s.Connector == "" {
		r.templates(p+".input", s.Input, n, n.ctx())
		return
	}
	spec, ok := r.env.Connector(s.Connector)
	if !ok {
		r.errorf(p+".connector", "unknown connector %q", s.Connector)
		r.templates(p+".input", s.Input, n, n.ctx())
		return
	}
	r.credential(p+".credential", s.Credential, s.Connector, spec)
	if s.Action == "" {
		return
	}
	a, ok := r.env.Action(s.Connector, s.Action)
	if !ok {
		names := make([]string, len(spec.Actions))
		for i, a := range spec.Actions {
			names[i] = a.Name
		}
		r.errorf(p+".action", "connector %q has no action %q (it has: %s)", s.Connector, s.Action, strings.Join(names, ", "))
		r.templates(p+".input", s.Input, n, n.ctx())
		return
	}
	r.fields(p+".input", s.Input, a.Input, n, n.ctx())
}
