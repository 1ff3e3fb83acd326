package interpreter

import (
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// stopStep ends the run successfully.
type stopStep struct{}

func (stopStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	msg, err := r.renderString(ctx, f, s, s.Message)
	return map[string]any{"stopped": true, "message": msg}, "", ctrlStop, err
}
