package interpreter

import (
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// mapStep builds an object from a mapping.
type mapStep struct{}

func (mapStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	out, err := r.eval(ctx, f, s, opMap, s.Map)
	return out, "", ctrlDone, err
}
