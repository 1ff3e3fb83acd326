package interpreter

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
)

// Issue 11, item 1: a definition's expressions cannot take the process
// down. Each of these crashed hookflow dev (stack overflow, a terabyte
// allocation) or spun in the workflow task; now each is a permanent step
// error with a message the author can act on, which on_error handles.
func TestExpressionBombsAreStepErrors(t *testing.T) {
	const base = `{"name": "bomb", "trigger": {"type": "webhook"}, "steps": [
		{"id": "s1", "type": "map", "map": {"v": "{{ repeat('v', 10000) }}"}},
		{"id": "bomb", "type": "map", "map": %s, "on_error": "continue"},
		{"id": "after", "type": "map", "map": {"err": "steps.bomb.error.message", "class": "steps.bomb.error.class"}}]}`
	tests := []struct {
		name    string
		mapping string
		wantErr string // "" means the step succeeds
		resolve bool   // the evaluation went to the Resolve activity
	}{
		{name: "steps rendered into a step output", mapping: `{"all": "{{ steps }}"}`},
		{name: "steps mapped by path", mapping: `{"all": "steps"}`},
		{name: "allocation bomb", mapping: `{"n": "{{ len(repeat(repeat('x', 999999), 999999)) }}"}`,
			wantErr: "result larger than 1 MiB", resolve: true},
		{name: "CPU bomb", mapping: `{"n": "{{ len(reduce(1..400000, upper(steps.s1.v), '')) }}"}`,
			// It allocates as it spins: whichever bound it meets first
			// stops it, the 4 MiB of text built or the 50 ms.
			wantErr: "expression builds more than 4 MiB of text|expression exceeded 50ms", resolve: true},
		{name: "CPU bomb that allocates nothing", mapping: `{"n": "{{ len(filter(1..400000, indexOf(steps.s1.v, 'z') >= 0)) }}"}`,
			wantErr: "expression exceeded 50ms", resolve: true},
		{name: "string doubling", mapping: `{"n": "{{ len(reduce(1..40, #acc + #acc, 'x')) }}"}`,
			wantErr: "result larger than 1 MiB", resolve: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			fx.limits.ExpressionTimeout = 0 // the production default, 50 ms
			env := fx.newEnv(t)
			resolved := 0
			env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
				if info.ActivityType.Name == ActivityResolve {
					resolved++
				}
			})
			_, err, l := run(t, env, input(t, fmt.Sprintf(base, tt.mapping), `{}`))
			if err != nil {
				t.Fatalf("the run failed: %v", err)
			}
			bomb := step(t, l, "bomb")
			after := output(t, step(t, l, "after"))
			if tt.wantErr == "" {
				if bomb.Status != StepSucceeded {
					t.Fatalf("bomb step %s: %s", bomb.Status, bomb.Error)
				}
				// The output is a snapshot: it holds s1 and not itself.
				out := string(bomb.Output)
				if !strings.Contains(out, "s1") || strings.Contains(out, "bomb") {
					t.Errorf("output = %.200s", out)
				}
				return
			}
			if bomb.Status != StepContinued || !slices.Contains(strings.Split(tt.wantErr, "|"), strings.TrimPrefix(bomb.Error, "n: ")) {
				t.Errorf("bomb step %s with error %q, want continued with %q", bomb.Status, bomb.Error, tt.wantErr)
			}
			if after["class"] != classEvaluation {
				t.Errorf("error class %v, want %s", after["class"], classEvaluation)
			}
			if tt.resolve != (resolved > 0) {
				t.Errorf("Resolve activity ran %d times, want it to run: %v", resolved, tt.resolve)
			}
		})
	}
}
