package connectortest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// recorder is a testing.TB that keeps failures instead of failing.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

func TestCheckOutputShape(t *testing.T) {
	spec := &connectors.Spec{Name: "shape", Title: "Shape", Actions: []*connectors.Action{{
		Name: "act", Title: "Act", OutputSample: json.RawMessage(`{"id":1,"url":"https://x","labels":["a"],"note":null}`),
		Run: func(context.Context, *connectors.Call) (any, error) { return nil, nil },
	}}}
	tests := []struct {
		name string
		out  any
		want []string
	}{
		{"same shape", map[string]any{"id": 7, "url": "u", "labels": []string{}, "note": "set"}, nil},
		{"null matches anything", map[string]any{"id": 7, "url": nil, "labels": []string{}, "note": nil}, nil},
		{"missing, extra and different", map[string]any{"id": "7", "labels": []string{}, "note": nil, "extra": true},
			[]string{"extra: in the output, not in the sample", "id: string in the output, number in the sample", "url: in the sample, not in the output"}},
		{"not an object", []string{"a"}, []string{"output is a JSON array, but its sample is a JSON object"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			connectortest.CheckOutputShape(r, spec, "act", tc.out)
			got := strings.Join(r.failures, "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("failures %q do not mention %q", got, w)
				}
			}
			if len(tc.want) == 0 && got != "" {
				t.Errorf("unexpected failure: %s", got)
			}
		})
	}
}
