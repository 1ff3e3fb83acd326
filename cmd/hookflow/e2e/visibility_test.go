package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/hookflow/hookflow/engine/interpreter"
)

// TestVisibilityListsRuns checks the embedded server's visibility store,
// whose writes are hookflow's own prepared statements (engine/platform/devserver):
// Temporal's listings and counts, read through Temporal's query
// converter, find a finished run with its type, status, close time and
// the interpreter's change-version search attribute.
func TestVisibilityListsRuns(t *testing.T) {
	s := StartStack(t)
	s.StartWorker(t)
	in := Input(t, "wf_vis", "evt_vis_1", `{"name": "vis", "trigger": {"type": "webhook"}, "steps": [
		{"id": "m", "type": "map", "map": {"n": "{{ trigger.n }}"}}]}`, `{"n": 1}`)
	in.Listed = true
	if _, err := interpreter.Start(context.Background(), s.Client, s.TaskQueue, in); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Await(t, in.RunID, time.Minute); err != nil || res.Status != interpreter.StatusCompleted {
		t.Fatalf("run: %v, status %s", err, res.Status)
	}
	query := fmt.Sprintf("WorkflowId = '%s' AND ExecutionStatus = 'Completed'", in.RunID)
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := s.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatalf("listing %q: %v", query, err)
		}
		if len(resp.Executions) == 1 {
			e := resp.Executions[0]
			if e.GetType().GetName() != interpreter.WorkflowName || e.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED ||
				e.GetCloseTime() == nil || !e.GetCloseTime().AsTime().After(e.GetStartTime().AsTime()) || e.GetHistoryLength() == 0 {
				t.Fatalf("listed run: type %s, status %s, start %v, close %v, history %d", e.GetType().GetName(), e.GetStatus(),
					e.GetStartTime().AsTime(), e.GetCloseTime().AsTime(), e.GetHistoryLength())
			}
			if _, ok := e.GetSearchAttributes().GetIndexedFields()["TemporalChangeVersion"]; !ok {
				t.Fatalf("listed run lacks the TemporalChangeVersion search attribute: %v", e.GetSearchAttributes())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q listed %d runs after 30 s, want 1", query, len(resp.Executions))
		}
		time.Sleep(100 * time.Millisecond)
	}
	count, err := s.Client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowType = '%s'", interpreter.WorkflowName)})
	if err != nil || count.GetCount() != 1 {
		t.Fatalf("counting runs: %d (%v), want 1", count.GetCount(), err)
	}
}
