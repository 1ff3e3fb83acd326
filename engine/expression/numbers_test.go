package expression

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecodeJSONKeepsIntegers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{name: "small integer", in: `42`, want: 42},
		{name: "shopify order id", in: `5733011112023`, want: 5733011112023},
		{name: "above 2^53", in: `9007199254740993`, want: 9007199254740993},
		{name: "int64 max", in: `9223372036854775807`, want: 9223372036854775807},
		{name: "beyond int64 is a float", in: `18446744073709551616`, want: 18446744073709551616.0},
		{name: "fraction", in: `19.5`, want: 19.5},
		{name: "exponent is a float", in: `1e3`, want: 1000.0},
		{name: "negative", in: `-7`, want: -7},
		{name: "nested", in: `{"a": [1, 2.5, {"b": 3}]}`, want: map[string]any{"a": []any{1, 2.5, map[string]any{"b": 3}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeJSON(%s) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
	if _, err := DecodeJSON([]byte(`{"a": 1} {"b": 2}`)); err == nil {
		t.Error("two documents decoded without an error")
	}
}

func TestFloatNumbersMatchEncodingJSON(t *testing.T) {
	in := `{"id": 9007199254740993, "n": [1, 2.5, -3e2]}`
	var want any
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	var raw any
	if err := decodeUseNumberForTest(in, &raw); err != nil {
		t.Fatal(err)
	}
	if got := FloatNumbers(raw); !reflect.DeepEqual(got, want) {
		t.Errorf("FloatNumbers = %#v, want what encoding/json gives, %#v", got, want)
	}
}

func decodeUseNumberForTest(s string, v *any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	return dec.Decode(v)
}

// In an exact scope, string() and lookups (plain and gjson queries) give
// an id's digits as sent.
func TestExactScopeTemplates(t *testing.T) {
	body, err := DecodeJSON([]byte(`{"id": 5733011112023, "items": [{"sku": 9007199254740993, "qty": 2}]}`))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCompiler(Limits{})
	s := NewScope(map[string]any{RootTrigger: body}, time.Unix(0, 0)).WithExactNumbers()
	got, err := c.Map(map[string]any{
		"text":  "{{ string(trigger.id) }}",
		"mixed": "#{{ trigger.id }}",
		"plain": "trigger.id",
		"query": "trigger.items.#(qty>1)#.sku",
		"sum":   "{{ trigger.items[0].qty * 3 }}",
	}, s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"text": "5733011112023", "mixed": "#5733011112023", "plain": 5733011112023,
		"query": []any{9007199254740993}, "sum": 6}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
}
