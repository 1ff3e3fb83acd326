package interpreter

import (
	"fmt"
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// loopStep runs its body, then its until expression, until that holds or
// max_iterations have run, sleeping on a durable timer between iterations
// when it has a delay. Each iteration runs in its own frame whose step
// paths are prefixed "<loop id>[<n>].", like a foreach's, so every call
// inside has its own idempotency key. Everything it decides comes from
// workflow code, evaluations and timers, so a replay takes the same
// iterations.
type loopStep struct{}

func (loopStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	out, ctrl, err := r.doLoop(ctx, f, s)
	return out, "", ctrl, err
}

func (r *runner) doLoop(ctx workflow.Context, f *frame, s *definition.Step) (any, control, error) {
	maxIter := min(max(s.MaxIterations, 1), definition.DefaultMaxLoopIterations)
	var outputs []any
	var last any
	n, completed := 0, false
	out := func() map[string]any {
		return map[string]any{"iterations": n, "completed": completed, "outputs": outputs, "last": last}
	}
	for i := range maxIter {
		if i > 0 && s.Delay != "" {
			if err := workflow.Sleep(ctx, s.Delay.Value()); err != nil {
				return nil, ctrlDone, err
			}
		}
		sub := f.child(f.prefix + s.ID + "[" + strconv.Itoa(i) + "].")
		// Inside, item is what the previous iteration produced: a
		// paging loop reads its cursor from it.
		sub.item, sub.index, sub.loop = last, i, true
		ctrl, err := r.runList(ctx, sub, s.Steps)
		if err != nil {
			return nil, ctrlDone, err
		}
		n, last = i+1, sub.own
		outputs = append(outputs, sub.own)
		if len(outputs) > definition.LoopOutputIterations {
			outputs = outputs[1:]
		}
		if ctrl == ctrlStop {
			return out(), ctrlStop, nil
		}
		done, err := r.evalBool(ctx, sub, s, s.Until)
		if err != nil {
			return nil, ctrlDone, fmt.Errorf("until: %w", err)
		}
		if done {
			completed = true
			return out(), ctrlDone, nil
		}
	}
	if s.OnMax == definition.OnMaxContinue {
		return out(), ctrlDone, nil
	}
	return nil, ctrlDone, failf(classPermanent,
		"the loop ran max_iterations (%d) times and until (%s) never held; raise max_iterations, or set on_max to \"continue\" to go on anyway",
		maxIter, s.Until)
}
