package health_test

import (
	"context"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hookflow/hookflow/engine/services/health"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// describer answers DescribeWorkflowExecution from a table, as Temporal
// would for runs in those states; every other method is unused.
type describer struct {
	client.Client
	status map[string]enumspb.WorkflowExecutionStatus
	timers map[string]bool // running with nothing pending: waiting
}

func (d describer) DescribeWorkflowExecution(_ context.Context, id, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	res := &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{
		Execution: &commonpb.WorkflowExecution{WorkflowId: id}, Status: d.status[id],
		CloseTime: timestamppb.New(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))}}
	if d.status[id] == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING && !d.timers[id] {
		res.PendingActivities = []*workflowpb.PendingActivityInfo{{ActivityId: "1"}}
	}
	return res, nil
}

// A run Temporal closed without the run writing its end (terminated from
// Temporal's UI, cut off by its execution timeout) is ended in the store
// by the health pass, so it no longer shows as running or holds its
// workflow's concurrency slot; runs still running are left alone.
func TestWaitingPassEndsStrandedRuns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		d := describer{status: map[string]enumspb.WorkflowExecutionStatus{
			"run-terminated": enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED,
			"run-timed-out":  enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
			"run-waiting":    enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			"run-working":    enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		}, timers: map[string]bool{"run-waiting": true}}
		for id := range d.status {
			if err := st.UpsertRun(ctx, store.Run{ID: id, WorkflowID: "wf_1", WorkflowVersion: 1, Status: store.RunRunning, StartedAt: start}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := health.TemporalWaiting(st, d, 0)(ctx)
		if err != nil || n != 1 {
			t.Fatalf("waiting runs = %d, %v; want 1", n, err)
		}
		want := map[string]string{"run-terminated": store.RunCancelled, "run-timed-out": store.RunTimedOut,
			"run-waiting": store.RunRunning, "run-working": store.RunRunning}
		for id, status := range want {
			r, err := st.GetRun(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != status {
				t.Errorf("%s is %s, want %s", id, r.Status, status)
			}
			if status != store.RunRunning && (r.EndedAt == nil || r.Error == "") {
				t.Errorf("%s ended without an end time or a reason: %+v", id, r)
			}
		}
		// A summary the run wrote itself is never overwritten.
		if err := st.UpsertRun(ctx, store.Run{ID: "run-done", WorkflowID: "wf_1", WorkflowVersion: 1, Status: store.RunCompleted,
			StartedAt: start, EndedAt: &start}); err != nil {
			t.Fatal(err)
		}
		if changed, err := st.EndStrandedRun(ctx, "run-done", store.RunCancelled, "x", start); err != nil || changed {
			t.Fatalf("EndStrandedRun of a completed run = %v, %v; want unchanged", changed, err)
		}
		if _, err := st.EndStrandedRun(ctx, "run-done", store.RunRunning, "x", start); err == nil {
			t.Fatal("EndStrandedRun to running was accepted")
		}
	})
}
