package interpreter

import (
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/sdk/workflow"
)

// A 64-bit id above 2^53 keeps every digit from the event body through
// templates, gjson lookups, an action's input and output, and an http
// step's request body (interpreter version 8). Before, the body decoded
// into float64s: 9007199254740993 read 9007199254740992 and
// string(trigger.id) gave "9.007199254740992e+15".
func TestExactNumbersEndToEnd(t *testing.T) {
	fx := newFixture(t)
	srv := newSink(t)
	def := fmt.Sprintf(`{"name": "ids", "trigger": {"type": "webhook"}, "steps": [
		{"id": "ids", "type": "map", "map": {"text": "{{ string(trigger.id) }}", "typed": "{{ trigger.id }}",
			"plain": "trigger.id", "query": "trigger.lines.#(qty>1)#.sku", "mixed": "Order {{ trigger.id }}",
			"price": "trigger.price"}},
		{"id": "echo", "type": "action", "connector": "test", "action": "echo", "credential": "test-cred",
			"input": {"value": {"id": "{{ trigger.id }}", "skus": "{{ steps.ids.query }}"}}},
		{"id": "back", "type": "map", "map": {"text": "{{ string(steps.echo.echo.id) }}"}},
		{"id": "post", "type": "http", "method": "POST", "url": "%s/ids", "body": {"id": "{{ steps.echo.echo.id }}"}}]}`, srv.URL)
	body := `{"id": 9007199254740993, "price": 19.5, "lines": [{"sku": 12345678901234567, "qty": 2}, {"sku": 1, "qty": 1}]}`
	_, err, l := run(t, fx.newEnv(t), input(t, def, body))
	if err != nil {
		t.Fatalf("run failed: %v", err)
	}
	if got, want := string(step(t, l, "ids").Output),
		`{"mixed":"Order 9007199254740993","plain":9007199254740993,"price":19.5,"query":[12345678901234567],"text":"9007199254740993","typed":9007199254740993}`; got != want {
		t.Errorf("map output\n got %s\nwant %s", got, want)
	}
	if got, want := string(step(t, l, "echo").Output), `"echo":{"id":9007199254740993,"skus":[12345678901234567]}`; !strings.Contains(got, want) {
		t.Errorf("action output %s, want it to hold %s", got, want)
	}
	if got := string(step(t, l, "back").Output); got != `{"text":"9007199254740993"}` {
		t.Errorf("output read back = %s", got)
	}
	if len(srv.bodies) != 1 || srv.bodies[0] != `{"id":9007199254740993}` {
		t.Errorf("http body = %v", srv.bodies)
	}
}

// A run recorded before version 8 keeps the float64 model on replay.
func TestNumbersBeforeVersion8StayFloat(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	env.OnGetVersion(versionChangeID, workflow.DefaultVersion, interpreterVersion).Return(versionBudgets)
	def := `{"name": "ids", "trigger": {"type": "webhook"}, "steps": [
		{"id": "ids", "type": "map", "map": {"text": "{{ string(trigger.id) }}"}}]}`
	_, err, l := run(t, env, input(t, def, `{"id": 5733011112023}`))
	if err != nil {
		t.Fatalf("run failed: %v", err)
	}
	if got := string(step(t, l, "ids").Output); got != `{"text":"5.733011112023e+12"}` {
		t.Errorf("version 7 output = %s, want the float64 text it always gave", got)
	}
}
