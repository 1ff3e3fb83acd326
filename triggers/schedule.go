package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
)

// ScheduleEventType is the event type of scheduled runs.
const ScheduleEventType = "schedule"

// ScheduleID is the id of the one Temporal Schedule of a workflow.
func ScheduleID(workflowID string) string { return "hookflow-schedule/" + workflowID }

// Scheduler keeps one Temporal Schedule per schedule-triggered workflow,
// always starting the workflow's current version.
type Scheduler struct {
	client    client.Client // nil: Sync fails
	store     *store.Store
	pins      *interpreter.Pins
	taskQueue string
}

// Sync makes the Temporal Schedule of a workflow match the store. The
// management service calls it after every change that can matter:
// create, update (new version), activate, deactivate and delete. It keeps
// at most one schedule per workflow, always starting the current version:
//
//   - a live, active workflow with a schedule trigger: the schedule exists,
//     runs the current version on the current spec, and is not paused
//     (created when missing, updated otherwise);
//   - a live, inactive one: an existing schedule is updated and paused;
//     none is created;
//   - a deleted workflow, or one whose trigger is no longer a schedule:
//     the schedule is deleted.
//
// It is idempotent, so calling it again after a failure is safe. An error
// names the workflow and what failed (reading it, or Temporal refusing the
// change); without a Temporal client every call fails.
func (s *Scheduler) Sync(ctx context.Context, workflowID string) error {
	if s.client == nil {
		return errors.New("syncing schedule: no Temporal client")
	}
	sc := s.client.ScheduleClient()
	id := ScheduleID(workflowID)
	h := sc.GetHandle(ctx, id)
	wf, err := s.store.GetWorkflow(ctx, workflowID)
	if errors.Is(err, store.ErrNotFound) {
		return deleteSchedule(ctx, h, workflowID)
	}
	if err != nil {
		return fmt.Errorf("syncing schedule of workflow %s: %w", workflowID, err)
	}
	p, err := s.pins.Pin(wf.ID, wf.CurrentVersion, wf.Hash, wf.Definition)
	if err != nil {
		return fmt.Errorf("syncing schedule of workflow %s: decoding definition: %w", workflowID, err)
	}
	if p.Trigger.Type != definition.TriggerSchedule || p.Trigger.Schedule == nil {
		return deleteSchedule(ctx, h, workflowID)
	}
	spec, err := scheduleSpec(p.Trigger.Schedule)
	if err != nil {
		return fmt.Errorf("syncing schedule of workflow %s: %w", workflowID, err)
	}
	action := &client.ScheduleWorkflowAction{
		// Temporal appends each scheduled time to this id, so every run
		// has its own workflow id.
		ID:        "hookflow-scheduled/" + workflowID,
		Workflow:  interpreter.WorkflowName,
		TaskQueue: s.taskQueue,
		// Scheduled: the run logs its own event row (source "schedule"),
		// linked to it, as a webhook delivery or a manual run is logged,
		// so GET /events lists it and it can be replayed. One Temporal
		// Schedule per workflow fires each tick once, whichever server
		// created it, and the row's id derives from the tick's workflow
		// id, so a repeated save cannot log it twice.
		Args: []any{interpreter.RunInput{WorkflowID: wf.ID, Version: wf.CurrentVersion, Definition: json.RawMessage(wf.Definition),
			Hash: wf.Hash, Event: interpreter.EventInfo{ID: ScheduleEventType, Type: ScheduleEventType}, Scheduled: true}},
	}
	_, err = h.Describe(ctx)
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		if !wf.Active {
			return nil
		}
		_, err := sc.Create(ctx, client.ScheduleOptions{ID: id, Spec: spec, Action: action})
		if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			return fmt.Errorf("creating schedule of workflow %s: %w", workflowID, err)
		}
		if err == nil {
			return nil
		}
		// Created concurrently: fall through to bring it up to date.
	case err != nil:
		return fmt.Errorf("describing schedule of workflow %s: %w", workflowID, err)
	}
	note := fmt.Sprintf("workflow %s version %d", wf.ID, wf.CurrentVersion)
	if !wf.Active {
		note = "workflow is not active"
	}
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		sch := in.Description.Schedule
		sch.Spec = &spec
		sch.Action = action
		if sch.State == nil {
			sch.State = &client.ScheduleState{}
		}
		sch.State.Paused = !wf.Active
		sch.State.Note = note
		return &client.ScheduleUpdate{Schedule: &sch}, nil
	}})
	if err != nil {
		return fmt.Errorf("updating schedule of workflow %s: %w", workflowID, err)
	}
	return nil
}

func deleteSchedule(ctx context.Context, h client.ScheduleHandle, workflowID string) error {
	err := h.Delete(ctx)
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("deleting schedule of workflow %s: %w", workflowID, err)
	}
	return nil
}

// scheduleSpec turns a definition's schedule into a Temporal spec. Cron
// expressions are standard five-field ones (or @hourly and friends), read
// in the schedule's time zone (UTC when none).
func scheduleSpec(sch *definition.Schedule) (client.ScheduleSpec, error) {
	spec := client.ScheduleSpec{TimeZoneName: sch.Timezone}
	if spec.TimeZoneName == "" {
		spec.TimeZoneName = "UTC"
	}
	switch {
	case sch.Cron != "":
		spec.CronExpressions = []string{sch.Cron}
	case sch.Every != "":
		every, err := sch.Every.Parse()
		if err != nil || every <= 0 {
			return client.ScheduleSpec{}, fmt.Errorf("schedule.every %q is not a positive duration", sch.Every)
		}
		spec.Intervals = []client.ScheduleIntervalSpec{{Every: every}}
	default:
		return client.ScheduleSpec{}, errors.New("schedule needs cron or every")
	}
	return spec, nil
}
