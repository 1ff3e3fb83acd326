package interpreter

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
)

// Evaluation in workflow code: the data context of a frame, the
// deterministic budget, and the hand-off to the Resolve activity for
// evaluations that read a blob or need more work than workflow code
// allows.

// data is the expression data context of a frame.
func (r *runner) data(f *frame) map[string]any {
	d := map[string]any{
		expression.RootTrigger: r.trigger,
		expression.RootEvent:   r.event,
		expression.RootSteps:   f.steps,
		expression.RootVars:    r.vars,
	}
	if f.loop {
		d[expression.RootItem] = f.item
		d[expression.RootIndex] = f.index
	}
	return d
}

// Evaluation operations, shared by workflow code and the Resolve activity.
const (
	opExpr   = "expr"
	opBool   = "bool"
	opRender = "render"
	opMap    = "map"
)

func evaluate(op string, src any, scope *expression.Scope) (any, error) {
	switch op {
	case opExpr, opBool:
		s, _ := src.(string)
		e, err := compiler.Expr(s)
		if err != nil {
			return nil, err
		}
		if op == opBool {
			return e.EvalBool(scope)
		}
		return e.Eval(scope)
	case opRender:
		return compiler.Render(src, scope)
	case opMap:
		m, _ := src.(map[string]any)
		return compiler.Map(m, scope)
	}
	return nil, fmt.Errorf("unknown evaluation %q", op)
}

// scope is the evaluation scope of workflow code: the default, purely
// deterministic budget (expression.DefaultWork, no wall clock), or for
// runs started before interpreter version 7, which evaluated without a
// budget, an unlimited one so that they replay as they ran.
func (r *runner) scope(data map[string]any, now time.Time) *expression.Scope {
	s := expression.NewScope(data, now)
	if r.version >= versionExactNumbers {
		s = s.WithExactNumbers()
	}
	if r.version >= versionStrictPaths {
		s = s.WithStrictPaths()
	}
	if r.version < versionBudgets {
		return s.WithBudget(expression.Budget{Work: expression.UnlimitedWork})
	}
	return s
}

// eval evaluates in workflow code, or in the Resolve activity when the
// step reads a step output (or a trigger) kept as a blob, which the
// activity loads.
func (r *runner) eval(ctx workflow.Context, f *frame, s *definition.Step, op string, src any) (any, error) {
	return r.evalData(ctx, op, src, r.data(f), r.anyBlob && r.readsBlob(f, s))
}

// evalData evaluates src over data. An evaluation that needs more work
// than workflow code allows goes to the Resolve activity too: there it is
// bounded by wall-clock time instead, and history records its result, so
// a replay never evaluates it again.
func (r *runner) evalData(ctx workflow.Context, op string, src any, data map[string]any, loadBlobs bool) (any, error) {
	now := workflow.Now(ctx).UTC()
	if loadBlobs {
		return r.resolve(ctx, op, src, data, now)
	}
	v, err := evaluate(op, src, r.scope(data, now))
	if expression.IsBudgetKind(err, expression.BudgetWork) {
		return r.resolve(ctx, op, src, data, now)
	}
	if err != nil {
		return nil, &stepFailure{Message: err.Error(), Class: classEvaluation}
	}
	return v, nil
}

// resolve evaluates in the Resolve activity. Evaluation errors, budget
// overruns included, are permanent step failures.
func (r *runner) resolve(ctx workflow.Context, op string, src any, data map[string]any, now time.Time) (any, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: r.opts.ActivityTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{classPermanent, classEvaluation}},
	})
	var out ResolveResult
	req := ResolveRequest{Op: op, Source: src, Data: data, Now: now,
		Exact: r.version >= versionExactNumbers, Strict: r.version >= versionStrictPaths}
	if err := workflow.ExecuteActivity(actx, ActivityResolve, req).Get(ctx, &out); err != nil {
		return nil, activityFailure(err)
	}
	return r.numbers(out.Value), nil
}

func (r *runner) evalBool(ctx workflow.Context, f *frame, s *definition.Step, src string) (bool, error) {
	v, err := r.eval(ctx, f, s, opBool, src)
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}

func (r *runner) renderString(ctx workflow.Context, f *frame, s *definition.Step, src string) (string, error) {
	if src == "" {
		return "", nil
	}
	v, err := r.eval(ctx, f, s, opRender, src)
	if err != nil {
		return "", err
	}
	if str, ok := v.(string); ok {
		return str, nil
	}
	return string(mustJSON(v)), nil
}

// readsBlob reports whether s mentions a step whose output holds a blob
// reference. The check is textual and so errs towards loading.
func (r *runner) readsBlob(f *frame, s *definition.Step) bool {
	src, ok := r.srcCache[s]
	if !ok {
		src = string(mustJSON(s))
		r.srcCache[s] = src
	}
	if r.in.Event.BodyBlob != "" && strings.Contains(src, expression.RootTrigger) {
		return true
	}
	for _, id := range sortedKeys(f.steps) {
		if containsBlob(f.steps[id]) && strings.Contains(src, id) {
			return true
		}
	}
	return false
}

// blobKey marks a step output kept in the store: {"$blob": id, "bytes": n}.
const blobKey = "$blob"

func containsBlob(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x[blobKey]; ok {
			return true
		}
		for _, e := range x {
			if containsBlob(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if containsBlob(e) {
				return true
			}
		}
	}
	return false
}
