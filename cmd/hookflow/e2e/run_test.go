package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
)

// restartDef posts, waits in a durable timer, then posts again.
const restartDef = `{"name": "restart", "trigger": {"type": "webhook"}, "steps": [
	{"id": "fields", "type": "map", "map": {"email": "trigger.email"}},
	{"id": "first", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live",
		"input": {"text": "hello {{ steps.fields.email }}"}},
	{"id": "pause", "type": "delay", "duration": "3s"},
	{"id": "second", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live",
		"input": {"text": "again {{ steps.fields.email }} ({{ steps.first.id }})"}}]}`

// TestRunSurvivesWorkerRestart kills the worker while the run sits in a
// delay, starts a new one, and checks the run finishes with every side
// effect applied exactly once and no secret in its history.
func TestRunSurvivesWorkerRestart(t *testing.T) {
	s := StartStack(t)
	stop := s.StartWorker(t)
	in := Input(t, "wf_restart", "evt_restart_1", restartDef, `{"email": "ada@example.com"}`)
	ctx := context.Background()
	if _, err := interpreter.Start(ctx, s.Client, s.TaskQueue, in); err != nil {
		t.Fatal(err)
	}
	// A duplicate start of the same event is a no-op.
	if _, err := interpreter.Start(ctx, s.Client, s.TaskQueue, in); err != nil {
		t.Fatalf("duplicate start: %v", err)
	}
	if got := s.Sink.WaitArrival(t, time.Minute); got != `{"text":"hello ada@example.com"}` {
		t.Fatalf("first post = %s", got)
	}
	stop() // the run is now in its 3 s delay, with no worker
	log, err := interpreter.QueryLog(ctx, s.Client, in.RunID, in.RunID)
	if err == nil {
		t.Logf("query without a worker answered: %d steps", len(log.Steps))
	}
	time.Sleep(3 * time.Second)
	s.StartWorker(t)
	res, err := s.Await(t, in.RunID, 2*time.Minute)
	if err != nil {
		t.Fatalf("run failed after the restart: %v", err)
	}
	if res.Status != interpreter.StatusCompleted {
		t.Fatalf("status = %s", res.Status)
	}
	keys, maxPer := s.Sink.Effects()
	if keys != 2 || maxPer != 1 {
		t.Errorf("sink saw %d effects, max %d per key; want 2 effects, each once", keys, maxPer)
	}
	// The secret reached the provider...
	for k, auth := range s.Sink.Auth() {
		if auth != "Bearer "+Secret {
			t.Errorf("request %s was not authorized with the credential", k)
		}
	}
	// ...but never the history.
	history := s.HistoryText(t, in.RunID)
	if strings.Contains(history, Secret) {
		t.Fatal("the credential secret appears in workflow history")
	}
	if !strings.Contains(history, "sink-live") || !strings.Contains(history, "hello ada@example.com") {
		t.Error("history does not name the credential: the test checks the wrong history")
	}
	run, err := s.Store.GetRun(ctx, in.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.RunCompleted || run.EndedAt == nil || strings.Contains(string(run.Steps), Secret) {
		t.Errorf("stored run = %s, ended %v", run.Status, run.EndedAt)
	}
	var steps []interpreter.StepRecord
	if err := json.Unmarshal(run.Steps, &steps); err != nil || len(steps) != 4 {
		t.Fatalf("stored steps: %v (%s)", err, run.Steps)
	}
	if d := steps[2].EndedAt.Sub(steps[2].StartedAt); d < 3*time.Second {
		t.Errorf("delay lasted %s", d)
	}
	s.Record(t, in.RunID, "restart")
}

// TestReplyWithUpdateWithStart starts a run whose respond step replies
// while the run goes on waiting.
func TestReplyWithUpdateWithStart(t *testing.T) {
	s := StartStack(t)
	s.StartWorker(t)
	def := `{"name": "reply", "trigger": {"type": "webhook", "respond": "on_complete"}, "steps": [
		{"id": "reply", "type": "respond", "status": 202, "body": {"order": "{{ trigger.id }}", "queued": true}},
		{"id": "later", "type": "delay", "duration": "2s"},
		{"id": "post", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live", "input": {"text": "order {{ trigger.id }}"}}]}`
	in := Input(t, "wf_reply", "evt_reply_1", def, `{"id": "1001"}`)
	ctx := context.Background()
	resp, started, err := interpreter.StartAndAwaitResponse(ctx, s.Client, s.TaskQueue, in, 30*time.Second)
	if err != nil || !started {
		t.Fatalf("reply: started %v, err %v", started, err)
	}
	if resp.Status != 202 || string(resp.Body) != `{"order":"1001","queued":true}` {
		t.Errorf("reply = %d %s", resp.Status, resp.Body)
	}
	if keys, _ := s.Sink.Effects(); keys != 0 {
		t.Error("the reply waited for steps after the respond step")
	}
	if _, err := s.Await(t, in.RunID, time.Minute); err != nil {
		t.Fatal(err)
	}
	// A duplicate delivery of the finished event does not run again.
	resp2, started2, err := interpreter.StartAndAwaitResponse(ctx, s.Client, s.TaskQueue, in, 10*time.Second)
	if err != nil || started2 {
		t.Fatalf("duplicate: started %v, err %v", started2, err)
	}
	if resp2.Status != 202 {
		t.Errorf("duplicate reply = %d %s, want the first run's reply", resp2.Status, resp2.Body)
	}
	if keys, maxPer := s.Sink.Effects(); keys != 1 || maxPer != 1 {
		t.Errorf("effects %d (max %d per key), want 1", keys, maxPer)
	}
	s.Record(t, in.RunID, "respond")
}

// TestWaitForCorrelatedEvent routes an event through the wait router.
func TestWaitForCorrelatedEvent(t *testing.T) {
	s := StartStack(t)
	s.StartWorker(t)
	def := `{"name": "wait", "trigger": {"type": "webhook"}, "steps": [
		{"id": "qualified", "type": "wait_for_event", "event": "contact.qualified", "correlation_key": "trigger.contact",
			"match": "received.stage == 'sql'", "wait_timeout": "1h", "on_timeout": "late"},
		{"id": "post", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live",
			"input": {"text": "{{ steps.qualified.event.stage }}"}, "next": "end"},
		{"id": "late", "type": "stop"},
		{"id": "end", "type": "stop"}]}`
	in := Input(t, "wf_wait", "evt_wait_1", def, `{"contact": "c-42"}`)
	ctx := context.Background()
	if _, err := interpreter.Start(ctx, s.Client, s.TaskQueue, in); err != nil {
		t.Fatal(err)
	}
	// Wait until the run is waiting, then deliver a non-matching and a
	// matching event.
	deadline := time.Now().Add(time.Minute)
	for {
		l, err := interpreter.QueryLog(ctx, s.Client, in.RunID, in.RunID)
		if err == nil && len(l.Steps) > 0 && l.Steps[0].Status == interpreter.StepWaiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run never waited: %+v %v", l, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // let the registration reach the router
	for _, stage := range []string{"mql", "sql"} {
		if err := interpreter.SignalWaiting(ctx, s.Client, s.TaskQueue, interpreter.EventSignal{Type: "contact.qualified",
			Key: "c-42", Payload: json.RawMessage(`{"stage": "` + stage + `"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Await(t, in.RunID, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := s.Sink.WaitArrival(t, time.Second); got != `{"text":"sql"}` {
		t.Errorf("post = %s", got)
	}
	s.Record(t, in.RunID, "wait_for_event")
}

// TestExpressionBudgetFallback runs, on the real server, a step whose
// expression needs more work than workflow code allows: it goes to the
// Resolve activity, which stops it at the wall-clock budget, and the run
// goes on through on_error. Its history guards interpreter version 7.
func TestExpressionBudgetFallback(t *testing.T) {
	s := StartStack(t)
	s.StartWorker(t)
	def := `{"name": "budget", "trigger": {"type": "webhook"}, "steps": [
		{"id": "s1", "type": "map", "map": {"v": "{{ repeat('v', 10000) }}"}},
		{"id": "bomb", "type": "map", "map": {"n": "{{ len(filter(1..400000, indexOf(steps.s1.v, 'z') >= 0)) }}"}, "on_error": "continue"},
		{"id": "small", "type": "map", "map": {"n": "{{ len(reduce(1..2000, #acc + 'x', '')) }}", "err": "steps.bomb.error.message"}},
		{"id": "post", "type": "action", "connector": "sink", "action": "post", "credential": "sink-live", "input": {"text": "{{ steps.small.err }}"}}]}`
	in := Input(t, "wf_budget", "evt_budget_1", def, `{}`)
	ctx := context.Background()
	if _, err := interpreter.Start(ctx, s.Client, s.TaskQueue, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Await(t, in.RunID, time.Minute); err != nil {
		t.Fatal(err)
	}
	run, err := s.Store.GetRun(ctx, in.RunID)
	if err != nil {
		t.Fatal(err)
	}
	var steps []interpreter.StepRecord
	if err := json.Unmarshal(run.Steps, &steps); err != nil || len(steps) != 4 {
		t.Fatalf("stored steps: %v (%s)", err, run.Steps)
	}
	if steps[1].Status != interpreter.StepContinued || steps[1].Error != "n: expression exceeded 50ms" {
		t.Errorf("bomb step %s %q, want continued with the time budget's message", steps[1].Status, steps[1].Error)
	}
	if !strings.Contains(string(steps[2].Output), `"n":2000`) {
		t.Errorf("small step output %s", steps[2].Output)
	}
	if h := s.HistoryText(t, in.RunID); !strings.Contains(h, interpreter.ActivityResolve) {
		t.Error("the costly evaluation did not go to the Resolve activity")
	}
	s.Record(t, in.RunID, "expression_budget")
}
