package jsruntime

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func input() Input {
	return Input{
		Trigger: map[string]any{"items": []any{
			map[string]any{"sku": "a", "price": 2.5},
			map[string]any{"sku": "b", "price": 4},
		}},
		Steps: map[string]any{"crm": map[string]any{"id": "c-1"}},
		Vars:  map[string]any{"currency": "EUR"},
		Event: map[string]any{"id": "evt_1", "type": "order.created"},
	}
}

func TestRunHappyPath(t *testing.T) {
	src := `console.log("items:", trigger.items.length, {x: 1});
const total = trigger.items.reduce((a, i) => a + i.price, 0);
return {total, currency: vars.currency, crm: steps.crm.id, type: event.type,
        skus: trigger.items.map(i => i.sku), when: new Date(0), nothing: undefined, nan: NaN};`
	res, err := Run(context.Background(), src, input(), Limits{Timeout: MaxTimeout})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"total": 6.5, "currency": "EUR", "crm": "c-1", "type": "order.created",
		"skus": []any{"a", "b"}, "when": "1970-01-01T00:00:00.000Z", "nan": nil}
	if !reflect.DeepEqual(res.Value, want) {
		t.Errorf("value = %#v, want %#v", res.Value, want)
	}
	if !reflect.DeepEqual(res.Logs, []string{`items: 2 {"x":1}`}) {
		t.Errorf("logs = %q", res.Logs)
	}
}

func TestRunUndefinedIsNull(t *testing.T) {
	res, err := Run(context.Background(), `let x = 1`, input(), Limits{Timeout: MaxTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if res.Value != nil {
		t.Errorf("value = %#v, want nil", res.Value)
	}
}

// TestRunErrors pins the exact text of each failure a user can meet.
func TestRunErrors(t *testing.T) {
	tests := []struct {
		name, src string
		lim       Limits
		kind      string
		want      string
	}{
		{name: "syntax error", src: "let a = 1;\nreturn {a: };", kind: KindSyntax,
			want: "code: line 2:12: SyntaxError: Unexpected token }"},
		{name: "type error with position", src: "const a = 1;\n\nreturn  trigger.nope.x;", kind: KindRuntime,
			want: "code: line 3:22: TypeError: Cannot read property 'x' of undefined"},
		{name: "thrown error", src: "throw new Error('bad order')", kind: KindRuntime,
			want: "code: line 1:7: Error: bad order"},
		{name: "infinite loop", src: "while (true) {}", kind: KindTimeout,
			want: "code exceeded 1s (the step's timeout): it may loop forever"},
		{name: "deep recursion", src: "function f(n) { return f(n + 1) + 1 }\nreturn f(0)", kind: KindStack,
			want: "RangeError: too much recursion: calls nested more than 1000 deep"},
		{name: "huge repeat", src: "return 'x'.repeat(1e9).length", kind: KindMemory,
			want: "code: line 1:18: RangeError: repeat would make a string of 953 MB, over the code step's memory budget of 64 MB"},
		{name: "huge padStart", src: "return ''.padStart(2e9, 'ab')", kind: KindMemory,
			want: "RangeError: padStart would make a string of 1907 MB"},
		{name: "array growth", src: "const a = []; while (true) { a.push(new Array(1000).fill('abcdefgh' + a.length)) }",
			lim: Limits{Timeout: MaxTimeout}, kind: KindMemory, want: "code used more than 64 MB of memory (the step's memory_mb)"},
		{name: "output too large", src: "return 'y'.repeat(2 << 20)", kind: KindOutput,
			want: "code: the returned value is larger than 1024 KB as JSON (at result): return less data"},
		{name: "function", src: "return {f: () => 1}", kind: KindOutput,
			want: "code: the returned value holds a function at result.f, which is not JSON"},
		{name: "cycle", src: "const a = {}; a.self = a; return a", kind: KindOutput,
			want: "code: the returned value refers to itself (a cycle at result.self): return plain data"},
		{name: "bigint", src: "return [10n]", kind: KindOutput,
			want: "code: the returned value holds a BigInt (convert it with Number() or String()) at result[0]"},
		{name: "map", src: "return new Map()", kind: KindOutput, want: "holds a Map"},
		{name: "throwing getter", src: "return {get x() { throw new Error('no x') }}", kind: KindRuntime,
			want: "Error: no x"},
		{name: "looping getter", src: "return {get x() { while (true) {} }}", kind: KindTimeout,
			want: "code exceeded 1s"},
		{name: "no require", src: "return require('fs')", kind: KindRuntime,
			want: "code: line 1:15: ReferenceError: require is not defined"},
		{name: "no fetch", src: "return fetch('http://example.com')", kind: KindRuntime,
			want: "ReferenceError: fetch is not defined"},
		{name: "no timers", src: "setTimeout(() => 1, 10)", kind: KindRuntime,
			want: "ReferenceError: setTimeout is not defined"},
		{name: "no process", src: "return process.env", kind: KindRuntime,
			want: "ReferenceError: process is not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := tt.lim
			if lim.Timeout == 0 && tt.kind != KindTimeout {
				// Only the timeout cases depend on the 1s default; the
				// others must not fail on a busy machine.
				lim.Timeout = MaxTimeout
			}
			_, err := Run(context.Background(), tt.src, input(), lim)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if e.Kind != tt.kind {
				t.Errorf("kind = %q, want %q (%v)", e.Kind, tt.kind, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestRunAfterBudgetsTheProcessIsFine runs a normal script after the
// budget-breaking ones: the VMs they stopped leave nothing behind.
func TestRunAfterBudgetsTheProcessIsFine(t *testing.T) {
	for _, src := range []string{"while (true) {}", "function f() { return f() }\nreturn f()", "return 'x'.repeat(1e9)"} {
		if _, err := Run(context.Background(), src, input(), Limits{Timeout: 200 * time.Millisecond}); err == nil {
			t.Fatalf("%s: no error", src)
		}
	}
	res, err := Run(context.Background(), "return 1 + 1", input(), Limits{Timeout: MaxTimeout})
	if err != nil || res.Value != int64(2) {
		t.Fatalf("after the budgets: %#v, %v", res, err)
	}
}

func TestRunContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := Run(ctx, "while (true) {}", input(), Limits{Timeout: MaxTimeout})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRunLogsAreBounded(t *testing.T) {
	res, err := Run(context.Background(), "for (let i = 0; i < 500; i++) console.log('x'.repeat(5000))", input(), Limits{Timeout: MaxTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Logs) != MaxLogLines+1 || len(res.Logs[0]) > MaxLogLineBytes+len("…") {
		t.Errorf("%d lines, first %d bytes", len(res.Logs), len(res.Logs[0]))
	}
}

func TestCompileSyntaxErrorAtEnd(t *testing.T) {
	_, err := Compile("if (x) {\n  return 1")
	if err == nil || !strings.HasPrefix(err.Error(), "code: line 2:") {
		t.Fatalf("err = %v", err)
	}
}
