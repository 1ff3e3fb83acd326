package definition

import "github.com/hookflow/hookflow/connectors"

// KindFail ends the run as failed.
const KindFail Kind = "fail"

var failKind = &KindSpec{
	Kind:        KindFail,
	Title:       "Fail",
	Description: "End the run as failed with a message.",
	Output:      "None: the run fails with the message, whatever the step's on_error.",
	Flow:        FlowEnd,
	Fields: []StepField{
		{Field: connectors.Field{Name: "message", Title: "Message", Type: connectors.TypeString, Required: true,
			Help: "Say why the run fails; shown in the run inspector."}, Format: FormatTemplate},
	},
	validate: func(r *run, n *node) {
		if n.step.Message == "" {
			r.errorf(n.path+".message", "is required: say why the run fails")
		}
		r.template(n.path+".message", n.step.Message, n, n.ctx())
	},
	edges: ends,
}
