package definition

import "github.com/hookflow/hookflow/connectors"

// KindCallWorkflow runs another workflow as a child run.
const KindCallWorkflow Kind = "call_workflow"

var callWorkflowKind = &KindSpec{
	Kind:        KindCallWorkflow,
	Title:       "Call workflow",
	Description: "Run another workflow.",
	Output:      `The child run's output, or {"run_id": "<child run id>"} when wait is false.`,
	Flow:        FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "workflow", Title: "Workflow", Type: connectors.TypeString, Required: true}, Format: FormatWorkflow},
		{Field: connectors.Field{Name: "workflow_input", Title: "Input", Type: connectors.TypeAny,
			Help: "The child run's trigger: any JSON value, templates allowed in its strings."}, Format: FormatTemplates},
		{Field: connectors.Field{Name: "wait", Title: "Wait for it to finish and use its output", Type: connectors.TypeBoolean, Default: true}},
		optNext, optRetry, optTimeout, optOnError,
	},
	validate: func(r *run, n *node) {
		if n.step.Workflow == "" {
			r.errorf(n.path+".workflow", "is required")
		}
		r.workflowTarget(n.path+".workflow", n.step.Workflow)
		r.templates(n.path+".workflow_input", n.step.WorkflowInput, n, n.ctx())
	},
	edges: continues,
}
