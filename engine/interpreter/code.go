package interpreter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/jsruntime"
)

// ActivityCode runs a code step's JavaScript. Like every activity name it
// is part of history: never rename it.
const ActivityCode = "hookflow.Code"

// classCode is the error class of a code step's failure: a syntax error,
// an exception the script threw or an exceeded budget. Running the same
// script on the same data fails the same way, so it is never retried;
// on_error handles it like any other class.
const classCode = "code"

// CodeRequest is the input of the code activity: the script, the data
// context of its step (blob references included, which the activity
// loads) and its budgets.
type CodeRequest struct {
	RunID    string         `json:"run_id"`
	Step     string         `json:"step"`
	Code     string         `json:"code"`
	Data     map[string]any `json:"data"`
	Timeout  time.Duration  `json:"timeout"`
	MemoryMB int            `json:"memory_mb,omitempty"`
}

// CodeResult is the script's return value (or a blob reference to it)
// and the lines it logged.
type CodeResult struct {
	Output any      `json:"output"`
	Logs   []string `json:"logs,omitempty"`
}

// Code runs a script under its budgets in a heavy-work slot (see heavy):
// besides sharing the cores fairly, the slots keep the number of scripts
// whose heap growth the watchdogs measure at once small. A script's own
// failure is a non-retryable error of class "code"; failing to load a
// blob is retried.
func (a *Activities) Code(ctx context.Context, req CodeRequest) (CodeResult, error) {
	data, err := a.resolveBlobs(ctx, req.Data, false)
	if err != nil {
		return CodeResult{}, a.fail(ctx, connectors.Retryable(err))
	}
	m, _ := data.(map[string]any)
	steps, _ := m[expression.RootSteps].(map[string]any)
	vars, _ := m[expression.RootVars].(map[string]any)
	in := jsruntime.Input{Trigger: m[expression.RootTrigger], Steps: steps, Vars: vars, Event: m[expression.RootEvent],
		Item: m[expression.RootItem], Index: m[expression.RootIndex]}
	// The time budget starts once a slot is free: waiting is not work.
	if !a.deps.HeavySlotHeld {
		release, err := AcquireHeavy(ctx)
		if err != nil {
			return CodeResult{}, err
		}
		defer release()
	}
	res, err := jsruntime.Run(ctx, req.Code, in, jsruntime.Limits{Timeout: req.Timeout, MemoryBytes: int64(req.MemoryMB) << 20})
	if err != nil {
		var je *jsruntime.Error
		if errors.As(err, &je) {
			return CodeResult{}, temporal.NewNonRetryableApplicationError(je.Error(), classCode, nil)
		}
		return CodeResult{}, err
	}
	out, err := a.keep(ctx, req.RunID, req.Step, res.Value)
	if err != nil {
		return CodeResult{}, a.fail(ctx, connectors.Retryable(fmt.Errorf("code: %w", err)))
	}
	return CodeResult{Output: out, Logs: res.Logs}, nil
}
