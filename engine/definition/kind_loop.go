package definition

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
)

// KindLoop repeats a body of steps until a condition holds: polling a
// status until it is final, paging until there is no next page.
const KindLoop Kind = "loop"

// What a loop does when max_iterations have run and until still does not
// hold (on_max).
const (
	// OnMaxFail fails the step, naming max_iterations. It is the default:
	// a poll that never sees its status is an error to look at.
	OnMaxFail = "fail"
	// OnMaxContinue ends the loop as if until held; the step's output says
	// so (completed: false).
	OnMaxContinue = "continue"
)

// Named limits of loops.
const (
	// DefaultMaxLoopIterations caps max_iterations: every iteration's
	// steps are recorded in the run's history.
	DefaultMaxLoopIterations = 1000
	// LoopOutputIterations is how many iterations' outputs a loop's output
	// keeps (the last ones); iterations counts them all.
	LoopOutputIterations = 100
)

var loopKind = &KindSpec{
	Kind:  KindLoop,
	Title: "Loop until",
	Description: "Run steps again and again until a condition holds, at most max_iterations times, " +
		"optionally waiting between iterations (to poll a status).",
	Output: fmt.Sprintf(`{"iterations": n, "completed": true|false, "outputs": [{"<body step id>": output, …}, …], "last": {…}}: `+
		`outputs holds the last %d iterations, last the final one; completed is false when on_max "continue" ended the loop.`, LoopOutputIterations),
	Flow: FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "steps", Title: "Repeat", Type: connectors.TypeArray, Required: true,
			Help: "The body. Inside, index is the iteration (from 0) and item the previous iteration's outputs ({\"<step id>\": output}), null at first."},
			Format: FormatSteps, MinItems: 1},
		{Field: connectors.Field{Name: "until", Title: "Until", Type: connectors.TypeString, Required: true, Example: `steps.poll.body.status == "done"`,
			Help: "An expression checked after each iteration; the loop ends when it is true. It sees the body's steps of that iteration, index and item."},
			Format: FormatCondition},
		{Field: connectors.Field{Name: "max_iterations", Title: "Max iterations", Type: connectors.TypeInteger, Required: true, Example: 10,
			Help: "The most iterations; on_max says what happens when until still does not hold."},
			Minimum: bound(1), Maximum: bound(DefaultMaxLoopIterations)},
		{Field: connectors.Field{Name: "delay", Title: "Wait between iterations", Type: connectors.TypeString, Example: "30s",
			Help: "A durable pause before each iteration after the first."}, Format: FormatDuration},
		{Field: connectors.Field{Name: "on_max", Title: "When max iterations is reached", Type: connectors.TypeString, Default: OnMaxFail,
			Enum: []string{OnMaxFail, OnMaxContinue},
			Help: "fail (the default): the step fails, naming max_iterations. continue: the loop ends and its output has completed: false."}},
		optNext, optOnError,
	},
	validate: func(r *run, n *node) {
		s, p := n.step, n.path
		if len(s.Steps) == 0 {
			r.errorf(p+".steps", "a loop needs at least one step in its body")
		}
		if s.Until == "" {
			r.errorf(p+".until", "is required: the condition that ends the loop")
		} else {
			r.loopUntil(n)
		}
		switch {
		case s.MaxIterations == 0:
			r.errorf(p+".max_iterations", "is required: the most iterations the loop may run (at most %d)", DefaultMaxLoopIterations)
		case s.MaxIterations < 1 || s.MaxIterations > DefaultMaxLoopIterations:
			r.errorf(p+".max_iterations", "must be between 1 and %d, got %d", DefaultMaxLoopIterations, s.MaxIterations)
		}
		r.duration(p+".delay", s.Delay, r.limits.MaxWait, false)
		switch s.OnMax {
		case "", OnMaxFail, OnMaxContinue:
		default:
			r.errorf(p+".on_max", "unknown on_max %q: want fail or continue", s.OnMax)
		}
	},
	edges: continues,
	lists: func(s *Step, path string) []subList {
		return []subList{{path: path + ".steps", steps: s.Steps, loop: true}}
	},
}

// loopUntil checks a loop's until: it runs after each iteration, so
// besides what is available before the loop it may read the steps of the
// body's own list (a step the iteration skipped reads as missing).
func (r *run) loopUntil(n *node) {
	path := n.path + ".until"
	refs, err := r.c.CheckExpr(n.step.Until, expression.Context{Loop: true})
	if err != nil {
		r.errs = append(r.errs, exprError(path, err))
		return
	}
	outer := refs[:0:0]
	for _, ref := range refs {
		if t := r.ids[ref.Name]; ref.Root == expression.RootSteps && t != nil && t.list.parent == n {
			continue
		}
		outer = append(outer, ref)
	}
	r.refs(path, n, outer)
	r.samplePaths(path, expression.ExprPaths(n.step.Until))
}
