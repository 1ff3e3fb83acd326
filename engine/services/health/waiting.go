package health

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
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
		for _, r := range runs {
			d, err := c.DescribeWorkflowExecution(ctx, r.ID, "")
			if err != nil {
				if ctx.Err() != nil {
					return 0, fmt.Errorf("describing run %s: %w", r.ID, err)
				}
				continue // ended or unknown to Temporal (e.g. a run row pruned from visibility)
			}
			info := d.GetWorkflowExecutionInfo()
			if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				continue
			}
			if len(d.GetPendingActivities()) == 0 && len(d.GetPendingChildren()) == 0 && d.GetPendingWorkflowTask() == nil {
				n++
			}
		}
		return n, nil
	}
}
