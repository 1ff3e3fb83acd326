package interpreter

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// branchStep goes to the first case whose condition holds.
type branchStep struct{}

func (branchStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	next, err := r.doBranch(ctx, f, s)
	return map[string]any{"next": next}, next, ctrlDone, err
}

func (r *runner) doBranch(ctx workflow.Context, f *frame, s *definition.Step) (string, error) {
	for i, c := range s.Cases {
		ok, err := r.evalBool(ctx, f, s, c.If)
		if err != nil {
			return "", fmt.Errorf("cases[%d].if: %w", i, err)
		}
		if ok {
			return c.Next, nil
		}
	}
	return s.Default, nil
}
