package dryrun_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/dryrun"
)

const def = `{
  "name": "dry",
  "trigger": {"type": "manual"},
  "steps": [
    {"id": "big", "type": "filter", "if": "trigger.amount >= 100"},
    {"id": "fields", "type": "map", "map": {"who": "trigger.email", "cents": "trigger.amount"}},
    {"id": "route", "type": "branch", "cases": [{"if": "steps.fields.cents > 1000", "next": "huge"}], "default": "tell"},
    {"id": "huge", "type": "delay", "duration": "3d", "next": "tell"},
    {"id": "tell", "type": "action", "connector": "slack", "action": "post_message", "credential": "slack-bot",
     "input": {"channel": "#sales", "text": "Paid {{ steps.fields.cents / 100 }} by {{ steps.fields.who }}"}},
    {"id": "approve", "type": "wait_for_event", "event": "approval.given", "correlation_key": "trigger.email", "wait_timeout": "2d", "on_timeout": "done"},
    {"id": "never", "type": "fail", "message": "the wait should have timed out"},
    {"id": "done", "type": "respond", "status": 201, "body": {"ts": "{{ steps.tell.ts }}"}}
  ]
}`

func runner(t *testing.T) *dryrun.Runner {
	t.Helper()
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &dryrun.Runner{Registry: reg}
}

func TestRunMocksActionsAndSkipsTime(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		outputs    map[string]json.RawMessage
		wantStatus string
		wantPaths  []string
		wantTS     string
	}{
		{name: "filtered", body: `{"amount": 5, "email": "a@example.com"}`, wantStatus: "filtered", wantPaths: []string{"big"}},
		{name: "small payment uses the sample output", body: `{"amount": 500, "email": "a@example.com"}`, wantStatus: "completed",
			wantPaths: []string{"big", "fields", "route", "tell", "approve", "done"}, wantTS: "1503435956.000247"},
		{name: "big payment waits three days and uses a recorded output", body: `{"amount": 5000, "email": "b@example.com"}`,
			outputs:    map[string]json.RawMessage{"tell": json.RawMessage(`{"ok": true, "ts": "42.1"}`)},
			wantStatus: "completed", wantPaths: []string{"big", "fields", "route", "huge", "tell", "approve", "done"}, wantTS: "42.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := runner(t).Run(context.Background(), dryrun.Request{
				Definition: json.RawMessage(def), Event: interpreter.EventInfo{Body: json.RawMessage(tt.body)}, Outputs: tt.outputs})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.wantStatus {
				t.Fatalf("status %q (%s), want %q; steps %+v", res.Status, res.Error, tt.wantStatus, res.Steps)
			}
			var paths []string
			for _, s := range res.Steps {
				paths = append(paths, s.Path)
			}
			if strings.Join(paths, ",") != strings.Join(tt.wantPaths, ",") {
				t.Fatalf("steps %v, want %v", paths, tt.wantPaths)
			}
			if tt.wantTS == "" {
				return
			}
			tell := res.Steps[len(res.Steps)-3]
			if !tell.Mocked || !strings.Contains(string(tell.Input), "#sales") {
				t.Errorf("tell step = %+v, want a mocked step with its rendered input", tell)
			}
			if res.Response == nil || res.Response.Status != 201 || !strings.Contains(string(res.Response.Body), tt.wantTS) {
				t.Errorf("response = %+v, want 201 with ts %s", res.Response, tt.wantTS)
			}
			approve := res.Steps[len(res.Steps)-2]
			if !strings.Contains(string(approve.Output), `"timed_out":true`) {
				t.Errorf("approve output = %s, want a timeout", approve.Output)
			}
		})
	}
}

func TestRunWaitWithoutTimeoutEnds(t *testing.T) {
	d := `{"name": "w", "trigger": {"type": "manual"}, "steps": [
	  {"id": "wait", "type": "wait_for_event", "event": "x", "correlation_key": "trigger.k"}]}`
	res, err := runner(t).Run(context.Background(), dryrun.Request{Definition: json.RawMessage(d),
		Event: interpreter.EventInfo{Body: json.RawMessage(`{"k": "1"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "cancelled" || len(res.Steps) != 1 {
		t.Fatalf("got %+v, want a cancelled run stopped at the wait", res)
	}
}

func TestRunExampleWorkflow(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "workflows", "bench-reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "events", "bench-reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner(t).Run(context.Background(), dryrun.Request{Definition: raw, Event: interpreter.EventInfo{Body: ev}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "completed" || len(res.Steps) != 3 || !res.Steps[2].Mocked {
		t.Fatalf("got %+v", res)
	}
	if !strings.Contains(string(res.Steps[2].Input), "Payment of") {
		t.Errorf("post input = %s, want the rendered text", res.Steps[2].Input)
	}
}
