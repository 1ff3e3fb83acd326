package interpreter

import (
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// failStep ends the run as failed, whatever its on_error.
type failStep struct{}

func (failStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	msg, err := r.renderString(ctx, f, s, s.Message)
	if err != nil {
		return nil, "", ctrlDone, err
	}
	if msg == "" {
		msg = "failed by step " + s.ID
	}
	return nil, "", ctrlDone, &stepFailure{Message: msg, Class: errTypeFail, fatal: true}
}
