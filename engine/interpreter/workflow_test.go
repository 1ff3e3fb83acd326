package interpreter

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/store"
)

func TestFilterMapAction(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "big payments", "trigger": {"type": "webhook"}, "steps": [
		{"id": "big", "type": "filter", "if": "trigger.data.amount >= 10000"},
		{"id": "fields", "type": "map", "map": {"email": "trigger.data.email", "cents": "trigger.data.amount",
			"usd": "{{ trigger.data.amount / 100 }}"}},
		{"id": "crm", "type": "action", "connector": "test", "action": "echo", "credential": "test-cred",
			"input": {"value": "Paid {{ steps.fields.usd }} USD: {{ steps.fields.email }}"}}]}`
	res, err, l := run(t, env, input(t, def, `{"data": {"amount": 15000, "email": "ada@example.com"}}`))
	if err != nil {
		t.Fatalf("run failed: %v", err)
	}
	if res.Status != StatusCompleted || l.Status != StatusCompleted {
		t.Fatalf("status = %s / %s, want completed", res.Status, l.Status)
	}
	crm := output(t, step(t, l, "crm"))
	if crm["echo"] != "Paid 150 USD: ada@example.com" {
		t.Errorf("echo = %v", crm["echo"])
	}
	if crm["authorized"] != true {
		t.Error("the action did not receive the decrypted credential")
	}
	if got := string(step(t, l, "crm").Input); got != `{"value":"Paid 150 USD: ada@example.com"}` {
		t.Errorf("logged input = %s", got)
	}
	if a := step(t, l, "crm").Attempts; a != 1 {
		t.Errorf("attempts = %d, want 1", a)
	}
	if fields := output(t, step(t, l, "fields")); fields["cents"] != 15000.0 || fields["email"] != "ada@example.com" {
		t.Errorf("map output = %v", fields)
	}
	// The summary and step log are in the store.
	stored, err := fx.store.GetRun(context.Background(), "run-1")
	if err != nil {
		t.Fatalf("reading run summary: %v", err)
	}
	if stored.Status != store.RunCompleted || stored.WorkflowID != "wf_test" || stored.EndedAt == nil {
		t.Errorf("stored run = %+v", stored)
	}
	var steps []StepRecord
	if err := json.Unmarshal(stored.Steps, &steps); err != nil || len(steps) != 3 {
		t.Errorf("stored step log = %s (%v)", stored.Steps, err)
	}
	if strings.Contains(string(stored.Steps), testSecret) || strings.Contains(string(stored.Output), testSecret) {
		t.Error("the stored run contains the credential secret")
	}
}

// The event root carries both ids: hookflow's own inbox id and the
// provider's event id, which downstream calls use as an idempotency key.
func TestEventContext(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "ids", "trigger": {"type": "webhook"}, "steps": [
		{"id": "ids", "type": "map", "map": {"inbox": "{{ event.id }}", "provider": "{{ event.provider_id }}",
			"type": "event.type", "header": "event.headers.X-Test", "replay": "{{ event.replay }}"}}]}`
	in := input(t, def, `{}`)
	in.Event.ProviderID = "evt_1NxStripe"
	_, err, l := run(t, env, in)
	if err != nil {
		t.Fatalf("run failed: %v", err)
	}
	got := output(t, step(t, l, "ids"))
	want := map[string]any{"inbox": "evt_1", "provider": "evt_1NxStripe", "type": "test.event", "header": "1", "replay": false}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v (all: %v)", k, got[k], v, got)
		}
	}
}

func TestFilterStopsRunQuietly(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "f", "trigger": {"type": "webhook"}, "steps": [
		{"id": "big", "type": "filter", "if": "trigger.amount >= 10000"},
		{"id": "crm", "type": "action", "connector": "test", "action": "echo", "input": {"value": 1}}]}`
	res, err, l := run(t, env, input(t, def, `{"amount": 50}`))
	if err != nil {
		t.Fatalf("a filtered run must not fail: %v", err)
	}
	if res.Status != StatusFiltered {
		t.Errorf("status = %s, want filtered", res.Status)
	}
	if len(l.Steps) != 1 || l.Steps[0].Status != StepFiltered {
		t.Errorf("steps = %+v, want only the filtered filter", l.Steps)
	}
	if fx.provider.count("echo") != 0 {
		t.Error("a step after a false filter ran")
	}
}

func TestBranchAndSwitch(t *testing.T) {
	branch := `{"name": "b", "trigger": {"type": "webhook"}, "steps": [
		{"id": "route", "type": "branch", "cases": [
			{"if": "trigger.amount > 1000", "next": "vip"},
			{"if": "trigger.amount > 100", "next": "normal"}], "default": "small"},
		{"id": "vip", "type": "map", "map": {"tier": "{{ 'vip' }}"}, "next": "done"},
		{"id": "normal", "type": "map", "map": {"tier": "{{ 'normal' }}"}, "next": "done"},
		{"id": "small", "type": "map", "map": {"tier": "{{ 'small' }}"}},
		{"id": "done", "type": "stop"}]}`
	sw := `{"name": "s", "trigger": {"type": "webhook"}, "steps": [
		{"id": "kind", "type": "switch", "value": "trigger.type", "cases": [
			{"equals": "order.paid", "next": "paid"},
			{"equals": "{{ 'order.' + 'refunded' }}", "next": "refunded"}], "default": "other"},
		{"id": "paid", "type": "stop"},
		{"id": "refunded", "type": "stop"},
		{"id": "other", "type": "stop"}]}`
	tests := []struct {
		name string
		def  string
		body string
		want []string
	}{
		{name: "first matching case", def: branch, body: `{"amount": 5000}`, want: []string{"route", "vip", "done"}},
		{name: "second case", def: branch, body: `{"amount": 500}`, want: []string{"route", "normal", "done"}},
		{name: "default", def: branch, body: `{"amount": 5}`, want: []string{"route", "small", "done"}},
		{name: "switch equals", def: sw, body: `{"type": "order.paid"}`, want: []string{"kind", "paid"}},
		{name: "switch templated case", def: sw, body: `{"type": "order.refunded"}`, want: []string{"kind", "refunded"}},
		{name: "switch default", def: sw, body: `{"type": "order.lost"}`, want: []string{"kind", "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			_, err, l := run(t, fx.newEnv(t), input(t, tt.def, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range l.Steps {
				got = append(got, s.Path)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ran %v, want %v", got, tt.want)
			}
		})
	}
}

func TestForeachConcurrencyAndItemLimit(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "loop", "trigger": {"type": "webhook"}, "steps": [
		{"id": "each", "type": "foreach", "items": "trigger.items", "concurrency": 2, "max_items": 4, "on_overflow": "truncate", "steps": [
			{"id": "send", "type": "action", "connector": "test", "action": "echo",
				"input": {"value": "{{ item.sku }}#{{ index }}"}},
			{"id": "shape", "type": "map", "map": {"sku": "item.sku", "echo": "steps.send.echo"}}]},
		{"id": "count", "type": "map", "map": {"n": "{{ len(steps.each) }}", "first": "steps.each.0.shape.echo"}}]}`
	body := `{"items": [{"sku": "a"}, {"sku": "b"}, {"sku": "c"}, {"sku": "d"}, {"sku": "e"}]}`
	_, err, l := run(t, env, input(t, def, body))
	if err != nil {
		t.Fatal(err)
	}
	count := output(t, step(t, l, "count"))
	if count["n"] != 4.0 && count["n"] != 4 {
		t.Errorf("foreach ran %v items, want max_items 4", count["n"])
	}
	if count["first"] != "a#0" {
		t.Errorf("first item output = %v", count["first"])
	}
	if w := step(t, l, "each").Warnings; len(w) != 1 || w[0] != "truncated: 4 of 5 items" {
		t.Errorf("foreach warnings = %q, want the truncation said", w)
	}
	for i, sku := range []string{"a", "b", "c", "d"} {
		s := output(t, step(t, l, fmt.Sprintf("each[%d].send", i)))
		if s["echo"] != fmt.Sprintf("%s#%d", sku, i) {
			t.Errorf("item %d echo = %v", i, s["echo"])
		}
	}
	// Every iteration has its own idempotency key.
	keys := map[string]bool{}
	for k := range fx.provider.calls {
		keys[k] = true
	}
	if len(keys) != 4 {
		t.Errorf("%d distinct idempotency keys, want 4", len(keys))
	}
}

func TestForeachOverHardLimitFails(t *testing.T) {
	fx := newFixture(t)
	in := input(t, `{"name": "l", "trigger": {"type": "webhook"}, "steps": [
		{"id": "each", "type": "foreach", "items": "trigger.items", "steps": [{"id": "x", "type": "map", "map": {"i": "item"}}]}]}`,
		`{"items": [1, 2, 3]}`)
	in.Options.MaxForeachItems = 2
	_, err, l := run(t, fx.newEnv(t), in)
	if err == nil || !strings.Contains(err.Error(), "items has 3 elements, more than the limit of this deployment (2)") {
		t.Fatalf("err = %v, want the item limit named", err)
	}
	if l.Status != StatusFailed {
		t.Errorf("status = %s", l.Status)
	}
}

func TestParallelJoins(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "p", "trigger": {"type": "webhook"}, "steps": [
		{"id": "fan", "type": "parallel", "branches": [
			{"name": "crm", "steps": [{"id": "a", "type": "action", "connector": "test", "action": "echo", "input": {"value": "A"}}]},
			{"name": "chat", "steps": [{"id": "b", "type": "delay", "duration": "1h"},
				{"id": "c", "type": "action", "connector": "test", "action": "echo", "input": {"value": "C"}}]}]},
		{"id": "after", "type": "map", "map": {"a": "steps.a.echo", "c": "steps.c.echo", "nested": "steps.fan.chat.c.echo"}}]}`
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
	if err != nil {
		t.Fatal(err)
	}
	after := output(t, step(t, l, "after"))
	if after["a"] != "A" || after["c"] != "C" || after["nested"] != "C" {
		t.Errorf("after join = %v", after)
	}
	if step(t, l, "fan.chat.c").Status != StepSucceeded {
		t.Error("branch step not logged with its branch path")
	}
}

func TestDelayThreeDaysAndUntil(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "d", "trigger": {"type": "webhook"}, "steps": [
		{"id": "wait", "type": "delay", "duration": "3d"},
		{"id": "until", "type": "delay", "until": "addDuration(now(), \"2h\")"},
		{"id": "stamp", "type": "map", "map": {"at": "{{ formatDate(now(), 'iso') }}"}}]}`
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
	if err != nil {
		t.Fatal(err)
	}
	w := step(t, l, "wait")
	if d := w.EndedAt.Sub(w.StartedAt); d != 72*time.Hour {
		t.Errorf("3d delay took %s of workflow time", d)
	}
	u := step(t, l, "until")
	if d := u.EndedAt.Sub(u.StartedAt); d != 2*time.Hour {
		t.Errorf("until delay took %s", d)
	}
	// now() is workflow time: 3 days and 2 hours after the start.
	at, _ := time.Parse(time.RFC3339, output(t, step(t, l, "stamp"))["at"].(string))
	if want := l.StartedAt.Add(74 * time.Hour); at.Sub(want).Abs() > time.Second {
		t.Errorf("now() = %s, want workflow time %s", at, want)
	}
}

func TestWaitForEventTimesOut(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "w", "trigger": {"type": "webhook"}, "steps": [
		{"id": "qualified", "type": "wait_for_event", "event": "contact.qualified", "correlation_key": "trigger.contact_id",
			"wait_timeout": "2d", "on_timeout": "escalate"},
		{"id": "welcome", "type": "stop"},
		{"id": "escalate", "type": "map", "map": {"why": "{{ steps.qualified.timed_out ? 'timeout' : 'event' }}"}}]}`
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{"contact_id": 42}`))
	if err != nil {
		t.Fatal(err)
	}
	w := step(t, l, "qualified")
	if d := w.EndedAt.Sub(w.StartedAt); d != 48*time.Hour {
		t.Errorf("wait took %s, want the 2d timeout", d)
	}
	if out := output(t, w); out["timed_out"] != true {
		t.Errorf("wait output = %v", out)
	}
	if got := output(t, step(t, l, "escalate"))["why"]; got != "timeout" {
		t.Errorf("escalate.why = %v", got)
	}
	for _, s := range l.Steps {
		if s.ID == "welcome" {
			t.Error("the timeout path did not skip the next step")
		}
	}
}

func TestWaitForEventReceivesCorrelatedEvent(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "w", "trigger": {"type": "webhook"}, "steps": [
		{"id": "qualified", "type": "wait_for_event", "event": "contact.qualified", "correlation_key": "trigger.contact_id",
			"match": "received.stage == 'sql'", "wait_timeout": "2d", "on_timeout": "escalate"},
		{"id": "welcome", "type": "map", "map": {"stage": "steps.qualified.event.stage"}, "next": "end"},
		{"id": "escalate", "type": "map", "map": {"x": "{{ 1 }}"}},
		{"id": "end", "type": "stop"}]}`
	send := func(after time.Duration, sig EventSignal) {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalEvent, sig) }, after)
	}
	send(time.Hour, EventSignal{Type: "contact.qualified", Key: "7", Payload: json.RawMessage(`{"stage": "sql"}`)})    // other contact
	send(2*time.Hour, EventSignal{Type: "contact.qualified", Key: "42", Payload: json.RawMessage(`{"stage": "mql"}`)}) // no match
	send(3*time.Hour, EventSignal{Type: "contact.qualified", Key: "42", Payload: json.RawMessage(`{"stage": "sql"}`)})
	_, err, l := run(t, env, input(t, def, `{"contact_id": 42}`))
	if err != nil {
		t.Fatal(err)
	}
	w := step(t, l, "qualified")
	if d := w.EndedAt.Sub(w.StartedAt); d != 3*time.Hour {
		t.Errorf("wait ended after %s, want 3h (the matching event)", d)
	}
	if got := output(t, step(t, l, "welcome"))["stage"]; got != "sql" {
		t.Errorf("welcome.stage = %v", got)
	}
	if string(w.Input) != `{"correlation_key":"42","event":"contact.qualified"}` {
		t.Errorf("wait input = %s", w.Input)
	}
}

func TestApproval(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "a", "trigger": {"type": "webhook"}, "steps": [
		{"id": "ok", "type": "wait_for_event", "approval": {"message": "Refund {{ trigger.amount }}?"}, "wait_timeout": "1d"},
		{"id": "decide", "type": "branch", "cases": [{"if": "steps.ok.approved", "next": "refund"}], "default": "deny"},
		{"id": "refund", "type": "stop"},
		{"id": "deny", "type": "fail", "message": "refund denied"}]}`
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalApproval, Decision{Approved: true, By: "ops@example.com", Comment: "fine", Step: "ok"})
	}, 30*time.Minute)
	_, err, l := run(t, env, input(t, def, `{"amount": 20}`))
	if err != nil {
		t.Fatal(err)
	}
	out := output(t, step(t, l, "ok"))
	if out["approved"] != true || out["by"] != "ops@example.com" || out["timed_out"] != false {
		t.Errorf("approval output = %v", out)
	}
	if !strings.Contains(string(step(t, l, "ok").Input), "Refund 20?") {
		t.Errorf("approval message not rendered: %s", step(t, l, "ok").Input)
	}
	step(t, l, "refund")
}

func TestRespondRepliesWhileRunGoesOn(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "r", "trigger": {"type": "webhook", "respond": "on_complete"}, "steps": [
		{"id": "reply", "type": "respond", "status": 201, "headers": {"X-Order": "{{ trigger.id }}"},
			"body": {"ok": true, "id": "{{ trigger.id }}"}},
		{"id": "later", "type": "delay", "duration": "1h"},
		{"id": "done", "type": "map", "map": {"x": "{{ 1 }}"}}]}`
	var got Response
	var repliedAt time.Time
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAwaitResponse, "reply-1", &updateCallbacks{
			complete: func(v any, err error) {
				if err != nil {
					t.Errorf("update failed: %v", err)
					return
				}
				got = v.(Response)
				repliedAt = env.Now()
			},
		})
	}, 0)
	start := env.Now()
	_, err, l := run(t, env, input(t, def, `{"id": 1001}`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != 201 || got.Headers["X-Order"] != "1001" || string(got.Body) != `{"id":1001,"ok":true}` {
		t.Errorf("reply = %+v body %s", got, got.Body)
	}
	if repliedAt.Sub(start) >= time.Hour {
		t.Errorf("reply came %s after start, want before the 1h delay ended", repliedAt.Sub(start))
	}
	if l.Status != StatusCompleted || step(t, l, "done").Status != StepSucceeded {
		t.Error("the run did not go on after replying")
	}
}

func TestRunEndIsTheReplyWithoutRespondStep(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "r", "trigger": {"type": "webhook"}, "steps": [{"id": "m", "type": "map", "map": {"v": "trigger.v"}}]}`
	var got Response
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAwaitResponse, "reply-1", &updateCallbacks{complete: func(v any, err error) {
			if err == nil {
				got = v.(Response)
			}
		}})
	}, 0)
	if _, err, _ := run(t, env, input(t, def, `{"v": 7}`)); err != nil {
		t.Fatal(err)
	}
	if got.Status != 200 || string(got.Body) != `{"output":{"v":7},"run_id":"run-1","status":"completed"}` {
		t.Errorf("reply = %d %s", got.Status, got.Body)
	}
}

// updateCallbacks adapts functions to the test environment's update
// callbacks.
type updateCallbacks struct {
	complete func(any, error)
}

func (u *updateCallbacks) Accept()          {}
func (u *updateCallbacks) Reject(err error) { u.complete(nil, err) }
func (u *updateCallbacks) Complete(success any, err error) {
	u.complete(success, err)
}

func TestCallWorkflowRunsChild(t *testing.T) {
	fx := newFixture(t)
	child := `{"name": "child", "trigger": {"type": "manual"}, "steps": [
		{"id": "double", "type": "map", "map": {"n": "{{ trigger.n * 2 }}"}}]}`
	w, err := fx.store.CreateWorkflow(context.Background(), "child", []byte(child), "hc")
	if err != nil {
		t.Fatal(err)
	}
	def := fmt.Sprintf(`{"name": "parent", "trigger": {"type": "webhook"}, "steps": [
		{"id": "call", "type": "call_workflow", "workflow": %q, "workflow_input": {"n": "{{ trigger.n }}"}},
		{"id": "use", "type": "map", "map": {"n": "steps.call.n"}}]}`, w.ID)
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{"n": 21}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := output(t, step(t, l, "use"))["n"]; got != 42.0 {
		t.Errorf("child output n = %v, want 42", got)
	}
}

func TestStopAndFail(t *testing.T) {
	fx := newFixture(t)
	stop := `{"name": "s", "trigger": {"type": "webhook"}, "steps": [
		{"id": "halt", "type": "stop", "message": "nothing to do for {{ trigger.id }}"},
		{"id": "never", "type": "action", "connector": "test", "action": "echo"}]}`
	res, err, l := run(t, fx.newEnv(t), input(t, stop, `{"id": "x1"}`))
	if err != nil || res.Status != StatusCompleted || len(l.Steps) != 1 {
		t.Fatalf("stop: err %v, status %s, steps %d", err, res.Status, len(l.Steps))
	}
	if got := output(t, step(t, l, "halt"))["message"]; got != "nothing to do for x1" {
		t.Errorf("stop message = %v", got)
	}

	fail := `{"name": "f", "trigger": {"type": "webhook"}, "steps": [
		{"id": "boom", "type": "fail", "message": "order {{ trigger.id }} has no items", "on_error": "continue"},
		{"id": "never", "type": "map", "map": {"x": "{{ 1 }}"}}]}`
	fx2 := newFixture(t)
	_, err, l = run(t, fx2.newEnv(t), input(t, fail, `{"id": "x2"}`))
	var app *temporal.ApplicationError
	if !asApp(err, &app) || app.Message() != "order x2 has no items" || app.Type() != errTypeFail {
		t.Fatalf("fail: err = %v, want application error with the message", err)
	}
	if l.Status != StatusFailed || len(l.Steps) != 1 {
		t.Errorf("fail: status %s, %d steps", l.Status, len(l.Steps))
	}
	stored, _ := fx2.store.GetRun(context.Background(), "run-1")
	if stored.Status != store.RunFailed || stored.Error != "order x2 has no items" {
		t.Errorf("stored run: %s %q", stored.Status, stored.Error)
	}
}

func TestOnError(t *testing.T) {
	base := `{"name": "e", "trigger": {"type": "webhook"}, "steps": [
		{"id": "crm", "type": "action", "connector": "test", "action": "reject", "input": {"reason": "bad"}, "on_error": %s},
		{"id": "next", "type": "map", "map": {"err": "steps.crm.error.message"}, "next": "end"},
		{"id": "recover", "type": "map", "map": {"class": "steps.crm.error.class"}},
		{"id": "end", "type": "stop"}]}`
	tests := []struct {
		name    string
		onError string
		wantErr string
		want    []string
	}{
		{name: "fail", onError: `"fail"`, wantErr: "step crm: running test.reject: permanent (HTTP 400): invalid email: bad", want: []string{"crm"}},
		{name: "default is fail", onError: `""`, wantErr: "step crm: running test.reject: permanent (HTTP 400): invalid email: bad", want: []string{"crm"}},
		{name: "continue", onError: `"continue"`, want: []string{"crm", "next", "end"}},
		{name: "goto", onError: `"goto:recover"`, want: []string{"crm", "recover", "end"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			_, err, l := run(t, fx.newEnv(t), input(t, fmt.Sprintf(base, tt.onError), `{}`))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range l.Steps {
				got = append(got, s.Path)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ran %v, want %v", got, tt.want)
			}
			crm := step(t, l, "crm")
			if crm.ErrorClass != classPermanent {
				t.Errorf("error class = %q", crm.ErrorClass)
			}
			switch tt.name {
			case "continue":
				if crm.Status != StepContinued || output(t, step(t, l, "next"))["err"] != "running test.reject: permanent (HTTP 400): invalid email: bad" {
					t.Errorf("continue: crm %s, next %s", crm.Status, step(t, l, "next").Output)
				}
			case "goto":
				if output(t, step(t, l, "recover"))["class"] != classPermanent {
					t.Errorf("goto: recover = %s", step(t, l, "recover").Output)
				}
			}
		})
	}
}

func TestRetryClasses(t *testing.T) {
	tests := []struct {
		name         string
		step         string
		wantErr      bool
		wantCalls    int
		wantAttempts int
		minDuration  time.Duration
		maxDuration  time.Duration
	}{
		{name: "permanent is not retried",
			step:    `{"id": "s", "type": "action", "connector": "test", "action": "reject", "retry": {"max_attempts": 5}}`,
			wantErr: true, wantCalls: 1, wantAttempts: 1},
		{name: "retryable is retried with backoff",
			step:      `{"id": "s", "type": "action", "connector": "test", "action": "flaky", "input": {"fail_times": 2}, "retry": {"max_attempts": 5, "initial_interval": "10s", "backoff": 3}}`,
			wantCalls: 3, wantAttempts: 3, minDuration: 40 * time.Second, maxDuration: 41 * time.Second},
		{name: "retryable gives up after max attempts",
			step:    `{"id": "s", "type": "action", "connector": "test", "action": "flaky", "input": {"fail_times": 9}, "retry": {"max_attempts": 2, "initial_interval": "1s"}}`,
			wantErr: true, wantCalls: 2, wantAttempts: 2},
		{name: "rate limited waits for Retry-After",
			step:      `{"id": "s", "type": "action", "connector": "test", "action": "limited", "input": {"wait_seconds": 90}, "retry": {"initial_interval": "1s"}}`,
			wantCalls: 2, wantAttempts: 2, minDuration: 90 * time.Second, maxDuration: 91 * time.Second},
		{name: "non_retryable lists a class",
			step:    `{"id": "s", "type": "action", "connector": "test", "action": "flaky", "input": {"fail_times": 9}, "retry": {"max_attempts": 5, "non_retryable": ["retryable"]}}`,
			wantErr: true, wantCalls: 1, wantAttempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			def := `{"name": "r", "trigger": {"type": "webhook"}, "steps": [` + tt.step + `]}`
			_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			s := step(t, l, "s")
			var action map[string]any
			_ = json.Unmarshal([]byte(tt.step), &action)
			if n := fx.provider.count(action["action"].(string)); n != tt.wantCalls {
				t.Errorf("provider called %d times, want %d", n, tt.wantCalls)
			}
			if s.Attempts != tt.wantAttempts {
				t.Errorf("logged attempts = %d, want %d", s.Attempts, tt.wantAttempts)
			}
			if tt.maxDuration > 0 {
				if d := s.EndedAt.Sub(s.StartedAt); d < tt.minDuration || d > tt.maxDuration {
					t.Errorf("step took %s of workflow time, want %s–%s", d, tt.minDuration, tt.maxDuration)
				}
			}
		})
	}
}

func TestHTTPStep(t *testing.T) {
	fx := newFixture(t)
	fx.saveCredential(t, "http-cred", "http", map[string]any{"auth_type": "bearer", "token": testSecret})
	srv := newSink(t)
	def := fmt.Sprintf(`{"name": "h", "trigger": {"type": "webhook"}, "steps": [
		{"id": "lookup", "type": "http", "method": "POST", "url": "%s/orders/{{ trigger.order }}",
			"headers": {"X-Shop": "{{ trigger.shop }}"}, "query": {"expand": "items"}, "credential": "http-cred",
			"body": {"order": "{{ trigger.order }}"}},
		{"id": "use", "type": "map", "map": {"path": "steps.lookup.body.path", "status": "steps.lookup.status"}}]}`, srv.URL)
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{"order": 1234, "shop": "acme"}`))
	if err != nil {
		t.Fatal(err)
	}
	use := output(t, step(t, l, "use"))
	if use["path"] != "/orders/1234" || use["status"] != 200.0 {
		t.Errorf("http output used = %v", use)
	}
	if len(srv.requests) != 1 {
		t.Fatalf("%d requests", len(srv.requests))
	}
	r := srv.requests[0]
	if r.Header.Get("X-Shop") != "acme" || r.URL.Query().Get("expand") != "items" || srv.bodies[0] != `{"order":1234}` {
		t.Errorf("request: headers %v, query %s, body %s", r.Header, r.URL.RawQuery, srv.bodies[0])
	}
	if r.Header.Get("Idempotency-Key") == "" {
		t.Error("POST without an idempotency key")
	}
	if strings.Contains(string(step(t, l, "lookup").Input), testSecret) {
		t.Error("the http step's logged input holds the credential")
	}
}

func TestHTTPStepIsSSRFGuarded(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "h", "trigger": {"type": "webhook"}, "steps": [
		{"id": "meta", "type": "http", "url": "http://169.254.169.254/latest/meta-data/", "retry": {"max_attempts": 1}}]}`
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
	if err == nil {
		t.Fatal("a request to the cloud metadata address was allowed")
	}
	if s := step(t, l, "meta"); s.Status != StepFailed || !strings.Contains(s.Error, "169.254.169.254") && !strings.Contains(strings.ToLower(s.Error), "block") {
		t.Errorf("meta step = %s: %s", s.Status, s.Error)
	}
}

func TestLargeOutputGoesToBlob(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "b", "trigger": {"type": "webhook"}, "steps": [
		{"id": "big", "type": "action", "connector": "test", "action": "big", "input": {"size": 5000}},
		{"id": "check", "type": "filter", "if": "steps.big.n == 5000"},
		{"id": "use", "type": "map", "map": {"n": "steps.big.n", "len": "{{ len(steps.big.blob) }}"}}]}`
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
	if err != nil {
		t.Fatal(err)
	}
	big := output(t, step(t, l, "big"))
	id, ok := big[blobKey].(string)
	if !ok {
		t.Fatalf("large output kept in history: %s", step(t, l, "big").Output)
	}
	raw, err := fx.store.GetBlob(context.Background(), id)
	if err != nil || len(raw) < 5000 {
		t.Fatalf("blob %s: %d bytes, %v", id, len(raw), err)
	}
	if use := output(t, step(t, l, "use")); use["n"] != 5000.0 || use["len"] != 5000.0 {
		t.Errorf("a later step did not see the blob's content: %v", use)
	}
}

func TestRunTimeout(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "t", "trigger": {"type": "webhook"}, "settings": {"run_timeout": "1h"}, "steps": [
		{"id": "slow", "type": "delay", "duration": "2h"}, {"id": "never", "type": "stop"}]}`
	res, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
	if err == nil || !strings.Contains(err.Error(), "run timed out after 1h") {
		t.Fatalf("err = %v", err)
	}
	if l.Status != StatusTimedOut || res.Status != "" && res.Status != StatusTimedOut {
		t.Errorf("status = %s", l.Status)
	}
	if d := l.EndedAt.Sub(l.StartedAt); d != time.Hour {
		t.Errorf("run ended after %s", d)
	}
	stored, _ := fx.store.GetRun(context.Background(), "run-1")
	if stored.Status != store.RunTimedOut {
		t.Errorf("stored status = %s", stored.Status)
	}
}

func TestErrorWorkflowStartsOnFailure(t *testing.T) {
	fx := newFixture(t)
	handler := `{"name": "on-failure", "trigger": {"type": "manual"}, "steps": [
		{"id": "alert", "type": "action", "connector": "test", "action": "echo", "input": {"value": "{{ trigger.failed_step }}: {{ trigger.error }}"}}]}`
	w, err := fx.store.CreateWorkflow(context.Background(), "on-failure", []byte(handler), "hh")
	if err != nil {
		t.Fatal(err)
	}
	def := fmt.Sprintf(`{"name": "main", "trigger": {"type": "webhook"}, "settings": {"error_workflow": %q}, "steps": [
		{"id": "crm", "type": "action", "connector": "test", "action": "reject", "input": {"reason": "x"}}]}`, w.ID)
	env := fx.newEnv(t)
	var started []RunInput
	env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
		var in RunInput
		if err := args.Get(&in); err != nil {
			t.Errorf("decoding child input: %v", err)
		}
		started = append(started, in)
	})
	_, err, _ = run(t, env, input(t, def, `{}`))
	if err == nil {
		t.Fatal("run should fail")
	}
	if len(started) != 1 {
		t.Fatalf("%d error workflows started, want 1", len(started))
	}
	in := started[0]
	if in.WorkflowID != w.ID || in.RunID != "run-1/error-workflow" || in.Parent != "run-1" || in.Event.Type != "hookflow.run_failed" {
		t.Errorf("error workflow input = %+v", in)
	}
	var body map[string]any
	_ = json.Unmarshal(in.Event.Body, &body)
	if body["failed_step"] != "crm" || body["error"] != "step crm: running test.reject: permanent (HTTP 400): invalid email: x" || body["status"] != StatusFailed {
		t.Errorf("error workflow body = %s", in.Event.Body)
	}
}

func TestWebhookDeliverySchedule(t *testing.T) {
	tests := []struct {
		name       string
		failFirst  int
		schedule   string
		wantStatus string
		wantTries  int
		wantTime   time.Duration
	}{
		{name: "delivered after two failures", failFirst: 2, schedule: "0s,5s,5m,30m", wantStatus: store.DeliverySucceeded, wantTries: 3, wantTime: 5*time.Minute + 5*time.Second},
		{name: "dead after the schedule", failFirst: 99, schedule: "0s,5s,5m", wantStatus: store.DeliveryDead, wantTries: 3, wantTime: 5*time.Minute + 5*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			srv := newSink(t)
			calls := 0
			srv.statusFn = func() int {
				calls++
				if calls <= tt.failFirst {
					return 503
				}
				return 200
			}
			def := fmt.Sprintf(`{"name": "out", "trigger": {"type": "webhook"}, "steps": [
				{"id": "notify", "type": "action", "connector": "webhook", "action": "send", "on_error": "continue",
					"input": {"url": "%s/fulfil", "event_type": "order.paid", "data": {"id": "{{ trigger.id }}"}, "retry_schedule": %q}}]}`,
				srv.URL, tt.schedule)
			_, err, l := run(t, fx.newEnv(t), input(t, def, `{"id": 7}`))
			if err != nil {
				t.Fatal(err)
			}
			s := step(t, l, "notify")
			if s.Attempts != tt.wantTries || calls != tt.wantTries {
				t.Errorf("attempts logged %d, receiver saw %d, want %d", s.Attempts, calls, tt.wantTries)
			}
			if d := s.EndedAt.Sub(s.StartedAt); d != tt.wantTime {
				t.Errorf("delivery took %s of workflow time, want %s", d, tt.wantTime)
			}
			d, err := fx.store.GetDelivery(context.Background(), DeliveryID("run-1", "notify"))
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != tt.wantStatus || d.Attempts != tt.wantTries {
				t.Errorf("delivery %s after %d attempts, want %s after %d", d.Status, d.Attempts, tt.wantStatus, tt.wantTries)
			}
		})
	}
}

func TestMailboxRunsInOrder(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "o", "trigger": {"type": "webhook", "order_key": "customer"}, "steps": [
		{"id": "slow", "type": "delay", "until": "addDuration(now(), trigger.wait)"},
		{"id": "log", "type": "action", "connector": "test", "action": "echo", "input": {"value": "{{ trigger.n }}"}}]}`
	item := func(n int, wait string) MailboxItem {
		in := input(t, def, fmt.Sprintf(`{"n": %d, "wait": %q}`, n, wait))
		in.Event.ID = fmt.Sprintf("evt_%d", n)
		in.RunID = RunWorkflowID("wf_test", in.Event.ID)
		return MailboxItem{Input: in}
	}
	// The first run is the slowest; order must still hold. The third
	// arrives by signal while the first runs; a duplicate of the second is
	// skipped.
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalEnqueue, item(3, "1s")) }, time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalEnqueue, item(2, "1s")) }, 2*time.Minute)
	env.ExecuteWorkflow(MailboxWorkflowName, MailboxState{Queue: []MailboxItem{item(1, "1h"), item(2, "1s")}})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if fx.provider.count("echo") != 3 {
		t.Fatalf("echo ran %d times, want 3 (duplicate skipped)", fx.provider.count("echo"))
	}
	for _, n := range []int{1, 2, 3} {
		r, err := fx.store.GetRun(context.Background(), RunWorkflowID("wf_test", fmt.Sprintf("evt_%d", n)))
		if err != nil || r.Status != store.RunCompleted {
			t.Errorf("run %d: %v %s", n, err, r.Status)
		}
	}
	r1, _ := fx.store.GetRun(context.Background(), RunWorkflowID("wf_test", "evt_1"))
	r3, _ := fx.store.GetRun(context.Background(), RunWorkflowID("wf_test", "evt_3"))
	if !r3.StartedAt.After(*r1.EndedAt) && !r3.StartedAt.Equal(*r1.EndedAt) {
		t.Errorf("run 3 started at %s, before run 1 ended at %s", r3.StartedAt, r1.EndedAt)
	}
}

func asApp(err error, target **temporal.ApplicationError) bool {
	for err != nil {
		if a, ok := err.(*temporal.ApplicationError); ok {
			*target = a
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func TestRedeliverDeadLetter(t *testing.T) {
	fx := newFixture(t)
	srv := newSink(t)
	srv.status = 503
	def := fmt.Sprintf(`{"name": "out", "trigger": {"type": "webhook"}, "steps": [
		{"id": "notify", "type": "action", "connector": "webhook", "action": "send", "on_error": "continue",
			"input": {"url": "%s/fulfil", "event_type": "order.paid", "data": {"id": 9}, "retry_schedule": "0s,1m"}}]}`, srv.URL)
	if _, err, _ := run(t, fx.newEnv(t), input(t, def, `{}`)); err != nil {
		t.Fatal(err)
	}
	id := DeliveryID("run-1", "notify")
	d, err := fx.store.GetDelivery(context.Background(), id)
	if err != nil || d.Status != store.DeliveryDead {
		t.Fatalf("delivery before retry: %s, %v", d.Status, err)
	}
	if strings.Contains(string(d.Payload), testSecret) {
		t.Error("the stored delivery holds a secret")
	}
	// The receiver is fixed; retry the dead letter by hand.
	srv.mu.Lock()
	srv.status = 200
	srv.mu.Unlock()
	env := fx.newEnv(t)
	env.ExecuteWorkflow(RedeliverWorkflowName, id)
	var res DeliverResult
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if err := env.GetWorkflowResult(&res); err != nil || !res.Delivered {
		t.Fatalf("redeliver: %+v %v", res, err)
	}
	d, _ = fx.store.GetDelivery(context.Background(), id)
	if d.Status != store.DeliverySucceeded || d.Attempts != 3 || d.LastStatus != 200 {
		t.Errorf("after manual retry: %s, %d attempts, last status %d", d.Status, d.Attempts, d.LastStatus)
	}
	// The same webhook id was sent every time, so the receiver can dedupe.
	ids := map[string]bool{}
	for _, r := range srv.requests {
		ids[r.Header.Get("Webhook-Id")] = true
	}
	if len(ids) != 1 || len(srv.requests) != 3 {
		t.Errorf("%d requests with %d distinct webhook ids, want 3 with 1", len(srv.requests), len(ids))
	}
}

// TestWaitDropsRepeatedEventID re-sends one event (the dispatcher does
// after a crash or a lost reply) between two waits for the same type and
// key: the first wait takes it, the second must not take the copy, only
// the next event.
func TestWaitDropsRepeatedEventID(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "w", "trigger": {"type": "webhook"}, "steps": [
		{"id": "first", "type": "wait_for_event", "event": "qualified", "correlation_key": "trigger.contact_id", "wait_timeout": "1d"},
		{"id": "second", "type": "wait_for_event", "event": "qualified", "correlation_key": "trigger.contact_id",
			"wait_timeout": "1d", "on_timeout": "late"},
		{"id": "done", "type": "stop"},
		{"id": "late", "type": "stop"}]}`
	send := func(after time.Duration, id, stage string) {
		sig := EventSignal{Type: "qualified", Key: "42", EventID: id, Payload: json.RawMessage(`{"stage": "` + stage + `"}`)}
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalEvent, sig) }, after)
	}
	send(time.Hour, "evt_a", "mql")
	send(2*time.Hour, "evt_a", "mql") // the re-sent copy
	send(3*time.Hour, "evt_b", "sql")
	_, err, l := run(t, env, input(t, def, `{"contact_id": 42}`))
	if err != nil {
		t.Fatal(err)
	}
	first, second := step(t, l, "first"), step(t, l, "second")
	if ev, _ := output(t, first)["event"].(map[string]any); ev["stage"] != "mql" {
		t.Errorf("first wait got %v", output(t, first))
	}
	if ev, _ := output(t, second)["event"].(map[string]any); ev["stage"] != "sql" {
		t.Errorf("second wait got %v, want the next event, not the re-sent copy", output(t, second))
	}
	if d := second.EndedAt.Sub(*first.EndedAt); d != 2*time.Hour {
		t.Errorf("second wait ended %s after the first, want 2h (at evt_b)", d)
	}
	step(t, l, "done")
}
