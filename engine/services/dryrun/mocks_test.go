package dryrun_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/dryrun"
)

// retryDef posts to Slack with three attempts, as a regular activity
// (no timeout: no local first attempt) and as an outgoing webhook.
const retryDef = `{"name": "w", "trigger": {"type": "manual"}, "steps": [
  {"id": "tell", "type": "action", "connector": "slack", "action": "post_message", "credential": "slack-bot",
   "input": {"channel": "#ops", "text": "hi"}, "retry": {"max_attempts": 3, "initial_interval": "10m"}},
  {"id": "after", "type": "map", "map": {"ts": "{{ steps.tell.ts }}"}}
]}`

// A mocked failure takes the real path: a retryable one is retried to the
// step's max_attempts (in virtual time: the ten-minute backoff costs
// nothing), a permanent one is not retried, and the classes and statuses
// reach the run log.
func TestMockedFailuresFollowTheRetryPolicy(t *testing.T) {
	tests := []struct {
		name, mocks, expect string
		passed              bool
	}{
		{name: "retryable, every attempt fails",
			mocks:  `{"tell": {"error": {"class": "retryable", "status": 503}}}`,
			expect: `{"status": "failed", "route": ["tell"], "not_ran": ["after"], "error": "retryable (HTTP 503): mocked failure", "steps": {"tell": {"status": "failed", "attempts": 3}}}`,
			passed: true},
		{name: "rate limited, then answers",
			mocks:  `{"tell": {"error": {"class": "rate_limited", "status": 429, "retry_after": "1h"}, "times": 2, "output": {"ts": "1.2"}}}`,
			expect: `{"steps": {"tell": {"status": "succeeded", "attempts": 3}, "after": {"output": {"ts": "1.2"}}}}`,
			passed: true},
		{name: "permanent is not retried",
			mocks:  `{"tell": {"error": {"class": "permanent", "status": 404, "message": "channel_not_found"}}}`,
			expect: `{"status": "failed", "steps": {"tell": {"attempts": 1, "error": "permanent (HTTP 404): channel_not_found"}}}`,
			passed: true},
		{name: "an unmet expectation is reported, not an error",
			mocks:  `{"tell": {"output": {"ts": "9"}}}`,
			expect: `{"steps": {"after": {"output": {"ts": "1.2"}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := runner(t).Test(context.Background(), dryrun.Request{Definition: json.RawMessage(retryDef),
				Event: dryrun.SampleEvent([]byte(`{}`), "")}, json.RawMessage(tt.mocks), json.RawMessage(tt.expect))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Expectations == nil || rep.Expectations.Passed != tt.passed {
				t.Errorf("expectations = %+v, want passed %v; steps %+v", rep.Expectations, tt.passed, rep.Steps)
			}
		})
	}
}

// Test refuses mocks and expectations that name steps the workflow does
// not have, with the JSON path, before running anything.
func TestTestRefusesUnknownSteps(t *testing.T) {
	for _, tt := range []struct{ name, mocks, expect, want string }{
		{name: "mock", mocks: `{"tel": {"output": {}}}`, want: `mocks.tel: the workflow has no step "tel"; did you mean "tell"?`},
		{name: "expectation", expect: `{"ran": ["tell", "afterwards"]}`, want: `expect.ran[1]: the workflow has no step "afterwards"`},
		{name: "member", expect: `{"reply": {"code": 200}}`, want: `expect.reply.code: unknown member; allowed: body, headers, status`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runner(t).Test(context.Background(), dryrun.Request{Definition: json.RawMessage(retryDef)},
				json.RawMessage(tt.mocks), json.RawMessage(tt.expect))
			ie, ok := dryrun.AsInputError(err)
			if !ok || !strings.Contains(ie.Error(), tt.want) {
				t.Errorf("error = %v, want an InputError %q", err, tt.want)
			}
		})
	}
}

// An outgoing webhook whose mock fails permanently ends as a dead letter
// at once; the on_error of the step decides what follows.
func TestMockedWebhookFailureIsDead(t *testing.T) {
	def := `{"name": "w", "trigger": {"type": "manual"}, "steps": [
	  {"id": "send", "type": "action", "connector": "webhook", "action": "send", "credential": "hook",
	   "input": {"url": "https://example.com/hook", "event_type": "order.paid", "data": {"a": 1}}, "on_error": "continue"}]}`
	rep, err := runner(t).Test(context.Background(), dryrun.Request{Definition: json.RawMessage(def), Event: dryrun.SampleEvent([]byte(`{}`), "")},
		json.RawMessage(`{"send": {"error": {"class": "permanent", "status": 410}}}`), json.RawMessage(`{"steps": {"send": {"status": "continued", "error": "dead"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Expectations.Passed || rep.Status != interpreter.StatusCompleted {
		t.Errorf("status %s, expectations %+v, steps %+v", rep.Status, rep.Expectations, rep.Steps)
	}
}

// A call_workflow mock stands in for the called workflow, which needs no
// store: its output becomes the step's, its failure the step's error.
func TestMockedCallWorkflow(t *testing.T) {
	def := `{"name": "w", "trigger": {"type": "manual"}, "steps": [
	  {"id": "enrich", "type": "call_workflow", "workflow": "customer-lookup", "workflow_input": {"email": "a@example.com"}, "on_error": "goto:fallback"},
	  {"id": "tier", "type": "map", "map": {"tier": "{{ steps.enrich.tier }}"}},
	  {"id": "done", "type": "stop"},
	  {"id": "fallback", "type": "map", "map": {"tier": "{{ \"basic\" }}"}}]}`
	for _, tt := range []struct{ name, mocks, expect string }{
		{name: "output", mocks: `{"enrich": {"output": {"tier": "gold", "n": [1, 2]}}}`,
			expect: `{"route": ["enrich", "tier", "done"], "steps": {"enrich": {"output": {"tier": "gold", "n": [1, 2]}}, "tier": {"output": {"tier": "gold"}}}}`},
		{name: "failure", mocks: `{"enrich": {"error": {"class": "permanent", "status": 404, "message": "no such customer"}}}`,
			expect: `{"route": ["enrich", "fallback"], "steps": {"enrich": {"status": "continued", "error": "no such customer"}}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := runner(t).Test(context.Background(), dryrun.Request{Definition: json.RawMessage(def), Event: dryrun.SampleEvent([]byte(`{}`), "")},
				json.RawMessage(tt.mocks), json.RawMessage(tt.expect))
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Expectations.Passed {
				t.Errorf("status %s %s, failures %+v, steps %+v", rep.Status, rep.Error, rep.Expectations.Failures, rep.Steps)
			}
		})
	}
}
