package interpreter

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestCodeStep(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "code", "trigger": {"type": "webhook"}, "vars": {"currency": "EUR"}, "steps": [
		{"id": "fields", "type": "map", "map": {"customer": "trigger.customer"}},
		{"id": "sum", "type": "code", "timeout": "10s", "code": "console.log('lines', trigger.items.length);\nreturn {total: trigger.items.reduce((a, i) => a + i.price * i.qty, 0), currency: vars.currency, who: steps.fields.customer, event: event.type}"},
		{"id": "each", "type": "foreach", "items": "trigger.items", "steps": [
			{"id": "label", "type": "code", "timeout": "10s", "code": "return index + ': ' + item.sku"}]},
		{"id": "tell", "type": "action", "connector": "test", "action": "echo", "input": {"value": "{{ steps.sum.total }} {{ steps.sum.currency }}"}}]}`
	body := `{"customer": "Ada", "items": [{"sku": "a", "price": 2.5, "qty": 2}, {"sku": "b", "price": 10, "qty": 1}]}`
	_, err, l := run(t, fx.newEnv(t), input(t, def, body))
	if err != nil {
		t.Fatal(err)
	}
	sum := step(t, l, "sum")
	want := map[string]any{"total": 15.0, "currency": "EUR", "who": "Ada", "event": "test.event"}
	if got := output(t, sum); !reflect.DeepEqual(got, want) {
		t.Errorf("sum output = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(sum.Logs, []string{"lines 2"}) {
		t.Errorf("sum logs = %q", sum.Logs)
	}
	if got := string(step(t, l, "each[1].label").Output); got != `"1: b"` {
		t.Errorf("label in foreach = %s", got)
	}
	if got := output(t, step(t, l, "tell"))["echo"]; got != "15 EUR" {
		t.Errorf("echo = %v", got)
	}
}

// TestCodeStepErrors: a script's failures are permanent step errors of
// class code with the script's line:column, which on_error handles.
func TestCodeStepErrors(t *testing.T) {
	tests := []struct {
		name, code string
		want       string
	}{
		// Every case but the infinite loop sets the longest timeout, so
		// that a busy machine cannot turn its error into a timeout.
		{name: "runtime error", code: `const a = 1;\nreturn trigger.nope.x`,
			want: "code: line 2:21: TypeError: Cannot read property 'x' of undefined"},
		{name: "infinite loop", code: `while (true) {}`, want: "code exceeded 1s (the step's timeout): it may loop forever"},
		{name: "deep recursion", code: `function f() { return f() + 1 }\nreturn f()`, want: "too much recursion"},
		{name: "huge allocation", code: `return 'x'.repeat(1e9)`, want: "over the code step's memory budget of 64 MB"},
		{name: "output too large", code: `return 'y'.repeat(2e6)`, want: "the returned value is larger than 1024 KB"},
		{name: "no require", code: `return require('child_process')`, want: "ReferenceError: require is not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			timeout := "10s"
			if tt.name == "infinite loop" {
				timeout = "1s"
			}
			fx := newFixture(t)
			def := fmt.Sprintf(`{"name": "code", "trigger": {"type": "webhook"}, "steps": [
				{"id": "c", "type": "code", "code": %q, "timeout": %q, "on_error": "continue"},
				{"id": "after", "type": "map", "map": {"msg": "steps.c.error.message", "class": "steps.c.error.class"}}]}`, strings.ReplaceAll(tt.code, `\n`, "\n"), timeout)
			_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
			if err != nil {
				t.Fatal(err)
			}
			c := step(t, l, "c")
			if c.ErrorClass != classCode || !strings.Contains(c.Error, tt.want) {
				t.Errorf("step error = %q (%s), want %q (code)", c.Error, c.ErrorClass, tt.want)
			}
			if c.Attempts > 1 {
				t.Errorf("a code error was retried: %d attempts", c.Attempts)
			}
			after := output(t, step(t, l, "after"))
			if after["class"] != classCode || !strings.Contains(fmt.Sprint(after["msg"]), tt.want) {
				t.Errorf("on_error continue output = %v", after)
			}
		})
	}
}

// TestCodeStepFailsTheRun: without on_error a code error fails the run,
// naming the step.
func TestCodeStepFailsTheRun(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "code", "trigger": {"type": "webhook"}, "steps": [
		{"id": "c", "type": "code", "timeout": "10s", "code": "throw new Error('no price on ' + trigger.sku)"}]}`
	_, err, _ := run(t, fx.newEnv(t), input(t, def, `{"sku": "a-1"}`))
	if err == nil || !strings.Contains(err.Error(), "step c: code: line 1:7: Error: no price on a-1") {
		t.Fatalf("err = %v", err)
	}
}
