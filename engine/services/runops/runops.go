// Package runops controls hookflow runs in Temporal for the REST API: the
// live step log of a running run (a workflow query), cancellation, retry
// (a new run of the same event, on the current or a chosen version,
// recording which run it retries), the manual retry of a dead outgoing
// webhook, and the answers to waiting runs: approvals (Approve) and events
// sent by hand to wait_for_event steps (Signal), with their input rules
// (CheckDecision, CheckSignal).
package runops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/engine/interpreter"
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
}

// LiveLog queries a running run for its step log and returns the steps as
// a JSON array.
func (c *Controller) LiveLog(ctx context.Context, runID string) (json.RawMessage, error) {
	l, err := interpreter.QueryLog(ctx, c.Temporal, runID)
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
	if err := c.Temporal.CancelWorkflow(ctx, runID, ""); err != nil {
		return fmt.Errorf("cancelling run %s: %w", runID, err)
	}
	return nil
}

// Retry starts a new run of run's event on version (0 = the workflow's
// current version). The new run has its own id and records RetryOf, so the
// retried run keeps its history and the two are linked both ways. The
// summary row is written before the start, so the retry is listed at once.
func (c *Controller) Retry(ctx context.Context, run store.Run, version int) (string, error) {
	if run.EventID == "" {
		return "", fmt.Errorf("retrying run %s: %w", run.ID, ErrNoEvent)
	}
	ev, err := c.Store.GetEvent(ctx, run.EventID)
	if err != nil {
		return "", fmt.Errorf("retrying run %s: %w", run.ID, err)
	}
	if version == 0 {
		wf, err := c.Store.GetWorkflow(ctx, run.WorkflowID)
		if err != nil {
			return "", fmt.Errorf("retrying run %s on the current version: %w", run.ID, err)
		}
		version = wf.CurrentVersion
	}
	v, err := c.Store.GetVersion(ctx, run.WorkflowID, version)
	if err != nil {
		return "", fmt.Errorf("retrying run %s: %w", run.ID, err)
	}
	id := interpreter.RunWorkflowID(run.WorkflowID, "retry-"+store.NewID("rt"))
	in := interpreter.RunInput{
		RunID: id, WorkflowID: run.WorkflowID, Version: v.Version, Definition: v.Definition, Hash: v.Hash,
		Event: interpreter.EventInfo{ID: ev.ID, ProviderID: ev.ProviderEventID, Type: ev.EventType, ReceivedAt: ev.ReceivedAt, Headers: ev.Headers,
			Replay: ev.ReplayOf != ""},
		RetryOf: run.ID,
	}
	// A large body goes by reference, as the dispatcher sends it.
	if err := in.Event.SetBody(ctx, c.Store, ev.Body, 0); err != nil {
		return "", fmt.Errorf("retrying run %s: %w", run.ID, err)
	}
	if err := c.Store.UpsertRun(ctx, store.Run{ID: id, WorkflowID: run.WorkflowID, WorkflowVersion: v.Version,
		EventID: ev.ID, Status: store.RunRunning, RetryOf: run.ID}); err != nil {
		return "", fmt.Errorf("retrying run %s: %w", run.ID, err)
	}
	if _, err := interpreter.Start(ctx, c.Temporal, c.TaskQueue, in); err != nil {
		// Leave no phantom "running" row behind a failed start.
		ended := time.Now().UTC()
		_ = c.Store.UpsertRun(context.WithoutCancel(ctx), store.Run{ID: id, WorkflowID: run.WorkflowID, WorkflowVersion: v.Version,
			EventID: ev.ID, Status: store.RunFailed, EndedAt: &ended, Error: "the retry could not start: " + err.Error(), RetryOf: run.ID})
		return "", fmt.Errorf("retrying run %s: %w", run.ID, err)
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
