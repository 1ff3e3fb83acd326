package definition

import "github.com/hookflow/hookflow/connectors"

// KindFilter stops the run quietly unless its condition holds.
const KindFilter Kind = "filter"

var filterKind = &KindSpec{
	Kind:        KindFilter,
	Title:       "Filter",
	Description: "Stop the run quietly unless a condition holds.",
	Output:      `{"passed": true}; when the condition is false the run ends with status "filtered".`,
	Flow:        FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "if", Title: "Continue only if", Type: connectors.TypeString, Required: true,
			Example: "trigger.data.object.amount >= 10000",
			Help:    "An expression; when it is false the run stops quietly (status filtered)."}, Format: FormatCondition},
		optNext,
	},
	validate: func(r *run, n *node) {
		if n.step.If == "" {
			r.errorf(n.path+".if", "is required")
		} else {
			r.expr(n, "if", n.step.If, n.ctx())
		}
	},
	edges: continues,
}
