package runops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
)

// Where a retry starts (RetryOptions.From).
const (
	// FromStart runs the whole definition again: the whole-run retry.
	FromStart = "start"
	// FromFailed reuses the outputs of every step the run completed and
	// runs from its failed step on.
	FromFailed = "failed"
)

// Which version a retry runs (RetryOptions.Version).
const (
	// VersionSame is the version the retried run ran.
	VersionSame = "same"
	// VersionCurrent is the workflow's current version.
	VersionCurrent = "current"
)

// RetryOptions say how to retry a run. From is FromStart (""), FromFailed
// or the path of a step that ran ("charge", "notify[2].send"). Version is
// VersionSame, VersionCurrent, or empty with Number: a version number, 0
// meaning the current version (the API's original form).
type RetryOptions struct {
	From    string
	Version string
	Number  int
}

// version resolves the version a retry of run runs.
func (c *Controller) version(ctx context.Context, run store.Run, o RetryOptions) (store.WorkflowVersion, error) {
	n := o.Number
	switch o.Version {
	case VersionSame:
		n = run.WorkflowVersion
	case VersionCurrent, "":
		if o.Version == VersionCurrent || n == 0 {
			wf, err := c.Store.GetWorkflow(ctx, run.WorkflowID)
			if err != nil {
				return store.WorkflowVersion{}, fmt.Errorf("retrying run %s on the current version: %w", run.ID, err)
			}
			n = wf.CurrentVersion
		}
	default:
		return store.WorkflowVersion{}, &InputError{"version", fmt.Sprintf("unknown version %q: want \"same\", \"current\" or a version number", o.Version)}
	}
	v, err := c.Store.GetVersion(ctx, run.WorkflowID, n)
	if err != nil {
		return store.WorkflowVersion{}, fmt.Errorf("retrying run %s: %w", run.ID, err)
	}
	return v, nil
}

// resumePlan decides what a retry from a step reuses (interpreter.PlanResume),
// refusing with errors wrapping store.ErrConflict what cannot resume: a
// run that did not fail, one without a failed step, a step that did not
// run or is gone from the version, nothing completed before the step.
func (c *Controller) resumePlan(ctx context.Context, run store.Run, from string, v store.WorkflowVersion) (*interpreter.Resume, error) {
	if run.Status != store.RunFailed && run.Status != store.RunTimedOut {
		return nil, fmt.Errorf("run %s is %s, not failed: only a failed run resumes from a step; retry it from the start instead: %w",
			run.ID, run.Status, store.ErrConflict)
	}
	var steps []interpreter.StepRecord
	if len(run.Steps) > 0 {
		if err := json.Unmarshal(run.Steps, &steps); err != nil {
			return nil, fmt.Errorf("reading the step log of run %s: %w", run.ID, err)
		}
	}
	// The run's history has every output whole; the log only up to its
	// size limit. Without a worker or once the history has expired, the
	// log is what is left (and PlanResume refuses a truncated output).
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	full, err := interpreter.QueryOutputs(qctx, c.Temporal, run.Execution(), run.ID)
	cancel()
	if err != nil {
		full = nil
	}
	var def definition.Definition
	if err := json.Unmarshal(v.Definition, &def); err != nil {
		return nil, fmt.Errorf("decoding version %d of workflow %s: %w", v.Version, run.WorkflowID, err)
	}
	plan, err := interpreter.PlanResume(steps, from, full, &def)
	switch {
	case errors.Is(err, interpreter.ErrStepGone):
		return nil, fmt.Errorf("cannot resume run %s on version %d: %w; retry it on the same version or from the start: %w", run.ID, v.Version, err, store.ErrConflict)
	case err != nil:
		return nil, fmt.Errorf("cannot resume run %s: %w: %w", run.ID, err, store.ErrConflict)
	}
	return plan, nil
}
