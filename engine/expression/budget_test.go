package expression

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// bombScope is a data context with a 10 KiB string, as a step output.
func bombScope() *Scope {
	return NewScope(map[string]any{
		RootTrigger: map[string]any{"big": strings.Repeat("b", 100<<10)},
		RootSteps:   map[string]any{"s1": map[string]any{"v": strings.Repeat("v", 10<<10)}},
	}, time.Unix(0, 0))
}

// Every one of these took the process down or ran unbounded before the
// budget (issue 11, item 1): each must end as a BudgetError of its kind.
func TestBudgetStopsBombs(t *testing.T) {
	c := NewCompiler(Limits{})
	tests := []struct {
		name   string
		src    string
		budget Budget
		kind   BudgetKind
		msg    string
	}{
		{name: "allocation bomb: nested repeat, deterministic", src: `len(repeat(repeat("x", 999999), 999999))`,
			kind: BudgetWork},
		{name: "allocation bomb: nested repeat, wall clock", src: `len(repeat(repeat("x", 999999), 999999))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "result larger than 1 MiB"},
		{name: "CPU bomb: reduce over a large range, deterministic", src: `len(reduce(1..400000, upper(steps.s1.v), ""))`,
			kind: BudgetWork, msg: "expression needs more than 1000000 units of work"},
		{name: "CPU bomb: reduce over a large range, built text", src: `len(reduce(1..400000, upper(steps.s1.v), ""))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "expression builds more than 4 MiB of text"},
		{name: "CPU bomb that allocates nothing, wall clock", src: `len(filter(1..400000, indexOf(steps.s1.v, "z") >= 0))`,
			budget: Budget{Work: UnlimitedWork, Timeout: 50 * time.Millisecond}, kind: BudgetTime, msg: "expression exceeded 50ms"},
		{name: "string doubling", src: `len(reduce(1..40, #acc + #acc, "x"))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "result larger than 1 MiB"},
		{name: "list doubling with concat", src: `len(reduce(1..40, concat(#acc, #acc), [1]))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "expression builds more than 16 MiB"},
		{name: "list doubling with +", src: `len(reduce(1..40, #acc + #acc, [1]))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "expression builds more than 16 MiB"},
		{name: "toJSON of one value referenced many times", src: `len(toJSON(map(1..1000, trigger.big)))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "result larger than 1 MiB"},
		{name: "string() of one value referenced many times", src: `len(string(map(1..1000, trigger.big)))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "result larger than 1 MiB"},
		{name: "json() helper", src: `len(json(map(1..1000, trigger.big)))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "result larger than 1 MiB"},
		{name: "join", src: `len(join(map(1..1000, trigger.big), ","))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "result larger than 1 MiB"},
		{name: "replace", src: `len(replace(trigger.big, "b", trigger.big))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "result larger than 1 MiB"},
		{name: "flatten", src: `len(flatten(map(1..2000, map(1..1000, #))))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize},
		{name: "one list over the element limit", src: `len(concat(1..500000, 1..500001))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetValues, msg: "expression builds a list of 1000001 elements, over the limit of 1000000"},
		{name: "huge range", src: `len(1..100000000)`,
			kind: BudgetValues, msg: "range 1..100000000 has 100000000 numbers, over the limit of 1000000"},
		{name: "many strings built in a loop", src: `len(map(1..1000, repeat("x", 1000000)))`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "expression builds more than 4 MiB of text"},
		{name: "many strings built in a loop, no wall clock", src: `len(map(1..1000, repeat("x", 1000000)))`,
			budget: Budget{Work: UnlimitedWork}, kind: BudgetSize, msg: "expression builds more than 16 MiB of text and lists"},
		{name: "comparison of big values in a loop", src: `len(filter(1..100000, trigger == steps))`,
			kind: BudgetWork},
		{name: "result aliasing a big value many times", src: `map(1..1000, trigger)`,
			budget: Budget{Work: UnlimitedWork, Timeout: time.Minute}, kind: BudgetSize, msg: "result larger than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Eval(tt.src, bombScope().WithBudget(tt.budget))
			if err == nil {
				t.Fatal("no error")
			}
			var be *BudgetError
			if !errors.As(err, &be) {
				t.Fatalf("error %v (%T) is not a BudgetError", err, err)
			}
			if be.Kind != tt.kind {
				t.Fatalf("kind %s, want %s (%v)", be.Kind, tt.kind, err)
			}
			if !errors.Is(err, ErrBudget) {
				t.Error("errors.Is(err, ErrBudget) is false")
			}
			if !strings.HasPrefix(err.Error(), tt.msg) {
				t.Errorf("error %q, want it to start with %q", err, tt.msg)
			}
		})
	}
}

// Templates and mappings obey the same budget as expressions.
func TestBudgetTemplatesAndMappings(t *testing.T) {
	c := NewCompiler(Limits{})
	s := bombScope()
	if _, err := c.Render(map[string]any{"x": "all: {{ map(1..100, trigger.big) }}"}, s); !IsBudgetKind(err, BudgetSize) {
		t.Errorf("mixed template: %v, want a size BudgetError", err)
	}
	if _, err := c.Render("{{ reduce(1..400000, upper(steps.s1.v), '') }}", s); !IsBudgetKind(err, BudgetWork) {
		t.Errorf("typed template: %v, want a work BudgetError", err)
	}
	if _, err := c.Map(map[string]any{"n": "{{ len(repeat(repeat('x', 999999), 999999)) }}"}, s.WithBudget(Budget{Work: UnlimitedWork, Timeout: time.Minute})); !IsBudgetKind(err, BudgetSize) {
		t.Errorf("mapping: %v, want a size BudgetError", err)
	}
	if _, err := c.Map(map[string]any{"n": "trigger.big|@reverse"}, NewScope(map[string]any{
		RootTrigger: map[string]any{"big": strings.Repeat("b", 20<<20)},
	}, time.Time{})); !IsBudgetKind(err, BudgetSize) {
		t.Errorf("gjson query over a huge value: %v, want a size BudgetError", err)
	}
}

// A result is a copy: rendering the steps map into a step output and
// adding that output to the map must not make the map contain itself.
func TestResultsDoNotAliasTheContext(t *testing.T) {
	c := NewCompiler(Limits{})
	steps := map[string]any{"a": map[string]any{"n": 1.0}}
	s := NewScope(map[string]any{RootSteps: steps}, time.Time{})
	for _, src := range []string{"{{ steps }}", "{{ [steps, steps] }}"} {
		out, err := c.Render(src, s)
		if err != nil {
			t.Fatal(err)
		}
		steps["copy"] = out
		if _, err := c.Render(src, s); err != nil {
			t.Fatalf("%s after storing the output: %v", src, err)
		}
		if sizeOf(steps, 1<<20) > 1<<20 {
			t.Fatalf("%s: steps contains itself", src)
		}
		delete(steps, "copy")
	}
	m, err := c.Map(map[string]any{"all": "steps"}, s)
	if err != nil {
		t.Fatal(err)
	}
	steps["m"] = m
	if sizeOf(steps, 1<<20) > 1<<20 {
		t.Fatal("mapping: steps contains itself")
	}
}

// Validation refuses $env; at run time an old definition using it fails
// with a message, instead of holding the environment in a step output.
func TestEnvRootRefused(t *testing.T) {
	c := NewCompiler(Limits{})
	_, err := c.CheckExpr("len($env) > 0", Context{})
	if err == nil || !strings.HasPrefix(err.Error(), "$env is not available: use trigger, event, steps or vars (1:5)") {
		t.Errorf("CheckExpr: %v", err)
	}
	_, _, err = c.CheckTemplate("all: {{ $env }}", Context{})
	if err == nil || !strings.HasPrefix(err.Error(), "$env is not available") {
		t.Errorf("CheckTemplate: %v", err)
	}
	if _, err := c.Render("{{ $env }}", NewScope(nil, time.Time{})); err == nil {
		t.Error("rendering $env: no error")
	}
}

// Ordinary expressions stay far inside the default budget.
func TestBudgetLeavesRealExpressionsAlone(t *testing.T) {
	c := NewCompiler(Limits{})
	items := make([]any, 500)
	for i := range items {
		items[i] = map[string]any{"sku": "SKU-1", "qty": float64(i % 4), "price": 1999.0}
	}
	s := NewScope(map[string]any{RootTrigger: map[string]any{"items": items, "name": "ada"}}, time.Time{})
	for _, src := range []string{
		`sum(map(filter(trigger.items, #.qty > 1), #.qty * #.price))`,
		`join(map(trigger.items, #.sku), ",")`,
		`upper(trigger.name) + " " + string(len(trigger.items))`,
		`toJSON(trigger.items[0:10])`,
		`get(trigger, "items.#(qty>2)#.sku")`,
	} {
		if _, err := c.Eval(src, s); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
}

// BenchmarkBudgetWork calibrates DefaultWork: ns per evaluation of a loop
// that spends the whole default budget.
func BenchmarkBudgetWork(b *testing.B) {
	c := NewCompiler(Limits{})
	s := bombScope()
	for _, src := range []string{
		`len(reduce(1..400000, upper(steps.s1.v), ""))`,
		`count(1..1000000, # > 0)`,
		`len(filter(1..100000, trigger == steps))`,
	} {
		b.Run(src, func(b *testing.B) {
			for range b.N {
				_, err := c.Eval(src, s)
				if !IsBudgetKind(err, BudgetWork) {
					b.Fatalf("want a work overrun, got %v", err)
				}
			}
		})
	}
}

// A long evaluation with a wall-clock budget (the activity's) is paced:
// it rests, and it still ends on its budget. One without a deadline
// (workflow code, bounded by work units) never rests, so a replay does
// not wait.
func TestLongEvaluationsArePaced(t *testing.T) {
	var rests int
	var rested time.Duration
	defer func(f func(time.Duration)) { rest = f }(rest)
	rest = func(d time.Duration) {
		rests++
		rested += d
		time.Sleep(d)
	}
	c := NewCompiler(Limits{})
	src := `len(filter(1..400000, indexOf(steps.s1.v, "z") >= 0))`
	_, err := c.Eval(src, bombScope().WithBudget(Budget{Work: UnlimitedWork, Timeout: 50 * time.Millisecond}))
	if !IsBudgetKind(err, BudgetTime) {
		t.Fatalf("paced CPU bomb: %v, want the time budget's error", err)
	}
	if rests == 0 || rested > 50*time.Millisecond {
		t.Errorf("the evaluation rested %d times for %s in a 50ms budget; want some rest, within the budget", rests, rested)
	}
	rests = 0
	if _, err := c.Eval(src, bombScope().WithBudget(Budget{Work: 5_000_000})); !IsBudgetKind(err, BudgetWork) {
		t.Fatalf("CPU bomb in workflow code: %v, want the work budget's error", err)
	}
	if rests != 0 {
		t.Errorf("an evaluation without a deadline rested %d times", rests)
	}
}

// The text bound of evaluations with a wall clock leaves workflow code
// alone: without a deadline (runs from before budgets replay without a
// work bound) an evaluation may build text up to MaxBuildBytes as it
// always could, so a replay computes what the run did.
func TestTextBoundOnlyWithWallClock(t *testing.T) {
	c := NewCompiler(Limits{})
	src := `len(map(1..8, repeat("x", 1000000)))`
	v, err := c.Eval(src, bombScope().WithBudget(Budget{Work: UnlimitedWork}))
	if err != nil || v != 8 {
		t.Fatalf("without a wall clock: %v, %v; want 8 and no error", v, err)
	}
	_, err = c.Eval(src, bombScope().WithBudget(Budget{Work: UnlimitedWork, Timeout: time.Minute}))
	if !IsBudgetKind(err, BudgetSize) || !strings.Contains(err.Error(), "expression builds more than 4 MiB of text") {
		t.Fatalf("with a wall clock: %v; want the 4 MiB text bound", err)
	}
	// Under the bound, text builds fine with a wall clock too.
	v, err = c.Eval(`len(map(1..3, repeat("x", 1000000)))`, bombScope().WithBudget(Budget{Work: UnlimitedWork, Timeout: time.Minute}))
	if err != nil || v != 3 {
		t.Fatalf("3 MB of text with a wall clock: %v, %v; want 3 and no error", v, err)
	}
}
