package interpreter

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestTriggerByReference runs an event whose body went by reference
// (EventInfo.SetBody): the run input carries only the blob id, and vars,
// filters, mappings, templates and a respond step that read trigger still
// see the whole body.
func TestTriggerByReference(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "ref", "trigger": {"type": "webhook"}, "vars": {"customer": "{{ trigger.data.customer }}"}, "steps": [
		{"id": "big", "type": "filter", "if": "trigger.data.amount >= 100"},
		{"id": "note", "type": "map", "map": {"len": "{{ len(trigger.data.note) }}", "first": "{{ trigger.data.note[0:3] }}",
			"customer": "vars.customer", "amount": "trigger.data.amount"}},
		{"id": "plain", "type": "map", "map": {"n": "{{ 1 + 1 }}"}},
		{"id": "reply", "type": "respond", "status": 200, "body": {"amount": "{{ trigger.data.amount }}"}}]}`
	note := strings.Repeat("<", 5000)
	body := `{"data": {"amount": 4200, "customer": "cus_9", "note": "` + note + `"}}`
	in := input(t, def, body)
	if err := in.Event.SetBody(context.Background(), fx.store, []byte(body), 1024); err != nil {
		t.Fatal(err)
	}
	if in.Event.BodyBlob == "" || in.Event.Body != nil || in.Event.BodyBytes != len(body) {
		t.Fatalf("SetBody kept a %d-byte body inline (blob %q)", len(body), in.Event.BodyBlob)
	}
	if raw, _ := json.Marshal(in); len(raw) > 2048 {
		t.Fatalf("the run input still encodes to %d bytes", len(raw))
	}
	env := fx.newEnv(t)
	_, err, l := run(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	if l.Status != StatusCompleted {
		t.Fatalf("run %s: %s", l.Status, l.Error)
	}
	got := output(t, step(t, l, "note"))
	if got["len"] != 5000.0 || got["first"] != "<<<" || got["customer"] != "cus_9" || got["amount"] != 4200.0 {
		t.Fatalf("steps saw %v, want the whole body", got)
	}
	if n := output(t, step(t, l, "plain")); n["n"] != 2.0 {
		t.Fatalf("a step that does not read trigger: %v", n)
	}
	if l.Response == nil || string(l.Response.Body) != `{"amount":4200}` {
		t.Fatalf("reply %+v", l.Response)
	}
}

// TestSetBodyMeasuresTheEncodedSize keeps a body inline only when its
// encoded size fits: each <, > and & is 6 bytes in the payload, so a body
// of "<" outgrows the limit at a sixth of its length.
func TestSetBodyMeasuresTheEncodedSize(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		name   string
		body   string
		inline bool
	}{
		{name: "plain text under the limit", body: `"` + strings.Repeat("a", 900) + `"`, inline: true},
		{name: "angle brackets over the limit once encoded", body: `"` + strings.Repeat("<", 200) + `"`},
		{name: "line separators count twice their size", body: `"` + strings.Repeat("\u2028", 200) + `"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			encoded, _ := json.Marshal(json.RawMessage(tc.body))
			ev := EventInfo{ID: "evt_" + tc.name}
			if err := ev.SetBody(context.Background(), fx.store, []byte(tc.body), 1000); err != nil {
				t.Fatal(err)
			}
			if inline := ev.BodyBlob == ""; inline != tc.inline {
				t.Fatalf("inline = %v for a body that encodes to %d bytes (limit 1000)", inline, len(encoded))
			}
			if bound := EncodedSizeBound([]byte(tc.body)); bound < len(encoded) {
				t.Fatalf("EncodedSizeBound %d is below the real %d", bound, len(encoded))
			}
		})
	}
}

// TestFailedRunReplyIsGeneric checks the default reply of a failed run
// (what a respond: on_complete caller gets) names the run but not the
// internal error, which stays in the run log.
func TestFailedRunReplyIsGeneric(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "f", "trigger": {"type": "webhook", "respond": "on_complete"}, "steps": [
		{"id": "crm", "type": "action", "connector": "test", "action": "reject", "credential": "test-cred", "input": {"reason": "bad request from sink"}}]}`
	var got Response
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAwaitResponse, "reply-1", &updateCallbacks{complete: func(v any, err error) {
			if err == nil {
				got = v.(Response)
			}
		}})
	}, 0)
	_, err, l := run(t, env, input(t, def, `{}`))
	if err == nil {
		t.Fatal("the run did not fail")
	}
	want := `{"error":"the workflow run failed; its run id leads to the details","run_id":"run-1","status":"failed"}`
	if got.Status != 500 || string(got.Body) != want {
		t.Fatalf("reply = %d %s, want 500 %s", got.Status, got.Body, want)
	}
	if !strings.Contains(l.Error, "bad request from sink") {
		t.Fatalf("the run lost the detail: %q", l.Error)
	}
}
