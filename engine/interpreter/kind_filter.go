package interpreter

import (
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// filterStep stops the run quietly unless its condition holds.
type filterStep struct{}

func (filterStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	ok, err := r.evalBool(ctx, f, s, s.If)
	if err != nil {
		return nil, "", ctrlDone, err
	}
	if !ok {
		return map[string]any{"passed": ok}, "", ctrlFiltered, nil
	}
	return map[string]any{"passed": ok}, "", ctrlDone, nil
}
