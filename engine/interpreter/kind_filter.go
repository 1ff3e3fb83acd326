package interpreter

import (
	"encoding/json"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
)

// filterStep stops the run quietly unless its condition holds.
type filterStep struct{}

func (filterStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	ok, err := r.evalBool(ctx, f, s, s.If)
	if err != nil {
		return nil, "", ctrlDone, err
	}
	if !ok {
		out := map[string]any{"passed": ok}
		// Why it filtered: the values the condition read. Only a stopped
		// run carries them, so no later step's data context changes.
		if v := r.conditionValues(f, s, s.If); v != nil {
			out["values"] = v
		}
		return out, "", ctrlFiltered, nil
	}
	return map[string]any{"passed": ok}, "", ctrlDone, nil
}

// Bounds on the values a filter reports, so a condition over a whole
// event body does not copy it into the run log.
const (
	maxConditionValues    = 20
	maxConditionValueSize = 512
)

// conditionValues returns the values of the paths a condition reads,
// keyed by path ("trigger.amount": 5; null when absent). It reads the
// frame's data in workflow code, so it is deterministic; when the step
// reads a blob kept out of history it reports nothing rather than load it.
func (r *runner) conditionValues(f *frame, s *definition.Step, src string) map[string]any {
	if r.anyBlob && r.readsBlob(f, s) {
		return nil
	}
	uses := expression.ReadPaths(src)
	if len(uses) == 0 {
		return nil
	}
	data := r.data(f)
	out := make(map[string]any, len(uses))
	for i, u := range uses {
		if i == maxConditionValues {
			break
		}
		v, _ := expression.ValueAt(data, u.Path)
		out[strings.Join(u.Path, ".")] = boundedValue(v)
	}
	return out
}

// boundedValue keeps a scalar, and a small object or array; a larger one
// is summarised by its size.
func boundedValue(v any) any {
	switch x := v.(type) {
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil || len(b) > maxConditionValueSize {
			if m, ok := x.(map[string]any); ok {
				return fmt.Sprintf("(an object with %d fields)", len(m))
			}
			return fmt.Sprintf("(a list of %d items)", len(x.([]any)))
		}
	case string:
		if len(x) > maxConditionValueSize {
			return strings.ToValidUTF8(x[:maxConditionValueSize], "") + "…"
		}
	}
	return v
}
