package interpreter

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// delayStep sleeps on a durable timer.
type delayStep struct{}

func (delayStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	out, err := r.doDelay(ctx, f, s)
	return out, "", ctrlDone, err
}

func (r *runner) doDelay(ctx workflow.Context, f *frame, s *definition.Step) (any, error) {
	d := s.Duration.Value()
	if s.Until != "" {
		v, err := r.eval(ctx, f, s, opExpr, s.Until)
		if err != nil {
			return nil, fmt.Errorf("until: %w", err)
		}
		t, err := toTime(v)
		if err != nil {
			return nil, failf(classPermanent, "until: %v", err)
		}
		d = t.Sub(workflow.Now(ctx))
	}
	if d > 0 {
		if err := workflow.Sleep(ctx, d); err != nil {
			return nil, err
		}
	}
	return map[string]any{"until": workflow.Now(ctx).UTC().Format(time.RFC3339Nano)}, nil
}

func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", x)
		}
		return t, nil
	case float64:
		return time.Unix(0, int64(x*float64(time.Second))).UTC(), nil
	case int:
		return time.Unix(int64(x), 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("gave %T, want a time, an RFC 3339 string or unix seconds", v)
}
