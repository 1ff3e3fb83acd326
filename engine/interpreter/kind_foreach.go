package interpreter

import (
	"fmt"
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// foreachStep runs its body once per item, up to its concurrency at a
// time, each iteration in its own frame.
type foreachStep struct{}

func (foreachStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	out, ctrl, err := r.doForeach(ctx, f, s)
	return out, "", ctrl, err
}

func (r *runner) doForeach(ctx workflow.Context, f *frame, s *definition.Step) (any, control, error) {
	v, err := r.eval(ctx, f, s, opExpr, s.Items)
	if err != nil {
		return nil, ctrlDone, fmt.Errorf("items: %w", err)
	}
	var items []any
	switch x := v.(type) {
	case nil:
	case []any:
		items = x
	default:
		return nil, ctrlDone, failf(classPermanent, "items gave %T, want an array", v)
	}
	if len(items) > r.opts.MaxForeachItems {
		return nil, ctrlDone, failf(classPermanent, "items has %d elements, over the limit of %d", len(items), r.opts.MaxForeachItems)
	}
	if s.MaxItems > 0 && len(items) > s.MaxItems {
		items = items[:s.MaxItems]
	}
	conc := s.Concurrency
	if conc <= 0 {
		conc = 1
	}
	conc = min(conc, r.opts.MaxConcurrency)
	results := make([]any, len(items))
	errs := make([]error, len(items))
	ctrls := make([]control, len(items))
	running, failed := 0, false
	wg := workflow.NewWaitGroup(ctx)
	for i, item := range items {
		if err := workflow.Await(ctx, func() bool { return running < conc }); err != nil {
			return nil, ctrlDone, err
		}
		if failed {
			break
		}
		running++
		wg.Add(1)
		sub := f.child(f.prefix + s.ID + "[" + strconv.Itoa(i) + "].")
		sub.item, sub.index, sub.loop = item, i, true
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			defer func() { running-- }()
			ctrls[i], errs[i] = r.runList(gctx, sub, s.Steps)
			if errs[i] != nil {
				failed = true
			}
			results[i] = sub.own
		})
	}
	wg.Wait(ctx)
	ctrl := ctrlDone
	for i := range items {
		if errs[i] != nil {
			return nil, ctrlDone, errs[i]
		}
		if ctrls[i] == ctrlStop {
			ctrl = ctrlStop
		}
	}
	return results, ctrl, nil
}
