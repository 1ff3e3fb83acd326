package interpreter

import (
	"strings"
	"testing"
)

// A filter that stops a run records why: the values of the paths its
// condition read, absent ones as null, big ones summarised.
func TestFilterRecordsWhy(t *testing.T) {
	def := `{"name": "f", "trigger": {"type": "webhook"}, "steps": [
		{"id": "big", "type": "filter", "if": "trigger.amount >= 10000 && trigger.currency == \"usd\" || trigger.vip != nil || len(trigger.lines) > 99"},
		{"id": "crm", "type": "action", "connector": "test", "action": "echo", "input": {"value": 1}}]}`
	lines := `[` + strings.Repeat(`{"sku": "abcdefghijklmnop"},`, 40) + `{"sku": "z"}]`
	res, err, l := run(t, newFixture(t).newEnv(t), input(t, def, `{"amount": 50, "currency": "usd", "lines": `+lines+`}`))
	if err != nil || res.Status != StatusFiltered {
		t.Fatalf("status %s, err %v; want filtered", res.Status, err)
	}
	want := `{"passed":false,"values":{"trigger.amount":50,"trigger.currency":"usd","trigger.lines":"(a list of 41 items)","trigger.vip":null}}`
	if got := string(l.Steps[0].Output); got != want {
		t.Errorf("output\n %s\nwant\n %s", got, want)
	}

	// A passing filter's output is unchanged: later steps may read it.
	res, err, l = run(t, newFixture(t).newEnv(t), input(t, def, `{"amount": 50000, "currency": "usd", "lines": []}`))
	if err != nil || res.Status != StatusCompleted {
		t.Fatalf("status %s, err %v; want completed", res.Status, err)
	}
	if got := string(l.Steps[0].Output); got != `{"passed":true}` {
		t.Errorf("passing filter output %s", got)
	}
}
