package expression

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// ReadPaths lists every constant path a condition reads, guarded ones
// included, once each; ValueAt reads them back from the data.
func TestReadPathsAndValueAt(t *testing.T) {
	data := map[string]any{
		RootTrigger: map[string]any{"amount": 5.0, "lines": []any{map[string]any{"sku": "A"}}, "none": nil},
		RootSteps:   map[string]any{"crm": map[string]any{"id": "c1"}},
	}
	tests := []struct {
		name, src string
		paths     []string
		values    string // JSON of path → value (absent paths map to "absent")
	}{
		{name: "comparisons", src: `trigger.amount >= 10 && steps.crm.id == "c1"`,
			paths: []string{"trigger.amount", "steps.crm.id"}, values: `{"steps.crm.id":"c1","trigger.amount":5}`},
		{name: "guarded paths count", src: `trigger.coupon != nil || default(trigger.none, "x") == "x"`,
			paths: []string{"trigger.coupon", "trigger.none"}, values: `{"trigger.coupon":"absent","trigger.none":null}`},
		{name: "indexes and repeats", src: `trigger.lines[0].sku == "A" && trigger.lines[0].sku != "B" && trigger.lines[3].sku == "C"`,
			paths: []string{"trigger.lines.0.sku", "trigger.lines.3.sku"}, values: `{"trigger.lines.0.sku":"A","trigger.lines.3.sku":"absent"}`},
		{name: "a template condition", src: `{{ trigger.amount > 1 }}`, paths: []string{"trigger.amount"}, values: `{"trigger.amount":5}`},
		{name: "unparsable", src: `trigger.amount >`, paths: nil, values: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			values := map[string]any{}
			for _, u := range ReadPaths(tt.src) {
				got = append(got, u.String())
				v, ok := ValueAt(data, u.Path)
				if !ok {
					v = "absent"
				}
				values[u.String()] = v
			}
			if strings.Join(got, " ") != strings.Join(tt.paths, " ") {
				t.Errorf("paths %q, want %q", got, tt.paths)
			}
			if b, _ := json.Marshal(values); string(b) != tt.values {
				t.Errorf("values %s, want %s", b, tt.values)
			}
		})
	}
}

// Preview reads a source as its kind asks and refuses a source of the
// wrong type; warnings skip roots the data does not have.
func TestPreviewKinds(t *testing.T) {
	c := NewCompiler(Limits{})
	now := time.Unix(0, 0)
	data := map[string]any{RootTrigger: map[string]any{"name": "Ada"}, RootSteps: map[string]any{}}
	res, err := c.Preview(PreviewCondition, `trigger.nmae == "Ada"`, data, now)
	if err != nil || res.Value != false || len(res.Warnings) != 1 || res.Warnings[0].Suggest != "trigger.name" || res.Warnings[0].Position != "1:1" {
		t.Errorf("condition preview %+v, %v", res, err)
	}
	res, err = c.Preview(PreviewTemplate, `{{ steps.later.x }}`, data, now)
	if err != nil || res.Error == nil || len(res.Warnings) != 0 {
		t.Errorf("a step with no known output: %+v, %v (want an error, no warning)", res, err)
	}
	for _, bad := range []struct {
		kind PreviewKind
		src  any
	}{{PreviewCondition, 5.0}, {PreviewMapping, "trigger.x"}, {"poem", "x"}} {
		if _, err := c.Preview(bad.kind, bad.src, data, now); err == nil {
			t.Errorf("Preview(%s, %v) accepted", bad.kind, bad.src)
		}
	}
}
