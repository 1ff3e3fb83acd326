package interpreter

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/jsruntime"
)

// codeStep runs its JavaScript in the code activity: a script's cost is
// not deterministic, so it never runs in workflow code, and history
// records its result, so a replay never runs it again.
type codeStep struct{}

func (codeStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, string, control, error) {
	timeout := s.Timeout.Value()
	if timeout <= 0 {
		timeout = jsruntime.DefaultTimeout
	}
	// The step's timeout is the script's CPU budget, enforced inside the
	// activity with a clear message; the activity's own timeout leaves
	// room for waiting for a heavy-work slot and loading blobs. Only a
	// lost worker is retried: the script's own errors are permanent.
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout + r.opts.ActivityTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3, NonRetryableErrorTypes: []string{classCode, classPermanent}},
	})
	req := CodeRequest{RunID: r.runID, Step: f.prefix + s.ID, Code: s.Code, Data: r.data(f), Timeout: timeout, MemoryMB: s.MemoryMB}
	var res CodeResult
	if err := workflow.ExecuteActivity(actx, ActivityCode, req).Get(ctx, &res); err != nil {
		return nil, "", ctrlDone, activityFailure(err)
	}
	r.log.Steps[rec].Logs = res.Logs
	return r.numbers(res.Output), "", ctrlDone, nil
}
