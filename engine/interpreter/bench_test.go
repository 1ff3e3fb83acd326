package interpreter

import (
	"testing"
)

// tenSteps is a 10-step definition touching filter, map, branch, switch,
// foreach, parallel, action, delay and respond.
const tenSteps = `{"name": "bench", "trigger": {"type": "webhook"}, "vars": {"channel": "#sales"}, "steps": [
	{"id": "big", "type": "filter", "if": "trigger.data.amount >= 100"},
	{"id": "fields", "type": "map", "map": {"email": "trigger.data.email", "cents": "trigger.data.amount", "sku": "trigger.items.#.sku"}},
	{"id": "route", "type": "branch", "cases": [{"if": "steps.fields.cents > 1000", "next": "kind"}], "default": "kind"},
	{"id": "kind", "type": "switch", "value": "trigger.type", "cases": [{"equals": "paid", "next": "crm"}], "default": "crm"},
	{"id": "crm", "type": "action", "connector": "test", "action": "echo", "credential": "test-cred", "input": {"value": "{{ steps.fields.email }}"}},
	{"id": "each", "type": "foreach", "items": "trigger.items", "concurrency": 2, "steps": [
		{"id": "line", "type": "map", "map": {"sku": "item.sku", "i": "{{ index }}"}}]},
	{"id": "fan", "type": "parallel", "branches": [
		{"name": "a", "steps": [{"id": "pa", "type": "map", "map": {"x": "{{ vars.channel }}"}}]},
		{"name": "b", "steps": [{"id": "pb", "type": "map", "map": {"y": "{{ len(steps.each) }}"}}]}]},
	{"id": "pause", "type": "delay", "duration": "1h"},
	{"id": "reply", "type": "respond", "status": 200, "body": {"ok": true}},
	{"id": "tell", "type": "action", "connector": "test", "action": "echo", "input": {"value": "Paid {{ steps.fields.cents / 100 }} to {{ vars.channel }}"}}]}`

// BenchmarkInterpret10Steps runs a 10-step definition end to end in the
// test environment with real activities (SQLite store, decrypted
// credential), so it measures the interpreter plus the SDK's test harness.
func BenchmarkInterpret10Steps(b *testing.B) {
	fx := newFixture(b)
	in := input(b, tenSteps, `{"type": "paid", "data": {"amount": 15000, "email": "ada@example.com"},
		"items": [{"sku": "a"}, {"sku": "b"}, {"sku": "c"}]}`)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		env := fx.newEnv(b)
		_, err, l := run(b, env, in)
		if err != nil {
			b.Fatal(err)
		}
		if l.Status != StatusCompleted {
			b.Fatalf("status %s", l.Status)
		}
	}
}
