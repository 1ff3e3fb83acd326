package health

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/engine/store"
)

// DefaultWaitingProbeLimit bounds how many running runs one pass asks
// Temporal about. Each is one DescribeWorkflowExecution (a persistence
// read, no replay and no worker), so a pass costs at most this many
// reads; with more runs in flight the gauge counts the newest ones only.
const DefaultWaitingProbeLimit = 200

// TemporalWaiting counts waiting runs by asking Temporal about the newest
// running runs (at most limit; DefaultWaitingProbeLimit when <= 0). The
// store cannot tell: a run's summary says "running" from its start to its
// end. Temporal can: a run parked in a wait_for_event, an approval or a
// delay has no activity, child run or workflow task pending, only a timer
// or a signal to wait for. A run sleeping through a retry backoff of a
// local call counts as waiting too; that pause is short.
//
// The same pass ends the summaries of runs Temporal has closed while the
// store still says "running" (see endStranded).
func TemporalWaiting(st *store.Store, c client.Client, limit int) WaitingCounter {
	if limit <= 0 {
		limit = DefaultWaitingProbeLimit
	}
	return func(ctx context.Context) (int, error) {
		runs, _, err := st.ListRuns(ctx, store.RunFilter{Status: store.RunRunning, ListOptions: store.ListOptions{Limit: limit}})
		if err != nil {
			return 0, err
		}
		n := 0
		// The runs of one batch share an execution: it is described once.
		described := map[string]*workflowservice.DescribeWorkflowExecutionResponse{}
		for _, r := range runs {
			exec := r.Execution()
			d, seen := described[exec]
			if !seen {
				var err error
				d, err = c.DescribeWorkflowExecution(ctx, exec, "")
				if err != nil {
					if ctx.Err() != nil {
						return 0, fmt.Errorf("describing run %s: %w", r.ID, err)
					}
					d = nil // ended or unknown to Temporal (e.g. a run row pruned from visibility)
				}
				described[exec] = d
			}
			if d == nil {
				continue
			}
			info := d.GetWorkflowExecutionInfo()
			if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				endStranded(ctx, st, r.ID, info.GetStatus(), info.GetCloseTime().AsTime())
				continue
			}
			// A batch runs only steps that never wait for the outside
			// (interpreter.Batchable): its runs are never waiting.
			if exec == r.ID && len(d.GetPendingActivities()) == 0 && len(d.GetPendingChildren()) == 0 && d.GetPendingWorkflowTask() == nil {
				n++
			}
		}
		return n, nil
	}
}

// strandedStatus maps how Temporal closed a run that never wrote its end
// to the run status and reason the summary takes.
var strandedStatus = map[enumspb.WorkflowExecutionStatus]struct{ status, reason string }{
	enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED: {store.RunCancelled, "the run was terminated in Temporal, outside hookflow; steps after the last recorded one did not run"},
	enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:  {store.RunTimedOut, "the run reached its Temporal execution timeout before it could record its end"},
	enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:   {store.RunCancelled, "the run was cancelled before it could record its end"},
	enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:     {store.RunFailed, "the run failed in Temporal before it could record its end"},
	enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:  {store.RunFailed, "the run completed in Temporal but its final summary was never written; its output is unknown"},
}

// endStranded ends the summary of a run Temporal has closed but whose
// summary still says "running": a run terminated from Temporal's UI or
// CLI, or cut off by its execution timeout, writes no end. Left alone it
// would be listed as running forever, hold its workflow's concurrency
// slot (so the workflow's queued events would never start) and count as
// in flight. A run writes its end before Temporal closes it, so a run
// that ended normally already has its final status, and
// store.EndStrandedRun changes only a summary still "running". A write
// that fails is tried again by the next pass.
func endStranded(ctx context.Context, st *store.Store, runID string, status enumspb.WorkflowExecutionStatus, closed time.Time) {
	m, ok := strandedStatus[status]
	if !ok {
		return
	}
	_, _ = st.EndStrandedRun(ctx, runID, m.status, m.reason, closed)
}
