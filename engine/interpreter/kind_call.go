package interpreter

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// callStep runs another workflow as a child run.
type callStep struct{}

func (callStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	out, err := r.doCall(ctx, f, s)
	return out, "", ctrlDone, err
}

// doCall runs another hookflow workflow as a child run.
func (r *runner) doCall(ctx workflow.Context, f *frame, s *definition.Step) (any, error) {
	input, err := r.eval(ctx, f, s, opRender, s.WorkflowInput)
	if err != nil {
		return nil, fmt.Errorf("workflow_input: %w", err)
	}
	return r.startChild(ctx, s.Workflow, f.prefix+s.ID, "call_workflow", input, s.WaitsForChild())
}

func (r *runner) startChild(ctx workflow.Context, target, path, eventType string, body any, wait bool) (any, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{classPermanent}},
	})
	var wf LoadedWorkflow
	if err := workflow.ExecuteActivity(actx, ActivityLoadWorkflow, target).Get(ctx, &wf); err != nil {
		return nil, activityFailure(err)
	}
	childID := r.runID + "/" + path
	in := RunInput{RunID: childID, WorkflowID: wf.ID, Version: wf.Version, Definition: wf.Definition, Hash: wf.Hash,
		Event:   EventInfo{ID: r.in.Event.ID + "/" + path, ProviderID: r.in.Event.ProviderID, Type: eventType, ReceivedAt: workflow.Now(ctx).UTC(), Body: mustJSON(body)},
		Options: r.in.Options, Parent: r.runID}
	cwo := workflow.ChildWorkflowOptions{WorkflowID: childID}
	if !wait {
		cwo.ParentClosePolicy = enumspb.PARENT_CLOSE_POLICY_ABANDON // the child outlives this run
	}
	fut := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, cwo), WorkflowName, in)
	var exec workflow.Execution
	if err := fut.GetChildWorkflowExecution().Get(ctx, &exec); err != nil {
		return nil, failf(classPermanent, "starting workflow %q: %v", target, err)
	}
	if !wait {
		return map[string]any{"run_id": exec.ID}, nil
	}
	var res RunResult
	if err := fut.Get(ctx, &res); err != nil {
		if temporal.IsCanceledError(err) {
			return nil, err
		}
		var app *temporal.ApplicationError
		if errors.As(err, &app) {
			return nil, failf(errTypeChild, "workflow %q failed: %s", target, app.Message())
		}
		return nil, failf(errTypeChild, "workflow %q failed: %v", target, err)
	}
	var out any
	if len(res.Output) > 0 {
		out = r.decode(res.Output)
	}
	return out, nil
}
