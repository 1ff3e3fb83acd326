package interpreter

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// switchStep goes to the case whose value matches.
type switchStep struct{}

func (switchStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	next, err := r.doSwitch(ctx, f, s)
	return map[string]any{"next": next}, next, ctrlDone, err
}

func (r *runner) doSwitch(ctx workflow.Context, f *frame, s *definition.Step) (string, error) {
	v, err := r.eval(ctx, f, s, opExpr, s.Value)
	if err != nil {
		return "", fmt.Errorf("value: %w", err)
	}
	got := mustJSON(v)
	for i, c := range s.Cases {
		want, err := r.eval(ctx, f, s, opRender, c.Equals)
		if err != nil {
			return "", fmt.Errorf("cases[%d].equals: %w", i, err)
		}
		if string(mustJSON(want)) == string(got) {
			return c.Next, nil
		}
	}
	return s.Default, nil
}
