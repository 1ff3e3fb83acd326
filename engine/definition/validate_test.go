package definition

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

// testEnv is a small catalog: a slack connector with post_message and two
// saved credentials.
var testEnv = &StaticEnv{
	Specs: []*connectors.Spec{{
		Name:       "slack",
		Credential: []connectors.Field{{Name: "bot_token", Type: connectors.TypeString, Required: true, Secret: true}},
		Triggers:   []*connectors.Trigger{{Name: "webhook"}},
		Actions: []*connectors.Action{{Name: "post_message", Input: []connectors.Field{
			{Name: "channel", Type: connectors.TypeString, Required: true, Pattern: "^[#@CUG]", PatternHelp: "a channel starts with # or an id"},
			{Name: "text", Type: connectors.TypeString, Required: true},
			{Name: "unfurl", Type: connectors.TypeBoolean},
			{Name: "priority", Type: connectors.TypeString, Enum: []string{"low", "high"}},
			{Name: "thread_ts", Type: connectors.TypeNumber},
		}}},
	}},
	Credentials: map[string]string{"slack-bot": "slack", "stripe-live": "stripe"},
}

// def builds a definition document around the given steps.
func def(steps string) string {
	return `{"name": "t", "trigger": {"type": "webhook", "connector": "slack", "credential": "slack-bot"},
	"vars": {"channel": "#sales"}, "steps": [` + steps + `]}`
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // Error() of each error, snippets included
	}{
		{name: "valid", doc: def(`{"id": "a", "type": "filter", "if": "trigger.amount > 1"},
			{"id": "b", "type": "action", "connector": "slack", "action": "post_message", "credential": "slack-bot",
			 "input": {"channel": "{{ vars.channel }}", "text": "paid {{ trigger.amount }}", "unfurl": false}}`)},
		{name: "unknown on_overflow", doc: def(`{"id": "a", "type": "foreach", "items": "trigger.items", "max_items": 5, "on_overflow": "drop", "steps": [{"id": "b", "type": "map", "map": {"x": "item"}}]}`),
			want: []string{`steps[0].on_overflow: unknown on_overflow "drop": want fail or truncate`}},
		{name: "on_overflow on another kind", doc: def(`{"id": "a", "type": "filter", "if": "true", "on_overflow": "fail"}`),
			want: []string{`steps[0]: field "on_overflow" is not allowed on a filter step`}},
		{name: "unknown name in if", doc: def(`{"id": "a", "type": "filter", "if": "amout > 1"}`),
			want: []string{"steps[0].if: unknown name \"amout\" (1:1)\n | amout > 1\n | ^"}},
		{name: "misspelt root in template", doc: def(`{"id": "a", "type": "map", "map": {"x": "{{ trigegr.x }}"}}`),
			want: []string{"steps[0].map.x: unknown name \"trigegr\"; did you mean trigger? (1:4)\n | {{ trigegr.x }}\n | ...^"}},
		{name: "unknown step reference", doc: def(`{"id": "a", "type": "filter", "if": "steps.nosuch.x > 1"}`),
			want: []string{"steps[0].if: unknown step \"nosuch\" (1:7)\n | steps.nosuch.x > 1\n | ......^"}},
		{name: "step not run on every path", doc: def(`{"id": "a", "type": "branch", "cases": [{"if": "trigger.x", "next": "b"}], "default": "c"},
			{"id": "b", "type": "map", "map": {"v": "trigger.v"}},
			{"id": "c", "type": "filter", "if": "steps.b.v == 1"}`),
			want: []string{"steps[2].if: step \"b\" does not run before this step on every path (1:7)\n | steps.b.v == 1\n | ......^"}},
		{name: "step that runs later", doc: def(`{"id": "a", "type": "filter", "if": "steps.b.v == 1"}, {"id": "b", "type": "map", "map": {"v": "trigger.v"}}`),
			want: []string{"steps[0].if: step \"b\" does not run before this step on every path (1:7)\n | steps.b.v == 1\n | ......^"}},
		{name: "unknown variable", doc: def(`{"id": "a", "type": "fail", "message": "{{ vars.chanel }}"}`),
			want: []string{"steps[0].message: unknown variable \"chanel\" (1:9)\n | {{ vars.chanel }}\n | ........^"}},
		{name: "duplicate ids", doc: def(`{"id": "a", "type": "map", "map": {"v": "trigger.v"}}, {"id": "a", "type": "stop"}`),
			want: []string{"steps[1].id: duplicate step id \"a\" (first used at steps[0])"}},
		{name: "unknown next target", doc: def(`{"id": "a", "type": "map", "map": {"v": "trigger.v"}, "next": "zz"}`),
			want: []string{"steps[0].next: unknown step \"zz\""}},
		{name: "unreachable step", doc: def(`{"id": "a", "type": "stop"}, {"id": "b", "type": "stop"}`),
			want: []string{"steps[1]: step \"b\" is unreachable from the start of its list (no next, case or goto leads to it)"}},
		{name: "cycle", doc: def(`{"id": "a", "type": "map", "map": {"v": "trigger.v"}}, {"id": "b", "type": "map", "map": {"v": "trigger.v"}, "next": "a"}`),
			want: []string{"steps[1].next: cycle: a → b → a (steps form a DAG; loop with foreach)"}},
		{name: "field of another kind", doc: def(`{"id": "a", "type": "filter", "if": "true", "map": {"v": "trigger.v"}}`),
			want: []string{"steps[0]: field \"map\" is not allowed on a filter step"}},
		{name: "unknown kind", doc: def(`{"id": "a", "type": "repeat"}`),
			want: []string{"steps[0].type: unknown step type \"repeat\": want one of action, http, filter, branch, switch, map, foreach, parallel, delay, wait_for_event, respond, call_workflow, stop, fail, data, code, loop"}},
		{name: "item outside foreach", doc: def(`{"id": "a", "type": "filter", "if": "item.x > 1"}`),
			want: []string{"steps[0].if: unknown name \"item\" (1:1)\n | item.x > 1\n | ^"}},
		{name: "foreach body sees item and outer steps", doc: def(`{"id": "a", "type": "map", "map": {"list": "trigger.list"}},
			{"id": "each", "type": "foreach", "items": "steps.a.list", "steps": [
			  {"id": "in", "type": "map", "map": {"n": "{{ item.n + index }}", "o": "steps.a.list"}},
			  {"id": "in2", "type": "filter", "if": "steps.in.n > 0"}]},
			{"id": "after", "type": "filter", "if": "len(steps.each) > 0 && steps.in.n > 0"}`),
			want: []string{"steps[2].if: step \"in\" does not run before this step on every path (1:30)\n | len(steps.each) > 0 && steps.in.n > 0\n | .............................^"}},
		{name: "parallel branch outputs after the join", doc: def(`{"id": "p", "type": "parallel", "branches": [
			  {"name": "one", "steps": [{"id": "x", "type": "map", "map": {"v": "trigger.v"}}]},
			  {"name": "two", "steps": [{"id": "y", "type": "map", "map": {"v": "steps.x.v"}}]}]},
			{"id": "after", "type": "filter", "if": "steps.x.v == steps.y.v"}`),
			want: []string{"steps[0].branches[1].steps[0].map.v: step \"x\" does not run before this step on every path (1:7)\n | steps.x.v\n | ......^"}},
		{name: "on_error goto does not make the failed step available", doc: def(`{"id": "a", "type": "action", "connector": "slack", "action": "post_message", "credential": "slack-bot",
			 "input": {"channel": "#x", "text": "t"}, "on_error": "goto:c"},
			{"id": "b", "type": "stop"},
			{"id": "c", "type": "fail", "message": "{{ steps.a.ts }}"}`),
			want: []string{"steps[2].message: step \"a\" does not run before this step on every path (1:10)\n | {{ steps.a.ts }}\n | .........^"}},
		{name: "action input checked against the spec", doc: def(`{"id": "a", "type": "action", "connector": "slack", "action": "post_message", "credential": "slack-bot",
			 "input": {"chanel": "#x", "unfurl": "yes", "priority": "urgent", "thread_ts": "at {{ trigger.ts }}"}}`),
			want: []string{
				"steps[0].input: missing required field \"channel\"",
				"steps[0].input: missing required field \"text\"",
				"steps[0].input.chanel: unknown field \"chanel\" (did you mean \"channel\"?)",
				"steps[0].input.priority: \"urgent\" is not one of \"low\", \"high\"",
				"steps[0].input.thread_ts: want a number, but text around {{ }} always renders a string",
				"steps[0].input.unfurl: want a boolean, got a string",
			}},
		{name: "pattern", doc: def(`{"id": "a", "type": "action", "connector": "slack", "action": "post_message", "credential": "slack-bot",
			 "input": {"channel": "sales", "text": "x"}}`),
			want: []string{"steps[0].input.channel: \"sales\": a channel starts with # or an id"}},
		{name: "unknown connector, action and credential", doc: def(`{"id": "a", "type": "action", "connector": "slak", "action": "x"},
			{"id": "b", "type": "action", "connector": "slack", "action": "send", "credential": "nope"},
			{"id": "c", "type": "action", "connector": "slack", "action": "post_message", "credential": "stripe-live", "input": {"channel": "#a", "text": "b"}}`),
			want: []string{
				"steps[0].connector: unknown connector \"slak\"",
				"steps[1].credential: unknown credential \"nope\"",
				"steps[1].action: connector \"slack\" has no action \"send\" (it has: post_message)",
				"steps[2].credential: credential \"stripe-live\" belongs to connector \"stripe\", not \"slack\"",
			}},
		{name: "http step takes only http credentials", doc: def(`{"id": "a", "type": "http", "url": "https://collector.example/x", "credential": "stripe-live"}`),
			want: []string{"steps[0].credential: credential \"stripe-live\" belongs to connector \"stripe\", not \"http\""}},
		{name: "durations and limits", doc: def(`{"id": "a", "type": "delay", "duration": "3 days"},
			{"id": "b", "type": "foreach", "items": "trigger.list", "concurrency": 500, "max_items": -1, "steps": [{"id": "c", "type": "stop"}]},
			{"id": "d", "type": "action", "connector": "slack", "action": "post_message", "credential": "slack-bot", "input": {"channel": "#a", "text": "b"},
			 "retry": {"max_attempts": 0, "initial_interval": "1m", "max_interval": "10s", "backoff": 0.5}, "timeout": "2d"},
			{"id": "e", "type": "wait_for_event", "event": "qualified", "correlation_key": "trigger.id", "wait_timeout": "400d"}`),
			want: []string{
				"steps[0].duration: \"3 days\" is not a duration: use forms like \"30s\", \"5m\", \"2h\", \"3d\" or \"1d12h\"",
				"steps[1].concurrency: must be between 1 and 100, got 500",
				"steps[1].max_items: must be between 1 and 10000, got -1",
				"steps[2].retry.max_interval: \"10s\" is shorter than initial_interval \"1m\"",
				"steps[2].retry.backoff: must be between 1 and 100, got 0.5",
				"steps[2].timeout: \"2d\" is over the limit of 1d",
				"steps[3].wait_timeout: \"400d\" is over the limit of 365d",
			}},
		{name: "map path must start at a root", doc: def(`{"id": "a", "type": "map", "map": {"email": "data.object.receipt_email"}}`),
			want: []string{"steps[0].map.email: path \"data.object.receipt_email\" must start with trigger, event, steps or vars (or item/index inside foreach); write {{ … }} for a template (1:1)\n | data.object.receipt_email\n | ^"}},
		{name: "respond needs on_complete", doc: def(`{"id": "a", "type": "respond", "status": 200, "body": {"ok": true}}`),
			want: []string{"steps[0]: a respond step needs a webhook trigger with respond \"on_complete\" (otherwise the caller already has its reply)"}},
		{name: "branch case in other list", doc: def(`{"id": "a", "type": "branch", "cases": [{"if": "true", "next": "in"}]},
			{"id": "f", "type": "foreach", "items": "trigger.l", "steps": [{"id": "in", "type": "stop"}]}`),
			want: []string{"steps[0].cases[0].next: step \"in\" is in another step list (steps[1].steps); next, cases and goto stay within one list"}},
		{name: "expression syntax error", doc: def(`{"id": "a", "type": "filter", "if": "trigger.x >"}`),
			want: []string{"steps[0].if: the expression ends too early: something is missing at its end (1:11)\n | trigger.x >\n | ..........^"}},
		{name: "unclosed template", doc: def(`{"id": "a", "type": "fail", "message": "oops {{ trigger.x"}`),
			want: []string{"steps[0].message: unclosed {{: missing }} (1:6)\n | oops {{ trigger.x\n | .....^"}},
		{name: "wrong helper call", doc: def(`{"id": "a", "type": "fail", "message": "{{ formatMoney(1) }}"}`),
			want: []string{"steps[0].message: not enough arguments to call formatMoney (1:4)\n | {{ formatMoney(1) }}\n | ...^"}},
		{name: "trigger and settings", doc: `{"name": "", "trigger": {"type": "schedule", "connector": "slack", "schedule": {"cron": "61 * * * *", "timezone": "Mars/Olympus"}, "filter": "steps.a.x"},
			"settings": {"run_timeout": "0s"}, "steps": [{"id": "a", "type": "stop"}]}`,
			want: []string{
				"name: is required",
				"trigger.connector: is only allowed on a webhook trigger",
				"trigger.schedule.cron: invalid cron expression \"61 * * * *\": end of range (61) above maximum (59): 61",
				"trigger.schedule.timezone: unknown time zone \"Mars/Olympus\"",
				"trigger.filter: step \"a\" has not run here: no step runs before the trigger and vars are evaluated (1:7)\n | steps.a.x\n | ......^",
				"settings.run_timeout: must be positive, got \"0s\"",
			}},
		{name: "correlation key path",
			doc: `{"name": "t", "trigger": {"type": "webhook", "connector": "slack", "credential": "slack-bot", "correlation_key": "data.contact_id"},
				"steps": [{"id": "a", "type": "stop"}]}`},
		{name: "correlation key with a query and a modifier",
			doc: `{"name": "t", "trigger": {"type": "webhook", "connector": "slack", "credential": "slack-bot",
				"correlation_key": "contacts.#(role==\"owner\").id|@tostr", "order_key": "data\\.v2.customer"},
				"steps": [{"id": "a", "type": "stop"}]}`},
		{name: "bad correlation key paths",
			doc: `{"name": "t", "trigger": {"type": "webhook", "connector": "slack", "credential": "slack-bot", "correlation_key": "data..contact_id",
				"order_key": "items.#(sku==\"a\""}, "steps": [{"id": "a", "type": "stop"}]}`,
			want: []string{
				"trigger.order_key: \"items.#(sku==\\\"a\\\"\" has an unclosed '('",
				"trigger.correlation_key: \"data..contact_id\" has an empty segment at character 6",
			}},
		{name: "correlation key is a path, not a template or an unknown modifier",
			doc: `{"name": "t", "trigger": {"type": "webhook", "connector": "slack", "credential": "slack-bot", "correlation_key": "{{ trigger.id }}"},
				"steps": [{"id": "a", "type": "stop"}]}`,
			want: []string{"trigger.correlation_key: \"{{ trigger.id }}\" is a template; write a gjson path into the event body, such as \"data.contact_id\""}},
		{name: "correlation key unknown modifier",
			doc: `{"name": "t", "trigger": {"type": "webhook", "connector": "slack", "credential": "slack-bot", "correlation_key": "id|@upper"},
				"steps": [{"id": "a", "type": "stop"}]}`,
			want: []string{"trigger.correlation_key: \"id|@upper\" uses the unknown modifier @upper"}},
		{name: "run name",
			doc: `{"name": "t", "trigger": {"type": "manual", "run_name": "Order {{ trigger.order_id }} ({{ event.type }})"},
				"steps": [{"id": "a", "type": "stop"}]}`},
		{name: "run name names no step",
			doc: `{"name": "t", "trigger": {"type": "schedule", "schedule": {"every": "1h"}, "run_name": "Tick {{ steps.a.x }}"},
				"steps": [{"id": "a", "type": "stop"}]}`,
			want: []string{"trigger.run_name: step \"a\" has not run here: no step runs before the trigger and vars are evaluated (1:15)\n | Tick {{ steps.a.x }}\n | ..............^"}},
		{name: "run name compiles",
			doc: `{"name": "t", "trigger": {"type": "manual", "run_name": "{{ trigger.id +* 1 }}"},
				"steps": [{"id": "a", "type": "stop"}]}`,
			want: []string{"trigger.run_name: unexpected token Operator(\"*\") (1:16)\n | {{ trigger.id +* 1 }}\n | ...............^"}},
		{name: "correlation key only on webhooks",
			doc:  `{"name": "t", "trigger": {"type": "manual", "correlation_key": "id"}, "steps": [{"id": "a", "type": "stop"}]}`,
			want: []string{"trigger.correlation_key: is only allowed on a webhook trigger"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, errs := Parse([]byte(tt.doc))
			if len(errs) > 0 {
				t.Fatalf("parse: %v", Errors(errs))
			}
			got := Validate(d, testEnv)
			var gotS []string
			for _, e := range got {
				gotS = append(gotS, e.Error())
			}
			if strings.Join(gotS, "\n---\n") != strings.Join(tt.want, "\n---\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(gotS, "\n---\n"), strings.Join(tt.want, "\n---\n"))
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{name: "unknown fields everywhere with positions",
			doc: "{\"name\": \"x\", \"trigger\": {\"type\": \"manual\", \"evnts\": []},\n \"steps\": [{\"id\": \"a\", \"type\": \"stop\", \"retyr\": {}}], \"extra\": 1}",
			want: []string{
				"trigger.evnts: unknown field \"evnts\" (did you mean \"events\"?) (1:45)",
				"steps[0].retyr: unknown field \"retyr\" (did you mean \"retry\"?) (2:40)",
				"extra: unknown field \"extra\" (2:55)",
			}},
		{name: "wrong types", doc: `{"name": 1, "trigger": {"type": "manual"}, "steps": [{"id": "a", "type": "foreach", "concurrency": "2", "max_items": 1.5, "steps": {}}]}`,
			want: []string{
				"name: want a string, got a number (1:10)",
				"steps[0].concurrency: want an integer, got a string (1:100)",
				"steps[0].max_items: want an integer, got 1.5 (1:118)",
				"steps[0].steps: want an array, got an object (1:132)",
			}},
		{name: "syntax error", doc: "{\"name\": \"x\",\n \"steps\": [}",
			want: []string{"invalid JSON: invalid character '}' looking for beginning of value (2:12)"}},
		{name: "truncated", doc: `{"name": "x"`, want: []string{"invalid JSON: unexpected end of input (1:13)"}},
		{name: "duplicate field", doc: `{"name": "x", "name": "y", "trigger": {"type": "manual"}, "steps": []}`,
			want: []string{"name: duplicate field \"name\" (1:15)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := Parse([]byte(tt.doc))
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestActionCredentialNeedsTheActionsFields checks that an action step
// naming a credential saved for the trigger alone (it lacks a ForActions
// field) is refused when saved, naming the field, while the trigger may
// use that credential.
func TestActionCredentialNeedsTheActionsFields(t *testing.T) {
	env := &StaticEnv{
		Specs: []*connectors.Spec{{
			Name: "telegram", Title: "Telegram",
			Credential: []connectors.Field{
				{Name: "bot_token", Type: connectors.TypeString, Required: true, Secret: true, ForActions: true},
				{Name: "secret_token", Type: connectors.TypeString, Secret: true},
			},
			Triggers: []*connectors.Trigger{{Name: "webhook"}},
			Actions:  []*connectors.Action{{Name: "send_message", Input: []connectors.Field{{Name: "text", Type: connectors.TypeString}}}},
		}},
		Credentials: map[string]string{"tg-trigger": "telegram", "tg-bot": "telegram", "tg-unknown": "telegram"},
		Fields:      map[string][]string{"tg-trigger": {"secret_token"}, "tg-bot": {"bot_token", "secret_token"}},
	}
	doc := func(cred string) string {
		return `{"name": "t", "trigger": {"type": "webhook", "connector": "telegram", "credential": "tg-trigger"},
		"steps": [{"id": "say", "type": "action", "connector": "telegram", "action": "send_message", "credential": "` + cred + `",
		"input": {"text": "hi"}}]}`
	}
	for _, tc := range []struct{ cred, want string }{
		{"tg-bot", ""},
		{"tg-unknown", ""}, // fields not known: judged when the step runs
		{"tg-trigger", `steps[0].credential: credential "tg-trigger" has no bot_token, which Telegram actions need (it holds only the trigger's fields); add it to the credential`},
	} {
		d, errs := Parse([]byte(doc(tc.cred)))
		if d == nil {
			t.Fatalf("parse: %v", errs)
		}
		errs = Validate(d, env)
		got := ""
		for _, e := range errs {
			got += e.Error()
		}
		if !strings.HasPrefix(got, tc.want) || (tc.want == "" && got != "") {
			t.Errorf("%s: errors %q, want %q", tc.cred, got, tc.want)
		}
	}
}
