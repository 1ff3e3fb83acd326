package ui_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/api/ui"
	"github.com/hookflow/hookflow/engine/expression"
)

// jsModules serves the UI's assets and opens a page in headless Chromium
// from which the tests import the pure modules (conditions.js, picker.js)
// and run them as the editor does.
func jsModules(t *testing.T) *browser {
	t.Helper()
	r := gin.New()
	ui.Mount(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	b := startBrowser(t, 1024, 700).with(t)
	b.navigate(srv.URL + "/")
	return b
}

// callJS evaluates fn (a JavaScript function source taking the module)
// on the module's exports with args, and decodes its JSON result.
func callJS(t *testing.T, b *browser, module, fn string, out any, args ...any) {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	b.eval(`(async () => { const m = await import("/ui/js/`+module+`"); return JSON.stringify(await (`+fn+`)(m, ...`+string(raw)+`)); })()`, &s)
	if err := json.Unmarshal([]byte(s), out); err != nil {
		t.Fatalf("decoding %s: %v", s, err)
	}
}

// TestConditionsJS checks the condition builder's model: expressions read
// into rows and written back unchanged, rows written as expressions that
// the real engine compiles, and expressions the builder cannot show
// refused with a reason.
func TestConditionsJS(t *testing.T) {
	b := jsModules(t)
	compiler := expression.NewCompiler(expression.Limits{})

	roundTrips := []struct {
		name string
		src  string
		rows string // JSON of the parsed group
	}{
		{name: "one comparison", src: `trigger.amount >= 1000`,
			rows: `{"join":"and","items":[{"field":"trigger.amount","op":"gte","value":1000,"type":"number"}]}`},
		{name: "and of text and number", src: `trigger.currency == "usd" && trigger.data.object.amount > 99.5`,
			rows: `{"join":"and","items":[{"field":"trigger.currency","op":"eq","value":"usd","type":"string"},{"field":"trigger.data.object.amount","op":"gt","value":99.5,"type":"number"}]}`},
		{name: "or with a nested and group", src: `trigger.vip == true || (trigger.amount < -5 && steps.crm.deals[0].stage != "lost")`,
			rows: `{"join":"or","items":[{"field":"trigger.vip","op":"eq","value":true,"type":"bool"},{"join":"and","items":[{"field":"trigger.amount","op":"lt","value":-5,"type":"number"},{"field":"steps.crm.deals[0].stage","op":"ne","value":"lost","type":"string"}]}]}`},
		{name: "text operators", src: `trigger.email endsWith "@acme.com" && trigger.name startsWith "A" && trigger.note contains "urgent" && not (trigger.note contains "spam")`,
			rows: `{"join":"and","items":[{"field":"trigger.email","op":"ends","value":"@acme.com","type":"string"},{"field":"trigger.name","op":"starts","value":"A","type":"string"},{"field":"trigger.note","op":"contains","value":"urgent","type":"string"},{"field":"trigger.note","op":"not_contains","value":"spam","type":"string"}]}`},
		{name: "lists", src: `trigger.type in ["order.created", "order.paid"] || trigger.qty not in [1, 2]`,
			rows: `{"join":"or","items":[{"field":"trigger.type","op":"in","value":[{"value":"order.created","type":"string"},{"value":"order.paid","type":"string"}],"type":"list"},{"field":"trigger.qty","op":"not_in","value":[{"value":1,"type":"number"},{"value":2,"type":"number"}],"type":"list"}]}`},
		{name: "exists, empty and regex", src: `trigger.customer != nil && trigger.coupon == nil && default(trigger.email, "") != "" && default(trigger.phone, "") == "" && trigger.id matches "^ord_[0-9]+$"`,
			rows: `{"join":"and","items":[{"field":"trigger.customer","op":"exists","value":"","type":"string"},{"field":"trigger.coupon","op":"not_exists","value":"","type":"string"},{"field":"trigger.email","op":"not_empty","value":"","type":"string"},{"field":"trigger.phone","op":"empty","value":"","type":"string"},{"field":"trigger.id","op":"matches","value":"^ord_[0-9]+$","type":"string"}]}`},
		{name: "odd keys and quotes", src: `trigger.headers["x-shop-domain"] == "a \"b\" c"`,
			rows: `{"join":"and","items":[{"field":"trigger.headers[\"x-shop-domain\"]","op":"eq","value":"a \"b\" c","type":"string"}]}`},
		{name: "empty", src: ``, rows: `{"join":"and","items":[]}`},
	}
	for _, tt := range roundTrips {
		t.Run("round trip/"+tt.name, func(t *testing.T) {
			var got struct {
				OK     bool            `json:"ok"`
				Reason string          `json:"reason"`
				Group  json.RawMessage `json:"group"`
				Back   string          `json:"back"`
			}
			callJS(t, b.with(t), "conditions.js", `(m, src) => { const r = m.parseExpr(src); return { ...r, back: r.ok ? m.toExpr(r.group) : "" }; }`, &got, tt.src)
			if !got.OK {
				t.Fatalf("parseExpr refused %q: %s", tt.src, got.Reason)
			}
			if string(got.Group) != tt.rows {
				t.Errorf("rows\n %s\nwant\n %s", got.Group, tt.rows)
			}
			if got.Back != tt.src {
				t.Errorf("written back as %q, want %q", got.Back, tt.src)
			}
			if tt.src != "" {
				if _, err := compiler.Expr(got.Back); err != nil {
					t.Errorf("the engine does not compile %q: %v", got.Back, err)
				}
			}
		})
	}

	// Equivalent spellings read into rows and are written canonically.
	canonical := []struct{ name, src, want string }{
		{"words for and/or", `trigger.a == 1 and trigger.b == 2 or trigger.c == 3`, `(trigger.a == 1 && trigger.b == 2) || trigger.c == 3`},
		{"single quotes and a template wrapper", `{{ trigger.a == 'x' }}`, `trigger.a == "x"`},
		{"same-join parentheses merge", `(trigger.a > 1 && trigger.b > 2) && trigger.c > 3`, `trigger.a > 1 && trigger.b > 2 && trigger.c > 3`},
		{"redundant parentheses", `((trigger.a > 1))`, `trigger.a > 1`},
	}
	for _, tt := range canonical {
		t.Run("canonical/"+tt.name, func(t *testing.T) {
			var got string
			callJS(t, b.with(t), "conditions.js", `(m, src) => { const r = m.parseExpr(src); return r.ok ? m.toExpr(r.group) : "REFUSED: " + r.reason; }`, &got, tt.src)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	unrepresentable := []struct{ name, src, reason string }{
		{"function call", `len(trigger.items) > 2`, `a comparison must start with a field (trigger.…, steps.…)`},
		{"arithmetic", `trigger.amount * 2 > 100`, `the operator "*" is not one the builder offers`},
		{"literal on the left", `100 < trigger.amount`, `a comparison must start with a field (trigger.…, steps.…)`},
		{"field against field", `trigger.a == trigger.b`, `it compares with something other than a text, number or yes/no value`},
		{"bare field", `trigger.paid`, `a field alone is not a condition (use "exists")`},
		{"negation of a group", `!(trigger.a == 1)`, `a comparison must start with a field (trigger.…, steps.…)`},
		{"text operator on a number", `trigger.a contains 5`, `"contains" with a value that is not text`},
		{"unknown name", `amount > 5`, `a comparison must start with a field (trigger.…, steps.…)`},
		{"unclosed", `(trigger.a == 1`, `expected ")"`},
	}
	for _, tt := range unrepresentable {
		t.Run("unrepresentable/"+tt.name, func(t *testing.T) {
			var got struct {
				OK     bool   `json:"ok"`
				Reason string `json:"reason"`
			}
			callJS(t, b.with(t), "conditions.js", `(m, src) => m.parseExpr(src)`, &got, tt.src)
			if got.OK || got.Reason != tt.reason {
				t.Errorf("parseExpr(%q) = ok %v, reason %q; want refused with %q", tt.src, got.OK, got.Reason, tt.reason)
			}
		})
	}

	// Rows as the form builds them: incomplete rows are left out and say
	// what they lack; values follow their type.
	built := []struct {
		name, group, want string
		problems          []string
	}{
		{name: "typed values", group: `{"join":"and","items":[{"field":"trigger.n","op":"eq","value":"42","type":"number"},{"field":"trigger.s","op":"eq","value":"42","type":"string"},{"field":"trigger.b","op":"ne","value":false,"type":"bool"}]}`,
			want: `trigger.n == 42 && trigger.s == "42" && trigger.b != false`, problems: []string{"", "", ""}},
		{name: "incomplete rows are skipped", group: `{"join":"or","items":[{"field":"","op":"eq","value":"x","type":"string"},{"field":"trigger.n","op":"gt","value":"abc","type":"number"},{"field":"trigger.ok","op":"exists","value":"","type":"string"},{"field":"trigger.t","op":"in","value":[],"type":"list"},{"field":"trigger.r","op":"matches","value":"(","type":"string"}]}`,
			want: `trigger.ok != nil`, problems: []string{"choose a field", "the value is not a number", "", "add at least one value", "the pattern is not valid: Invalid regular expression: /(/: Unterminated group"}},
		{name: "a nested group of one row needs no parentheses", group: `{"join":"and","items":[{"field":"trigger.a","op":"eq","value":1,"type":"number"},{"join":"or","items":[{"field":"trigger.b","op":"eq","value":2,"type":"number"}]}]}`,
			want: `trigger.a == 1 && trigger.b == 2`, problems: []string{"", ""}},
	}
	for _, tt := range built {
		t.Run("rows to expression/"+tt.name, func(t *testing.T) {
			var got struct {
				Expr     string   `json:"expr"`
				Problems []string `json:"problems"`
			}
			callJS(t, b.with(t), "conditions.js", `(m, g) => ({ expr: m.toExpr(g), problems: g.items.map((r) => r.items ? "" : m.rowProblem(r)) })`, &got, json.RawMessage(tt.group))
			if got.Expr != tt.want {
				t.Errorf("toExpr = %q, want %q", got.Expr, tt.want)
			}
			if len(got.Problems) != len(tt.problems) {
				t.Fatalf("problems %q, want %q", got.Problems, tt.problems)
			}
			for i := range tt.problems {
				if got.Problems[i] != tt.problems[i] {
					t.Errorf("row %d problem %q, want %q", i, got.Problems[i], tt.problems[i])
				}
			}
			if _, err := compiler.Expr(got.Expr); err != nil {
				t.Errorf("the engine does not compile %q: %v", got.Expr, err)
			}
		})
	}
}

// TestPickerJS checks which paths the picker offers a field: the sample
// event's, and the outputs of the steps that run before the field's step
// (earlier in its list and in each enclosing list, never a later step or
// another parallel branch), from the last test run or the action's sample
// output.
func TestPickerJS(t *testing.T) {
	b := jsModules(t)
	def := map[string]any{"steps": []any{
		map[string]any{"id": "crm", "type": "action", "connector": "demo", "action": "find"},
		map[string]any{"id": "check", "type": "filter", "if": "true"},
		map[string]any{"id": "fan", "type": "parallel", "branches": []any{
			map[string]any{"name": "a", "steps": []any{
				map[string]any{"id": "a1", "type": "map"},
				map[string]any{"id": "a2", "type": "map"},
			}},
			map[string]any{"name": "b", "steps": []any{map[string]any{"id": "b1", "type": "map"}}},
		}},
		map[string]any{"id": "each", "type": "foreach", "steps": []any{
			map[string]any{"id": "e1", "type": "map"},
			map[string]any{"id": "e2", "type": "map"},
		}},
		map[string]any{"id": "after", "type": "map"},
	}}

	t.Run("earlier steps", func(t *testing.T) {
		cases := map[string][]string{
			"steps[0]":                      {},
			"steps[1]":                      {"crm"},
			"steps[2].branches[0].steps[1]": {"crm", "check", "a1"},
			"steps[2].branches[1].steps[0]": {"crm", "check"},
			"steps[3].steps[1]":             {"crm", "check", "fan", "e1"},
			"steps[4]":                      {"crm", "check", "fan", "each"},
			"nonsense":                      {},
		}
		for path, want := range cases {
			var got []string
			callJS(t, b, "picker.js", `(m, def, p) => m.earlierSteps(def, p).map((s) => s.id)`, &got, def, path)
			if len(got) == 0 {
				got = []string{}
			}
			if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
				t.Errorf("earlierSteps(%s) = %s, want %s", path, g, w)
			}
		}
	})

	t.Run("field path to step path", func(t *testing.T) {
		cases := map[string]string{
			"steps[1].if":                         "steps[1]",
			"steps[1].cases[0].if":                "steps[1]",
			"steps[2].branches[0].steps[1].input": "steps[2].branches[0].steps[1]",
			"steps[3].steps[0].input.text":        "steps[3].steps[0]",
			"trigger.filter":                      "",
		}
		for in, want := range cases {
			var got string
			callJS(t, b, "picker.js", `(m, p) => m.stepPathOf(p)`, &got, in)
			if got != want {
				t.Errorf("stepPathOf(%s) = %q, want %q", in, got, want)
			}
		}
	})

	t.Run("value paths", func(t *testing.T) {
		var got []struct {
			Path   string `json:"path"`
			Type   string `json:"type"`
			Sample any    `json:"sample"`
		}
		sample := map[string]any{"data": map[string]any{"object": map[string]any{"amount": 2000, "odd-key": true}}, "items": []any{map[string]any{"sku": "A"}, map[string]any{"sku": "B"}}, "none": nil}
		callJS(t, b, "picker.js", `(m, v) => m.valuePaths(v, "trigger")`, &got, sample)
		want := `[{"path":"trigger.data","type":"object","sample":null},{"path":"trigger.data.object","type":"object","sample":null},` +
			`{"path":"trigger.data.object.amount","type":"number","sample":2000},{"path":"trigger.data.object[\"odd-key\"]","type":"boolean","sample":true},` +
			`{"path":"trigger.items","type":"array","sample":null},{"path":"trigger.items[0]","type":"object","sample":null},` +
			`{"path":"trigger.items[0].sku","type":"string","sample":"A"},{"path":"trigger.none","type":"null","sample":null}]`
		if g := mustJSON(t, got); g != want {
			t.Errorf("valuePaths =\n %s\nwant\n %s", g, want)
		}
	})

	t.Run("sources: sample, test run, sample output", func(t *testing.T) {
		var got []struct {
			Root   string   `json:"root"`
			Source string   `json:"source"`
			Paths  []string `json:"paths"`
		}
		catalog := map[string]any{"list": []any{map[string]any{"name": "demo", "actions": []any{map[string]any{"name": "find", "output_sample": map[string]any{"id": "c_1"}}}}}}
		callJS(t, b, "picker.js", `(m, def, cat) => {
			const catalog = { byName: new Map(cat.list.map((c) => [c.name, c])) };
			return m.pickSources(def, "steps[2].branches[0].steps[1].map", { sample: { amount: 5 }, lastRun: m.outputsOf([{ id: "check", output: { passed: true } }, { path: "fan.a.a1", output: { n: 1 } }]), catalog })
				.map((s) => ({ root: s.root, source: s.source, paths: s.paths.map((p) => p.path) }));
		}`, &got, def, catalog)
		want := `[{"root":"trigger","source":"sample","paths":["trigger.amount"]},` +
			`{"root":"steps.crm","source":"sample output","paths":["steps.crm.id"]},` +
			`{"root":"steps.check","source":"test run","paths":["steps.check.passed"]},` +
			`{"root":"steps.a1","source":"test run","paths":["steps.a1.n"]}]`
		if g := mustJSON(t, got); g != want {
			t.Errorf("pickSources =\n %s\nwant\n %s", g, want)
		}
	})

	t.Run("closest path", func(t *testing.T) {
		var got []string
		callJS(t, b, "picker.js", `(m) => [m.closestPath("trigger.customer.nmae", ["trigger.customer.name", "trigger.customer.email", "trigger.name"]), m.closestPath("trigger.zzz", ["trigger.amount"])]`, &got)
		if mustJSON(t, got) != `["trigger.customer.name",""]` {
			t.Errorf("closestPath = %q", got)
		}
	})
	if p := b.pageProblems(); len(p) > 0 {
		t.Fatalf("the page reported problems: %v", p)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
