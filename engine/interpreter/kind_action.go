package interpreter

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
)

// actionStep calls a connector's action as an activity, or, for an action
// that delivers durably (connectors.DurableDelivery), runs its delivery
// schedule.
type actionStep struct{}

func (actionStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, string, control, error) {
	out, err := r.doAction(ctx, f, s, rec)
	return out, "", ctrlDone, err
}

func (r *runner) doAction(ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, error) {
	rendered, err := r.eval(ctx, f, s, opRender, s.Input)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	input, _ := rendered.(map[string]any)
	r.log.Steps[rec].Input = logValue(input, r.opts.LogValueBytes)
	req := ActionRequest{RunID: r.runID, WorkflowID: r.in.WorkflowID, Step: f.prefix + s.ID,
		Connector: s.Connector, Action: s.Action, Credential: s.Credential, Input: input}
	if d := r.durableDelivery(s); d != nil {
		return r.doDelivery(ctx, s, req, rec, d)
	}
	var out StepOutput
	err = r.call(ctx, s, ActivityAction, req).Get(ctx, &out)
	if err != nil {
		return nil, activityFailure(err)
	}
	r.log.Steps[rec].Attempts = out.Attempt
	return r.numbers(out.Output), nil
}

// durableDelivery returns the durable-delivery capability of an action
// step's connector action, or nil. The registry is read in workflow code:
// whether an action has the capability is part of the connector's code,
// fixed for the life of a worker, so a replay takes the same path.
func (r *runner) durableDelivery(s *definition.Step) connectors.DurableDelivery {
	if r.registry == nil {
		return nil
	}
	return r.registry.DurableDelivery(s.Connector, s.Action)
}

// doDelivery sends a durable delivery (an outgoing webhook) on the
// schedule its action gives for the step's input. Each wait is a durable
// timer, so a delivery due in 10 hours survives restarts; each attempt is
// recorded in the store's deliveries, and the delivery is marked dead when
// the schedule runs out (or the receiver gives a permanent error), which
// fails the step.
func (r *runner) doDelivery(ctx workflow.Context, s *definition.Step, req ActionRequest, rec int, d connectors.DurableDelivery) (any, error) {
	schedule, err := d.Schedule(connectors.Values(req.Input))
	if err != nil {
		return nil, failf(classPermanent, "%v", err)
	}
	if len(schedule) == 0 {
		return nil, failf(classPermanent, "%s.%s gave a delivery schedule without attempts", s.Connector, s.Action)
	}
	if s.Retry != nil && s.Retry.MaxAttempts > 0 && s.Retry.MaxAttempts < len(schedule) {
		schedule = schedule[:s.Retry.MaxAttempts]
	}
	timeout := s.Timeout.Value()
	if timeout <= 0 {
		timeout = r.opts.ActivityTimeout
	}
	// The activity's own retries only cover store hiccups; HTTP failures
	// come back as results and follow the schedule.
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{classPermanent}},
	})
	dreq := DeliverRequest{Action: req, DeliveryID: DeliveryID(r.runID, req.Step)}
	var last DeliverResult
	for i, wait := range schedule {
		if i > 0 && wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
		dreq.Attempt = i + 1
		dreq.NextDelay = 0
		if i+1 < len(schedule) {
			dreq.NextDelay = schedule[i+1]
		}
		if err := workflow.ExecuteActivity(actx, ActivityDeliver, dreq).Get(ctx, &last); err != nil {
			return nil, activityFailure(err)
		}
		r.log.Steps[rec].Attempts = i + 1
		if last.Delivered {
			return r.numbers(last.Output), nil
		}
		if last.Dead {
			break
		}
	}
	return nil, &stepFailure{Message: fmt.Sprintf("delivery %s is dead after %d attempts: %s", dreq.DeliveryID, r.log.Steps[rec].Attempts, last.Error),
		Class: classPermanent, Attempts: r.log.Steps[rec].Attempts}
}
