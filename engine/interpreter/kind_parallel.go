package interpreter

import (
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// parallelStep runs its branches concurrently and joins them.
type parallelStep struct{}

func (parallelStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	out, ctrl, err := r.doParallel(ctx, f, s)
	return out, "", ctrl, err
}

func (r *runner) doParallel(ctx workflow.Context, f *frame, s *definition.Step) (any, control, error) {
	n := len(s.Branches)
	subs := make([]*frame, n)
	errs := make([]error, n)
	ctrls := make([]control, n)
	wg := workflow.NewWaitGroup(ctx)
	for i, b := range s.Branches {
		subs[i] = f.child(f.prefix + s.ID + "." + b.Name + ".")
		wg.Add(1)
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			ctrls[i], errs[i] = r.runList(gctx, subs[i], b.Steps)
		})
	}
	wg.Wait(ctx)
	out := make(map[string]any, n)
	ctrl := ctrlDone
	for i, b := range s.Branches {
		if errs[i] != nil {
			return nil, ctrlDone, errs[i]
		}
		if ctrls[i] == ctrlStop {
			ctrl = ctrlStop
		}
		out[b.Name] = subs[i].own
	}
	// Steps of every branch are visible after the join, in branch order.
	for _, sub := range subs {
		for _, k := range sortedKeys(sub.own) {
			f.steps[k] = sub.own[k]
		}
	}
	return out, ctrl, nil
}
