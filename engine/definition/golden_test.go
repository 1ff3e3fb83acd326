package definition

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

var update = flag.Bool("update", false, "rewrite testdata/validate.golden from the current validator")

// allFields sets every step field, so each kind reports the fields that
// are not its own and checks the ones that are.
const allFields = `"name": "n", "description": "d", "next": "z", "retry": {"max_attempts": 2}, "timeout": "5s", "on_error": "continue",
	"connector": "slack", "action": "post_message", "credential": "slack-bot", "input": {"channel": "#a", "text": "t"},
	"method": "POST", "url": "https://example.com/x", "headers": {"X-A": "{{ trigger.a }}"}, "query": {"q": "1"}, "body": {"b": "{{ trigger.b }}"},
	"status": 201, "if": "trigger.x > 1", "value": "trigger.kind", "cases": [{"if": "true", "next": "z"}], "default": "z",
	"map": {"v": "trigger.v"}, "items": "trigger.list", "steps": [{"id": "inner", "type": "stop"}], "concurrency": 2, "max_items": 3,
	"branches": [{"name": "a", "steps": [{"id": "ba", "type": "stop"}]}, {"name": "b", "steps": [{"id": "bb", "type": "stop"}]}],
	"duration": "1m", "until": "trigger.at", "event": "e", "correlation_key": "trigger.id", "match": "received.ok",
	"approval": {"message": "ok?"}, "wait_timeout": "1h", "on_timeout": "z", "workflow": "wf", "workflow_input": {"a": 1}, "wait": false,
	"message": "m"`

// goldenCases is a corpus that reaches every validation message of every
// step kind and of the graph walk. Its errors, in order, are pinned in
// testdata/validate.golden, with and without a catalog.
var goldenCases = []struct{ name, doc string }{
	{"every field on every kind", func() string {
		var steps []string
		for _, k := range Kinds {
			steps = append(steps, fmt.Sprintf(`{"id": "k_%s", "type": %q, %s}`, k, k, allFields))
		}
		steps = append(steps, `{"id": "z", "type": "stop"}`)
		return `{"name": "t", "trigger": {"type": "webhook", "connector": "slack", "respond": "on_complete"}, "steps": [` + strings.Join(steps, ",\n") + `]}`
	}()},
	{"missing and unknown type", def(`{"id": "a"}, {"id": "b", "type": "repeat"}, {"type": "stop"}, {"id": "1x", "type": "stop"}`)},
	{"null step", `{"name": "t", "trigger": {"type": "manual"}, "steps": [null, {"id": "a", "type": "stop"}]}`},
	{"targets", def(`{"id": "a", "type": "map", "map": {"v": "trigger.v"}, "next": "a", "on_error": "goto:nope"},
		{"id": "b", "type": "wait_for_event", "event": "e", "correlation_key": "trigger.id", "wait_timeout": "1h", "on_timeout": "in", "on_error": "retry"},
		{"id": "c", "type": "foreach", "items": "trigger.l", "steps": [{"id": "in", "type": "stop"}], "next": "missing"},
		{"id": "d", "type": "branch", "cases": [{"if": "true", "next": "d"}], "default": "in"}`)},
	{"retry and timeout", def(`{"id": "a", "type": "action", "connector": "slack", "action": "post_message", "credential": "slack-bot",
		"input": {"channel": "#a", "text": "b"}, "timeout": "-1s",
		"retry": {"max_attempts": 1000, "initial_interval": "2d", "max_interval": "x", "backoff": 101, "non_retryable": ["permanent", " "]}}`)},
	{"action", def(`{"id": "a", "type": "action"},
		{"id": "b", "type": "action", "connector": "slack"},
		{"id": "c", "type": "action", "connector": "slack", "action": "post_message", "input": {"channel": "{{ tigger.c }}", "text": 5, "unfurl": "{{ trigger.u }}", "thread_ts": "{{ trigger.ts }} s", "extra": "{{ vars.nope }}"}},
		{"id": "d", "type": "action", "connector": "nope", "action": "x", "input": {"a": "{{ trigger.x }"}},
		{"id": "e", "type": "action", "connector": "slack", "action": "post", "credential": "slack-bot", "input": {"a": "{{ steps.zz.x }}"}}`)},
	{"action input types", `{"name": "t", "trigger": {"type": "manual"}, "steps": [{"id": "a", "type": "action", "connector": "typed", "action": "all",
		"input": {"i": 1.5, "n": "x", "s": 1, "b": 1, "o": [], "a": {}, "any": {"x": "{{ trigger.y }}"}, "e": "c", "p": "bad"}},
		{"id": "b", "type": "action", "connector": "typed", "action": "all", "input": {"i": 2, "n": 1.5, "s": "x", "b": true, "o": {}, "a": [1, "{{ trigger.z }}"], "e": "a", "p": "ok1"}}]}`},
	{"http", def(`{"id": "a", "type": "http", "method": "FETCH"},
		{"id": "b", "type": "http", "url": "ftp://example.com", "headers": {" ": "x", "Y": "{{ trigger.y"}, "query": {"q": "{{ vars.nope }}"}, "body": ["{{ steps.b.x }}"]},
		{"id": "c", "type": "http", "url": "{{ trigger.url }}", "credential": "nope"},
		{"id": "d", "type": "http", "url": "not a url"},
		{"id": "e", "type": "http", "url": "https://example.com", "credential": "slack-bot"}`)},
	{"filter", def(`{"id": "a", "type": "filter"}, {"id": "b", "type": "filter", "if": "received.x"}, {"id": "c", "type": "filter", "if": "index > 0"}`)},
	{"branch and switch", def(`{"id": "a", "type": "branch"},
		{"id": "b", "type": "branch", "cases": [null, {"equals": 1, "next": ""}, {"if": "trigger.x >", "next": "c"}], "default": "d"},
		{"id": "c", "type": "switch", "cases": [{"if": "true", "equals": "x", "next": "d"}]},
		{"id": "d", "type": "switch", "value": "trigger.kind +", "cases": [{"equals": "{{ trigger.k }}", "next": "zz"}]},
		{"id": "e", "type": "stop"}`)},
	{"map", def(`{"id": "a", "type": "map"}, {"id": "b", "type": "map", "map": {}},
		{"id": "c", "type": "map", "map": {"p": "data.x", "t": "{{ trigger.x }}", "bad": "{{ trigger. }}", "n": {"deep": "steps.a.v", "list": ["trigger.l", "x.y", 1, true, null]}, "num": 1, "self": "steps.c.v", "item": "item.x"}}`)},
	{"foreach", def(`{"id": "a", "type": "foreach"},
		{"id": "b", "type": "foreach", "items": "trigger.l", "steps": [], "concurrency": 101, "max_items": 10001},
		{"id": "c", "type": "foreach", "items": "trigger.l +", "concurrency": 1, "max_items": 1, "steps": [{"id": "c1", "type": "map", "map": {"v": "item.x", "i": "{{ index }}", "o": "steps.c2.v"}}, {"id": "c2", "type": "map", "map": {"v": "steps.c1.v"}}]},
		{"id": "d", "type": "filter", "if": "steps.c1.v > 0 && len(steps.c) > 0"}`)},
	{"parallel", def(`{"id": "a", "type": "parallel"},
		{"id": "b", "type": "parallel", "branches": [null, {"name": "", "steps": []}, {"name": "1x", "steps": [{"id": "b1", "type": "stop"}]}, {"name": "ok", "steps": [{"id": "b2", "type": "map", "map": {"v": "trigger.v"}}]}, {"name": "ok", "steps": [{"id": "b3", "type": "map", "map": {"v": "steps.b2.v"}}]}]},
		{"id": "c", "type": "filter", "if": "steps.b2.v == steps.b3.v && steps.b1 == nil"}`)},
	{"parallel steps after the join", def(`{"id": "p", "type": "parallel", "branches": [
		{"name": "x", "steps": [{"id": "x1", "type": "branch", "cases": [{"if": "true", "next": "x3"}]}, {"id": "x2", "type": "map", "map": {"v": "trigger.v"}}, {"id": "x3", "type": "map", "map": {"v": "trigger.v"}}]},
		{"name": "y", "steps": [{"id": "y1", "type": "map", "map": {"v": "trigger.v"}}]}]},
		{"id": "after", "type": "map", "map": {"a": "steps.x1.next", "b": "steps.x2.v", "c": "steps.x3.v", "d": "steps.y1.v", "e": "steps.p.x"}}`)},
	{"delay", def(`{"id": "a", "type": "delay"}, {"id": "b", "type": "delay", "duration": "1m", "until": "x"},
		{"id": "c", "type": "delay", "duration": "400d"}, {"id": "d", "type": "delay", "until": "2026-01-02T03:04:05Z"},
		{"id": "e", "type": "delay", "until": "trigger.at +"}, {"id": "f", "type": "delay", "duration": "0s"}`)},
	{"wait_for_event", def(`{"id": "a", "type": "wait_for_event"},
		{"id": "b", "type": "wait_for_event", "event": "e", "approval": {"message": "x"}, "wait_timeout": "1h"},
		{"id": "c", "type": "wait_for_event", "event": "e", "match": "received.x == trigger.x && item > 0", "wait_timeout": "1h"},
		{"id": "d", "type": "wait_for_event", "approval": {"message": "{{ steps.zz }}", "approvers": ["a"]}, "correlation_key": "trigger.x +", "wait_timeout": "1x"},
		{"id": "e", "type": "wait_for_event", "approval": {}, "wait_timeout": "1h", "on_timeout": "f"},
		{"id": "f", "type": "stop", "message": "{{ steps.e.approved }}"}`)},
	{"respond on immediate", def(`{"id": "a", "type": "respond", "status": 99, "headers": {"": "x", "H": "{{ tr.x }}"}, "body": {"x": "{{ steps.a.x }}"}}`)},
	{"respond on complete", `{"name": "t", "trigger": {"type": "webhook", "connector": "slack", "respond": "on_complete"}, "steps": [
		{"id": "a", "type": "respond", "status": 600, "body": "{{ trigger.x }}"}, {"id": "b", "type": "respond"}]}`},
	{"respond on manual", `{"name": "t", "trigger": {"type": "manual"}, "steps": [{"id": "a", "type": "respond"}]}`},
	{"call_workflow", def(`{"id": "a", "type": "call_workflow"}, {"id": "b", "type": "call_workflow", "workflow": "wf", "workflow_input": {"x": ["{{ trigger.x }}", "{{ vars.nope }}"]}, "wait": true}`)},
	{"stop and fail", def(`{"id": "a", "type": "branch", "cases": [{"if": "true", "next": "c"}]}, {"id": "b", "type": "stop", "message": "{{ bad"}, {"id": "c", "type": "fail"}, {"id": "d", "type": "fail", "message": "{{ steps.b.x }}"}`)},
	{"cycles", def(`{"id": "a", "type": "branch", "cases": [{"if": "true", "next": "c"}], "default": "b"},
		{"id": "b", "type": "map", "map": {"v": "trigger.v"}, "next": "a"},
		{"id": "c", "type": "wait_for_event", "event": "e", "correlation_key": "trigger.id", "wait_timeout": "1h", "on_timeout": "a", "next": "d"},
		{"id": "d", "type": "http", "url": "https://example.com", "on_error": "goto:c"},
		{"id": "e", "type": "filter", "if": "steps.a.next != ''"}`)},
	{"goto and continue availability", def(`{"id": "a", "type": "http", "url": "https://example.com", "on_error": "goto:c"},
		{"id": "b", "type": "http", "url": "https://example.com/{{ steps.a.body }}", "on_error": "continue"},
		{"id": "c", "type": "filter", "if": "steps.a.status == 200 || steps.b.status == 200"}`)},
	{"stop steps have no following edge", def(`{"id": "a", "type": "branch", "cases": [{"if": "true", "next": "c"}]},
		{"id": "b", "type": "stop"}, {"id": "c", "type": "fail", "message": "x", "on_error": "goto:b"}`)},
	{"nesting", func() string {
		body := `{"id": "l10", "type": "stop"}`
		for i := 9; i >= 1; i-- {
			body = fmt.Sprintf(`{"id": "l%d", "type": "foreach", "items": "item", "steps": [%s]}`, i, body)
		}
		return `{"name": "t", "trigger": {"type": "manual"}, "steps": [` + body + `]}`
	}()},
	{"vars and trigger", `{"name": " ", "trigger": {"type": "webhook", "connector": "slack", "credential": "stripe-live", "respond": "later", "respond_timeout": "2m",
		"events": ["", "x"], "filter": "vars.nope", "options": {"o": 1}, "schedule": {"every": "1m"}},
		"vars": {"1x": "{{ trigger.x }}", "ok": "{{ steps.a.x }}"}, "settings": {"run_timeout": "400d"}, "steps": [{"id": "a", "type": "stop"}]}`},
	{"schedule trigger", `{"name": "t", "trigger": {"type": "schedule", "credential": "c", "events": ["e"], "respond": "immediate", "respond_timeout": "1s", "options": {"a": 1},
		"schedule": {"cron": "* * * * *", "every": "10s", "timezone": "Europe/Paris"}}, "steps": [{"id": "a", "type": "stop"}]}`},
	{"schedule every", `{"name": "t", "trigger": {"type": "schedule", "schedule": {"every": "10s"}}, "steps": [{"id": "a", "type": "stop"}]}`},
	{"trigger types", `{"name": "t", "trigger": {"type": "poll"}, "steps": []}`},
	{"no trigger type", `{"name": "t", "trigger": {}, "steps": [{"id": "a", "type": "stop"}]}`},
	{"unknown trigger connector", `{"name": "t", "trigger": {"type": "webhook", "connector": "nope"}, "steps": [{"id": "a", "type": "stop"}]}`},
}

// typedEnv adds to testEnv a connector without credentials whose action
// has one field of every type.
var typedEnv = &StaticEnv{
	Specs: []*connectors.Spec{testEnv.Specs[0], {Name: "typed", Actions: []*connectors.Action{{Name: "all", Input: []connectors.Field{
		{Name: "i", Type: connectors.TypeInteger}, {Name: "n", Type: connectors.TypeNumber}, {Name: "s", Type: connectors.TypeString, Required: true},
		{Name: "b", Type: connectors.TypeBoolean}, {Name: "o", Type: connectors.TypeObject}, {Name: "a", Type: connectors.TypeArray},
		{Name: "any", Type: connectors.TypeAny}, {Name: "d", Type: connectors.TypeString, Required: true, Default: "x"},
		{Name: "e", Type: connectors.TypeString, Enum: []string{"a", "b"}}, {Name: "p", Type: connectors.TypeString, Pattern: "^ok[0-9]$"},
	}}}}},
	Credentials: testEnv.Credentials,
}

// TestValidateGolden pins the exact errors, and their order, that the
// corpus gives, offline and against a catalog.
func TestValidateGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range goldenCases {
		for _, env := range []struct {
			name string
			env  Env
		}{{"offline", nil}, {"catalog", typedEnv}} {
			// Parsed afresh: validation replaces null steps in place.
			d, perrs := Parse([]byte(c.doc))
			if d == nil {
				t.Fatalf("%s: %v", c.name, Errors(perrs))
			}
			fmt.Fprintf(&b, "=== %s (%s)\n", c.name, env.name)
			for _, e := range perrs {
				fmt.Fprintf(&b, "parse: %s\n", e.Error())
			}
			for _, e := range Validate(d, env.env) {
				fmt.Fprintf(&b, "%s\n", e.Error())
			}
		}
	}
	golden := filepath.Join("testdata", "validate.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading %s (write it with -update): %v", golden, err)
	}
	if b.String() != string(want) {
		t.Errorf("validation errors differ from %s:\n%s", golden, firstDiff(string(want), b.String()))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, w, g)
		}
	}
	return "(no line differs)"
}
