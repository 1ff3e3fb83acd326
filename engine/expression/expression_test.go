package expression

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var clock = time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC)

func testData() map[string]any {
	return map[string]any{
		"trigger": map[string]any{
			"type": "payment_intent.succeeded",
			"data": map[string]any{"object": map[string]any{
				"amount": 2000.0, "currency": "usd", "customer": "cus_1", "created": 1714557600.0,
				"metadata": map[string]any{"order_id": "A1"},
				"items":    []any{map[string]any{"sku": "a", "qty": 2.0}, map[string]any{"sku": "b", "qty": 1.0}},
			}},
		},
		"event": map[string]any{"id": "evt_1", "type": "payment_intent.succeeded"},
		"steps": map[string]any{"crm": map[string]any{"id": "c-9", "ok": true}},
		"vars":  map[string]any{"channel": "#sales"},
	}
}

func TestRender(t *testing.T) {
	c := NewCompiler(Limits{})
	s := NewScope(testData(), clock)
	tests := []struct {
		name string
		in   any
		want any
	}{
		{name: "typed number", in: "{{ trigger.data.object.amount }}", want: 2000.0},
		{name: "typed with spaces around", in: "  {{ trigger.data.object.amount / 100 }} ", want: 20.0},
		{name: "typed bool", in: "{{ steps.crm.ok }}", want: true},
		{name: "typed object", in: "{{ trigger.data.object.metadata }}", want: map[string]any{"order_id": "A1"}},
		{name: "typed array", in: "{{ map(trigger.data.object.items, #.sku) }}", want: []any{"a", "b"}},
		{name: "typed null for a missing field", in: "{{ trigger.data.object.nope.deeper }}", want: nil},
		{name: "interpolated", in: "Payment of {{ formatMoney(trigger.data.object.amount, trigger.data.object.currency) }} from {{ trigger.data.object.customer }} for order {{ trigger.data.object.metadata.order_id }}",
			want: "Payment of 20.00 USD from cus_1 for order A1"},
		{name: "interpolated object as JSON with sorted keys", in: "m={{ {\"b\": 1, \"a\": [true, nil]} }}", want: `m={"a":[true,null],"b":1}`},
		{name: "interpolated null is empty", in: "[{{ trigger.nope }}]", want: "[]"},
		{name: "interpolated numbers shortest", in: "{{ 0.1 + 0.2 }} {{ 3.0 }} {{ 10 / 4 }}", want: "0.30000000000000004 3 2.5"},
		{name: "braces and strings inside", in: `{{ {"a": {"b": "}}"}}.a.b }}`, want: "}}"},
		{name: "literal braces", in: `{{ "{{" }} x }}`, want: "{{ x }}"},
		{name: "plain string untouched", in: "no template } here", want: "no template } here"},
		{name: "nested values", in: map[string]any{"a": []any{"{{ event.id }}", 1.0, map[string]any{"b": "x{{ index }}"}}, "c": nil},
			want: map[string]any{"a": []any{"evt_1", 1.0, map[string]any{"b": "x0"}}, "c": nil}},
		{name: "now is the scope clock", in: "{{ now() }}", want: clock},
		{name: "formatDate friendly layout and zone", in: `{{ formatDate(now(), "dddd D MMMM YYYY HH:mm", "Europe/Paris") }}`, want: "Wednesday 1 May 2024 12:30"},
		{name: "formatDate from unix seconds", in: `{{ formatDate(trigger.data.object.created, "iso") }}`, want: "2024-05-01T10:00:00Z"},
		{name: "formatDate escaped text", in: `{{ formatDate(now(), "[Day] D [at] h:mm a") }}`, want: "Day 1 at 10:30 am"},
		{name: "parseDate with layout and zone", in: `{{ formatDate(parseDate("01/05/2024 09:00", "DD/MM/YYYY HH:mm", "Asia/Tokyo"), "iso", "UTC") }}`, want: "2024-05-01T00:00:00Z"},
		{name: "addDuration days", in: `{{ formatDate(addDuration(now(), "3d"), "date") }}`, want: "2024-05-04"},
		{name: "money zero-decimal currency", in: `{{ formatMoney(5000, "jpy") }}`, want: "5000 JPY"},
		{name: "money three-decimal currency", in: `{{ formatMoney(12345, "KWD") }}`, want: "12.345 KWD"},
		{name: "money negative", in: `{{ formatMoney(-250, "eur") }}`, want: "-2.50 EUR"},
		{name: "case helpers", in: `{{ upper("a") }} {{ title("hello wORLD-wide") }} {{ slug("Ünïcode & Hello, World!") }}`, want: "A Hello WORLD-Wide n-code-hello-world"},
		{name: "default and coalesce", in: `{{ default(trigger.nope, "x") }} {{ default("", 2) }} {{ coalesce(nil, "", "c", "d") }}`, want: "x 2 c"},
		{name: "json round trip", in: `{{ fromjson(json({"a": [1, 2]})).a[1] }}`, want: 2.0},
		{name: "get with a gjson query", in: `{{ get(trigger, "data.object.items.#(qty>1)#.sku") }}`, want: []any{"a"}},
		{name: "get with a modifier", in: `{{ get(trigger.data.object.items, "@reverse.0.sku") }}`, want: "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Render(tt.in, s)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	c := NewCompiler(Limits{MaxSourceLength: 64, MaxOutputBytes: 32})
	s := NewScope(testData(), clock)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "unclosed", in: "a {{ b", want: "unclosed {{: missing }} (1:3)\n | a {{ b\n | ..^"},
		{name: "empty", in: "x {{  }}", want: "empty {{ }} (1:3)\n | x {{  }}\n | ..^"},
		{name: "syntax", in: "x {{ 1 + }}", want: "the expression ends too early: something is missing at its end (1:9)\n | x {{ 1 + }}\n | ........^"},
		{name: "second line", in: "line one\n  {{ trigger.x ** }}", want: "the expression ends too early: something is missing at its end (2:18)\n |   {{ trigger.x ** }}\n | .................^"},
		{name: "runtime error positioned in the template", in: `total {{ trigger.type + 1 }}`, want: "cannot add a text and a number; use string(x) to join a number to a text, or float(x) to read a number from a text (1:23)\n | total {{ trigger.type + 1 }}\n | ......................^"},
		{name: "helper error", in: `{{ formatMoney("x", "USD") }}`, want: "formatMoney: amount \"x\" is not a number (1:4)\n | {{ formatMoney(\"x\", \"USD\") }}\n | ...^"},
		{name: "unterminated string", in: `{{ "abc }}`, want: "unterminated string in {{ }} (1:4)\n | {{ \"abc }}\n | ...^"},
		{name: "source too long", in: "{{ '" + strings.Repeat("x", 80) + "' }}", want: "template is 88 bytes long, over the limit of 64"},
		{name: "output too long", in: `{{ repeat("ab", 20) }}`, want: "result larger than 32 bytes"},
		{name: "mixed output too long", in: `x{{ repeat("ab", 20) }}`, want: "result larger than 32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Render(tt.in, s)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tt.want)
			}
		})
	}
}

func TestEvalBoolAndBuiltinNow(t *testing.T) {
	c := NewCompiler(Limits{})
	s := NewScope(testData(), clock)
	for _, tt := range []struct {
		name, src string
		want      bool
		err       string
	}{
		{name: "true", src: `trigger.type == "payment_intent.succeeded" && trigger.data.object.amount >= 1000`, want: true},
		{name: "written as a template", src: `{{ trigger.data.object.amount < 1000 }}`, want: false},
		{name: "null is false", src: `trigger.nope`, want: false},
		{name: "string is an error", src: `trigger.type`, err: "condition gave a string, want a boolean"},
		{name: "now is deterministic", src: `now().Year() == 2024 && now() == date("2024-05-01T10:30:00Z")`, want: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := c.Expr(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.EvalBool(s)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	c := NewCompiler(Limits{MaxNodes: 50})
	refs, err := c.CheckExpr(`steps.crm.id == vars["channel"] && item > 0`, Context{Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, fmt.Sprintf("%s.%s@%s", r.Root, r.Name, r.Position()))
	}
	if want := "[steps.crm@1:7 vars.channel@1:22]"; fmt.Sprint(got) != want {
		t.Errorf("refs %v, want %s", got, want)
	}
	for _, tt := range []struct{ name, src, want string }{
		{name: "item outside foreach", src: "item", want: "unknown name \"item\" (1:1)\n | item\n | ^"},
		{name: "received outside match", src: "received.x", want: "unknown name \"received\" (1:1)\n | received.x\n | ^"},
		{name: "program size", src: strings.Repeat("1 + ", 40) + "1", want: "compilation failed: expression exceeds maximum allowed nodes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CheckExpr(tt.src, Context{})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestLookupAndMap(t *testing.T) {
	c := NewCompiler(Limits{})
	s := NewScope(testData(), clock)
	got, err := c.Map(map[string]any{
		"amount": "trigger.data.object.amount",
		"skus":   "trigger.data.object.items.#(qty>1)#.sku",
		"first":  "trigger.data.object.items.0.sku",
		"count":  "trigger.data.object.items.#",
		"text":   "order {{ trigger.data.object.metadata.order_id }}",
		"nested": map[string]any{"crm": "steps.crm.id", "fixed": 3.0},
		"gone":   "trigger.data.nothing",
	}, s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"amount": 2000.0, "skus": []any{"a"}, "first": "a", "count": 2.0, "text": "order A1",
		"nested": map[string]any{"crm": "c-9", "fixed": 3.0}, "gone": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if _, err := c.Map(map[string]any{"x": "data.object.amount"}, s); err == nil || !strings.Contains(err.Error(), `unknown root "data"`) {
		t.Errorf("err = %v, want unknown root", err)
	}
}

// TestCompilerConcurrent renders the same templates from many goroutines
// (run with -race) and checks the cache stays bounded.
func TestCompilerConcurrent(t *testing.T) {
	c := NewCompiler(Limits{MaxCacheEntries: 8})
	s := NewScope(testData(), clock)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				src := fmt.Sprintf("{{ %d + trigger.data.object.amount }}", (g*50+i)%20)
				v, err := c.Render(src, s)
				if err != nil || v != float64((g*50+i)%20)+2000 {
					t.Errorf("render %q = %v, %v", src, v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.templates) > 8 {
		t.Errorf("cache holds %d templates, over its limit of 8", len(c.templates))
	}
}

// FuzzRender renders arbitrary templates: no panics, and typed/mixed
// rendering agree with Typed. Seeds: testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"{{ trigger.data.object.amount }}", "a {{ b", "{{ {\"a\": {\"b\": 1}} }}", "x {{ '}}' }} y",
		"{{ formatDate(now(), \"YYYY\", \"UTC\") }}", "{{ get(trigger, \"data.#\") }}"} {
		f.Add(s)
	}
	c := NewCompiler(Limits{})
	s := NewScope(testData(), clock)
	f.Fuzz(func(t *testing.T, src string) {
		tmpl, err := c.Template(src)
		if err != nil {
			return
		}
		v, err := tmpl.Render(s)
		if err != nil {
			return
		}
		if _, isString := v.(string); !tmpl.Typed() && !isString {
			t.Fatalf("mixed template %q rendered %T", src, v)
		}
	})
}

func BenchmarkRender(b *testing.B) {
	c := NewCompiler(Limits{})
	s := NewScope(testData(), clock)
	const src = "Payment of {{ formatMoney(trigger.data.object.amount, trigger.data.object.currency) }} from {{ trigger.data.object.customer }} for order {{ trigger.data.object.metadata.order_id }}"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Render(src, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMap(b *testing.B) {
	c := NewCompiler(Limits{})
	data := testData()
	m := map[string]any{"email": "trigger.data.object.customer", "amount": "trigger.data.object.amount",
		"text": "Paid {{ formatMoney(trigger.data.object.amount, \"usd\") }}"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Map(m, NewScope(data, clock)); err != nil {
			b.Fatal(err)
		}
	}
}
