package definition

import (
	"strings"
	"testing"
)

func TestValidateData(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{name: "every op",
			doc: def(`{"id": "seen", "type": "data", "op": "get", "key": "order:{{ trigger.id }}", "value": false},
				{"id": "mark", "type": "data", "op": "set", "store": "notified-orders", "key": "order:{{ trigger.id }}", "value": {"at": "{{ trigger.at }}"}, "ttl": "24h"},
				{"id": "count", "type": "data", "op": "increment", "key": "orders", "by": 2, "ttl": "1h"},
				{"id": "log", "type": "data", "op": "append", "key": "recent", "value": "{{ trigger.id }}", "max_items": 50},
				{"id": "forget", "type": "data", "op": "delete", "key": "order:{{ steps.count.value }}"}`)},
		{name: "op missing",
			doc:  def(`{"id": "a", "type": "data", "key": "k"}`),
			want: []string{"steps[0].op: is required: one of get, set, increment, append, delete"}},
		{name: "op unknown",
			doc:  def(`{"id": "a", "type": "data", "op": "put", "key": "k"}`),
			want: []string{`steps[0].op: unknown operation "put": want one of get, set, increment, append, delete`}},
		{name: "key missing and bad store",
			doc: def(`{"id": "a", "type": "data", "op": "delete", "store": "workflow:wf_1"}`),
			want: []string{
				`steps[0].store: "workflow:wf_1" is not a store name: use letters, digits, _, . and -, starting with a letter or digit, at most 100 characters`,
				"steps[0].key: is required"}},
		{name: "set without value",
			doc:  def(`{"id": "a", "type": "data", "op": "set", "key": "k"}`),
			want: []string{`steps[0].value: is required for op "set"`}},
		{name: "fields an op does not use",
			doc:  def(`{"id": "a", "type": "data", "op": "get", "key": "k", "ttl": "1h", "by": 2}`),
			want: []string{`steps[0].ttl: is not used by op "get"`, `steps[0].by: is not used by op "get"`}},
		{name: "bad ttl and template",
			doc:  def(`{"id": "a", "type": "data", "op": "set", "key": "{{ trigger.id + }}", "value": 1, "ttl": "soon"}`),
			want: []string{"steps[0].key: the expression ends too early", `steps[0].ttl: "soon" is not a duration`}},
		{name: "switch value must be a string",
			doc:  def(`{"id": "a", "type": "switch", "value": 3, "cases": [{"equals": 3, "next": "b"}]}, {"id": "b", "type": "stop"}`),
			want: []string{"steps[0].value: must be an expression string such as trigger.type, got a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, errs := Parse([]byte(tt.doc))
			if len(errs) > 0 {
				t.Fatalf("parse: %v", Errors(errs))
			}
			var got []string
			for _, e := range Validate(d, testEnv) {
				got = append(got, e.Error())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("error %d = %q, want it to start with %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
