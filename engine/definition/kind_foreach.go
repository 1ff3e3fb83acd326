package definition

import "github.com/hookflow/hookflow/connectors"

// KindForeach runs a body of steps once for every item of a list.
const KindForeach Kind = "foreach"

// What a foreach does with a list longer than its max_items (on_overflow).
const (
	// OnOverflowFail fails the step, naming the list's length and the
	// limit: nothing is left out unnoticed. It is the default.
	OnOverflowFail = "fail"
	// OnOverflowTruncate runs the first max_items items and records a
	// warning on the step ("truncated: 250 of 1,000 items").
	OnOverflowTruncate = "truncate"
)

var foreachKind = &KindSpec{
	Kind:        KindForeach,
	Title:       "For each",
	Description: "Run steps once for every item of a list.",
	Output:      `An array with one object per item: {"<body step id>": output, …}.`,
	Flow:        FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "items", Title: "Items", Type: connectors.TypeString, Required: true, Example: "trigger.line_items",
			Help: "An expression giving a list. Inside, item and index are the current element and its position."}, Format: FormatExpression},
		{Field: connectors.Field{Name: "concurrency", Title: "Concurrency", Type: connectors.TypeInteger, Default: DefaultForeachConcurrency,
			Help: "How many items run at the same time."}, Minimum: bound(1), Maximum: bound(DefaultMaxConcurrency)},
		{Field: connectors.Field{Name: "max_items", Title: "Max items", Type: connectors.TypeInteger, Default: DefaultForeachItems,
			Help: "The most items the step runs; on_overflow says what a longer list does."}, Minimum: bound(1), Maximum: bound(DefaultMaxForeachItems)},
		{Field: connectors.Field{Name: "on_overflow", Title: "When the list is longer", Type: connectors.TypeString, Default: OnOverflowFail,
			Enum: []string{OnOverflowFail, OnOverflowTruncate},
			Help: "fail (the default): the step fails and names both counts, so no item is dropped unnoticed. truncate: the first max_items items run and the step records the warning \"truncated: 250 of 1,000 items\"."}},
		{Field: connectors.Field{Name: "steps", Title: "For each item, run", Type: connectors.TypeArray, Required: true}, Format: FormatSteps, MinItems: 1},
		optNext, optTimeout, optOnError,
	},
	validate: func(r *run, n *node) {
		s, p := n.step, n.path
		if s.Items == "" {
			r.errorf(p+".items", "is required")
		} else {
			r.expr(n, "items", s.Items, n.ctx())
		}
		if len(s.Steps) == 0 {
			r.errorf(p+".steps", "a foreach needs at least one step in its body")
		}
		if s.Concurrency != 0 && (s.Concurrency < 1 || s.Concurrency > r.limits.MaxConcurrency) {
			r.errorf(p+".concurrency", "must be between 1 and %d, got %d", r.limits.MaxConcurrency, s.Concurrency)
		}
		if s.MaxItems != 0 && (s.MaxItems < 1 || s.MaxItems > r.limits.MaxForeachItems) {
			r.errorf(p+".max_items", "must be between 1 and %d, got %d", r.limits.MaxForeachItems, s.MaxItems)
		}
		switch s.OnOverflow {
		case "", OnOverflowFail, OnOverflowTruncate:
		default:
			r.errorf(p+".on_overflow", "unknown on_overflow %q: want fail or truncate", s.OnOverflow)
		}
	},
	edges: continues,
	lists: func(s *Step, path string) []subList {
		return []subList{{path: path + ".steps", steps: s.Steps, loop: true}}
	},
}
