package definition

import "github.com/hookflow/hookflow/connectors"

// KindSwitch goes to the case whose value matches.
const KindSwitch Kind = "switch"

var switchKind = &KindSpec{
	Kind:        KindSwitch,
	Title:       "Switch",
	Description: "Go to the case whose value matches.",
	Output:      `{"next": "<chosen step id>"}`,
	Flow:        FlowChoose,
	Fields: []StepField{
		// value is TypeAny because the data step shares the field with
		// any JSON; a switch's must be an expression string (validate).
		{Field: connectors.Field{Name: "value", Title: "Value", Type: connectors.TypeAny, Required: true, Example: "trigger.type",
			Help: "An expression compared with each case."}, Format: FormatExpression},
		{Field: connectors.Field{Name: "cases", Title: "Cases (first match wins)", Type: connectors.TypeArray, Required: true},
			MinItems: 1, Fields: []StepField{
				{Field: connectors.Field{Name: "equals", Title: "Equals", Type: connectors.TypeAny, Example: "paid",
					Help: "A JSON value; plain text is a string."}, Format: FormatTemplates},
				caseNext,
			}},
		caseDefault,
		optOnError,
	},
	validate: func(r *run, n *node) {
		s, p := n.step, n.path
		switch v, ok := s.Value.(string); {
		case s.Value == nil || ok && v == "":
			r.errorf(p+".value", "is required")
		case !ok:
			r.errorf(p+".value", "must be an expression string such as trigger.type, got %s", literalKind(s.Value))
		default:
			r.expr(n, "value", v, n.ctx())
		}
		r.cases(n, func(_ int, c *Case, cp string) {
			if c.If != "" {
				r.errorf(cp+".if", "is for branch cases; a switch case has equals")
			}
		})
	},
	edges: chooses,
}
