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

// SyncSchedule makes the Temporal Schedule of a workflow match the store.
// The API calls it after every change that can matter: create, update
// (new version), activate, deactivate and delete. It keeps at most one
// schedule per workflow, always starting the current version:
//
//   - a live, active workflow with a schedule trigger: the schedule exists,
//     runs the current version on the current spec, and is not paused
//     (created when missing, updated otherwise);
//   - a live, inactive one: an existing schedule is updated and paused;
//     none is created;
//   - a deleted workflow, or one whose trigger is no longer a schedule:
//     the schedule is deleted.
//
// It is idempotent, so calling it again after a failure is safe.
func (s *Service) SyncSchedule(ctx context.Context, workflowID string) error {
	if s.temporal == nil {
		return errors.New("syncing schedule: no Temporal client")
	}
	return SyncSchedule(ctx, s.temporal, s.store, s.cfg.TaskQueue, workflowID)
}

// SyncSchedule is Service.SyncSchedule for callers without a Service.
func SyncSchedule(ctx context.Context, c client.Client, st *store.Store, taskQueue, workflowID string) error {
	sc := c.ScheduleClient()
	id := ScheduleID(workflowID)
	h := sc.GetHandle(ctx, id)
	wf, err := st.GetWorkflow(ctx, workflowID)
	if errors.Is(err, store.ErrNotFound) {
		return deleteSchedule(ctx, h, workflowID)
	}
	if err != nil {
		return fmt.Errorf("syncing schedule of workflow %s: %w", workflowID, err)
	}
	var def definition.Definition
	if err := json.Unmarshal(wf.Definition, &def); err != nil {
		return fmt.Errorf("syncing schedule of workflow %s: decoding definition: %w", workflowID, err)
	}
	if def.Trigger.Type != definition.TriggerSchedule || def.Trigger.Schedule == nil {
		return deleteSchedule(ctx, h, workflowID)
	}
	spec, err := scheduleSpec(def.Trigger.Schedule)
	if err != nil {
		return fmt.Errorf("syncing schedule of workflow %s: %w", workflowID, err)
	}
	action := &client.ScheduleWorkflowAction{
		// Temporal appends each scheduled time to this id, so every run
		// has its own workflow id.
		ID:        "hookflow-scheduled/" + workflowID,
		Workflow:  interpreter.WorkflowName,
		TaskQueue: taskQueue,
		Args: []any{interpreter.RunInput{WorkflowID: wf.ID, Version: wf.CurrentVersion, Definition: json.RawMessage(wf.Definition),
			Hash: wf.Hash, Event: interpreter.EventInfo{ID: ScheduleEventType, Type: ScheduleEventType}}},
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

// Temporal returns the Service's Temporal client (nil when it runs with a
// Starter only).
func (s *Service) Temporal() client.Client { return s.temporal }
