// Package runops controls hookflow runs in Temporal for the REST API: the
// live step log of a running run (a workflow query), cancellation, retry
// (a new run of the same event, whole or resumed from its failed step, on
// the same, the current or a chosen version, recording which run it
// retries), the manual retry of a dead outgoing webhook, and the answers
// to waiting runs: approvals (Approve, with Approver enforcing an
// approval's approvers and InspectLink/UseLink deciding by a signed
// one-time link) and events sent by hand to wait_for_event steps
// (Signal), with their input rules (CheckDecision, CheckSignal).
package runops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// ErrNoEvent is returned when retrying a run that has no triggering event
// (a child run): there is nothing to start it from.
var ErrNoEvent = errors.New("the run has no triggering event to retry from")

// Controller implements the run operations over a store and a Temporal
// client. All fields are required.
type Controller struct {
	Store     *store.Store
	Temporal  client.Client
	TaskQueue string
	// Keyring verifies approval links (InspectLink, UseLink); nil
	// refuses every link as invalid.
	Keyring *secrets.Keyring
}

// LiveLog queries a running run for its step log and returns the steps as
// a JSON array.
func (c *Controller) LiveLog(ctx context.Context, runID string) (json.RawMessage, error) {
	l, err := interpreter.QueryLog(ctx, c.Temporal, c.execution(ctx, runID), runID)
	if err != nil {
		return nil, err
	}
	if l.Steps == nil {
		l.Steps = []interpreter.StepRecord{}
	}
	b, err := json.Marshal(l.Steps)
	if err != nil {
		return nil, fmt.Errorf("encoding the live log of run %s: %w", runID, err)
	}
	return b, nil
}

// Cancel requests cancellation of a run. The interpreter stops at its next
// step boundary and records the run as cancelled.
func (c *Controller) Cancel(ctx context.Context, runID string) error {
	if err := interpreter.CancelRun(ctx, c.Temporal, c.execution(ctx, runID), runID); err != nil {
		return fmt.Errorf("cancelling run %s: %w", runID, err)
	}
	return nil
}

// execution is the Temporal workflow id that carries a run: its own id,
// or the batch's that runs it (store.Run.Execution). A run the store does
// not list yet has its own: batches list their runs when they start.
func (c *Controller) execution(ctx context.Context, runID string) string {
	run, err := c.Store.GetRun(ctx, runID)
	if err != nil {
		return runID
	}
	return run.Execution()
}

// Retry starts a new run of run's event as o says: from the start (the
// whole-run retry) or resuming from its failed step or a named step,
// reusing the outputs of the steps completed before it (see
// interpreter.PlanResume), on the same, the current or a numbered
// version. The new run has its own id and records RetryOf, so the
// retried run keeps its history and the two are linked both ways. The
// summary row is written before the start, so the retry is listed at once.
// A retry that cannot resume gives an error wrapping store.ErrConflict;
// bad options an *InputError.
func (c *Controller) Retry(ctx context.Context, run store.Run, o RetryOptions) (string, error) {
	if run.EventID == "" {
		return "", fmt.Errorf("retrying run %s: %w", run.ID, ErrNoEvent)
	}
	switch o.From {
	case "", FromStart, FromFailed:
	default:
		if len(o.From) > MaxApproverLength {
			return "", &InputError{"from", "is not a step path"}
		}
	}
	v, err := c.version(ctx, run, o)
	if err != nil {
		return "", err
	}
	var plan *interpreter.Resume
	if o.From != "" && o.From != FromStart {
		if plan, err = c.resumePlan(ctx, run, o.From, v); err != nil {
			return "", err
		}
	}
	id := interpreter.RunWorkflowID(run.WorkflowID, "retry-"+store.NewID("rt"))
	if err := interpreter.StartRetry(ctx, c.Store, c.Temporal, c.TaskQueue, id, run, v, plan); err != nil {
		return "", err
	}
	return id, nil
}

// RetryDelivery re-sends a failed or dead outgoing webhook once.
func (c *Controller) RetryDelivery(ctx context.Context, d store.Delivery) error {
	if _, err := interpreter.RetryDelivery(ctx, c.Temporal, c.TaskQueue, d.ID, d.Attempts); err != nil {
		return err
	}
	return nil
}
