package interpreter

import (
	"fmt"
	"strconv"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// versionForeachOverflow is the first version in which a foreach over
// more than max_items items fails, or truncates with a warning on the step
// (on_overflow); before, it dropped the rest without a word.
const versionForeachOverflow workflow.Version = 8

// foreachLimit applies max_items (or the deployment's hard cap, which a
// step can only lower) to items, as on_overflow says.
func (r *runner) foreachLimit(s *definition.Step, rec int, items []any) ([]any, error) {
	limit, what := r.opts.MaxForeachItems, "the limit of this deployment"
	if s.MaxItems > 0 && s.MaxItems < limit {
		limit, what = s.MaxItems, "max_items"
	}
	if len(items) <= limit {
		return items, nil
	}
	if s.OnOverflow != definition.OnOverflowTruncate {
		return nil, failf(classPermanent, "items has %s elements, more than %s (%s); set on_overflow to \"truncate\" to run the first %s only",
			thousands(len(items)), what, thousands(limit), thousands(limit))
	}
	r.log.Steps[rec].Warnings = append(r.log.Steps[rec].Warnings,
		fmt.Sprintf("truncated: %s of %s items", thousands(limit), thousands(len(items))))
	return items[:limit], nil
}

// thousands writes n with thousands separators: 1,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// foreachStep runs its body once per item, up to its concurrency at a
// time, each iteration in its own frame.
type foreachStep struct{}

func (foreachStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, string, control, error) {
	out, ctrl, err := r.doForeach(ctx, f, s, rec)
	return out, "", ctrl, err
}

func (r *runner) doForeach(ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, control, error) {
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
	if r.version >= versionForeachOverflow {
		if items, err = r.foreachLimit(s, rec, items); err != nil {
			return nil, ctrlDone, err
		}
	} else {
		if len(items) > r.opts.MaxForeachItems {
			return nil, ctrlDone, failf(classPermanent, "items has %d elements, over the limit of %d", len(items), r.opts.MaxForeachItems)
		}
		if s.MaxItems > 0 && len(items) > s.MaxItems {
			items = items[:s.MaxItems]
		}
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
