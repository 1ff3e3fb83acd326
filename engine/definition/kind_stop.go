package definition

import "github.com/hookflow/hookflow/connectors"

// KindStop ends the run successfully.
const KindStop Kind = "stop"

var stopKind = &KindSpec{
	Kind:        KindStop,
	Title:       "Stop",
	Description: "End the run successfully.",
	Output:      `{"stopped": true, "message": "<message>"}`,
	Flow:        FlowEnd,
	Fields: []StepField{
		{Field: connectors.Field{Name: "message", Title: "Message", Type: connectors.TypeString}, Format: FormatTemplate},
	},
	validate: func(r *run, n *node) {
		r.template(n.path+".message", n.step.Message, n, n.ctx())
	},
	edges: ends,
}
