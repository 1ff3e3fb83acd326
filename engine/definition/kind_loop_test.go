package definition

import (
	"strings"
	"testing"
)

func TestValidateLoopStep(t *testing.T) {
	body := `"steps": [{"id": "poll", "type": "map", "map": {"s": "trigger.status"}}]`
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{name: "valid, until reads the body and index", doc: def(`{"id": "l", "type": "loop", "max_iterations": 10, "delay": "30s",
			"until": "steps.poll.s == 'done' || index >= 5", ` + body + `}, {"id": "after", "type": "map", "map": {"n": "steps.l.iterations"}}`)},
		{name: "max_iterations is required", doc: def(`{"id": "l", "type": "loop", "until": "true", ` + body + `}`),
			want: []string{"steps[0].max_iterations: is required: the most iterations the loop may run (at most 1000)"}},
		{name: "max_iterations capped", doc: def(`{"id": "l", "type": "loop", "until": "true", "max_iterations": 5000, ` + body + `}`),
			want: []string{"steps[0].max_iterations: must be between 1 and 1000, got 5000"}},
		{name: "until is required", doc: def(`{"id": "l", "type": "loop", "max_iterations": 3, ` + body + `}`),
			want: []string{"steps[0].until: is required: the condition that ends the loop"}},
		{name: "until unknown step", doc: def(`{"id": "l", "type": "loop", "max_iterations": 3, "until": "steps.pol.s", ` + body + `}`),
			want: []string{"steps[0].until: unknown step \"pol\" (1:7)\n | steps.pol.s\n | ......^"}},
		{name: "body step not visible after the loop", doc: def(`{"id": "l", "type": "loop", "max_iterations": 3, "until": "true", ` + body + `},
			{"id": "after", "type": "map", "map": {"s": "steps.poll.s"}}`),
			want: []string{"steps[1].map.s: step \"poll\" does not run before this step on every path (1:7)\n | steps.poll.s\n | ......^"}},
		{name: "bad on_max and delay", doc: def(`{"id": "l", "type": "loop", "max_iterations": 3, "until": "true", "on_max": "stop", "delay": "soon", ` + body + `}`),
			want: []string{`steps[0].delay: "soon" is not a duration: use forms like "30s", "5m", "2h", "3d" or "1d12h"`, `steps[0].on_max: unknown on_max "stop": want fail or continue`}},
		{name: "empty body", doc: def(`{"id": "l", "type": "loop", "max_iterations": 3, "until": "true", "steps": []}`),
			want: []string{"steps[0].steps: a loop needs at least one step in its body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validateDoc(t, tt.doc)
			if strings.Join(got, "\n---\n") != strings.Join(tt.want, "\n---\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n---\n"), strings.Join(tt.want, "\n---\n"))
			}
		})
	}
}
