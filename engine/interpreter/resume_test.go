package interpreter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/definition"
)

// resumeDef fails in the second item of a foreach when fail_on is 2.
func resumeDef(failOn int) string {
	return `{"name": "r", "trigger": {"type": "webhook"}, "steps": [
		{"id": "a", "type": "action", "connector": "test", "action": "echo", "credential": "test-cred", "input": {"value": "A"}},
		{"id": "each", "type": "foreach", "items": "trigger.items", "concurrency": 1, "steps": [
			{"id": "e", "type": "action", "connector": "test", "action": "echo", "credential": "test-cred", "input": {"value": "{{ item }}"}},
			{"id": "br", "type": "branch", "cases": [{"if": "item == ` + itoa(failOn) + `", "next": "f"}], "default": "done"},
			{"id": "f", "type": "fail", "message": "item {{ item }} is bad"},
			{"id": "done", "type": "map", "map": {"n": "{{ item }}"}}]},
		{"id": "z", "type": "action", "connector": "test", "action": "echo", "credential": "test-cred", "input": {"value": "{{ steps.a.echo }}"}}]}`
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestResumeFromFailedStepReusesCompletedSteps(t *testing.T) {
	fx := newFixture(t)
	body := `{"items": [1, 2, 3]}`
	env := fx.newEnv(t)
	_, err, l1 := run(t, env, input(t, resumeDef(2), body))
	if err == nil {
		t.Fatal("the first run should fail at each[1].f")
	}
	if got := fx.provider.count("echo"); got != 3 { // a, each[0].e, each[1].e
		t.Fatalf("first run made %d echo calls, want 3", got)
	}
	v, qerr := env.QueryWorkflow(QueryStepOutputs)
	if qerr != nil {
		t.Fatal(qerr)
	}
	var full map[string]json.RawMessage
	if err := v.Get(&full); err != nil {
		t.Fatal(err)
	}

	// The fixed version no longer fails on item 2.
	fixed := resumeDef(99)
	var def definition.Definition
	if err := json.Unmarshal([]byte(fixed), &def); err != nil {
		t.Fatal(err)
	}
	plan, err := PlanResume(l1.Steps, "failed", full, &def)
	if err != nil {
		t.Fatal(err)
	}
	if plan.From != "each[1].f" {
		t.Errorf("resume point = %q, want each[1].f", plan.From)
	}
	in := input(t, fixed, body)
	in.RunID, in.RetryOf, in.Resume, in.Version = "run-2", "run-1", plan, 2
	res, err, l2 := run(t, fx.newEnv(t), in)
	if err != nil {
		t.Fatalf("resumed run failed: %v", err)
	}
	if res.Status != StatusCompleted {
		t.Errorf("status = %s", res.Status)
	}
	for _, p := range []string{"a", "each[0].e", "each[0].done", "each[1].e"} {
		if s := step(t, l2, p); s.Status != StepReused {
			t.Errorf("%s: status %s, want reused", p, s.Status)
		}
	}
	for _, p := range []string{"each[1].done", "each[2].e", "z"} {
		if s := step(t, l2, p); s.Status != StepSucceeded {
			t.Errorf("%s: status %s, want succeeded", p, s.Status)
		}
	}
	// Only each[2].e and z called the provider again: nothing that had
	// completed happened twice.
	if got := fx.provider.count("echo"); got != 5 {
		t.Errorf("echo calls after the resume = %d, want 5", got)
	}
	if out := output(t, step(t, l2, "z")); out["echo"] != "A" {
		t.Errorf("z saw steps.a.echo = %v, want the reused output A", out["echo"])
	}
}

func TestPlanResumeRefuses(t *testing.T) {
	rec := func(path, typ, status, out string) StepRecord {
		return StepRecord{Path: path, ID: lastID(path), Type: typ, Status: status, Output: json.RawMessage(out)}
	}
	var def definition.Definition
	if err := json.Unmarshal([]byte(resumeDef(2)), &def); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		steps []StepRecord
		from  string
		want  error
		text  string
	}{
		{name: "first step failed", steps: []StepRecord{rec("a", "action", StepFailed, "")}, want: ErrNothingToResume,
			text: "no step completed before a"},
		{name: "no failed step", steps: []StepRecord{rec("a", "action", StepSucceeded, `{}`)}, want: ErrNoFailedStep},
		{name: "step did not run", steps: []StepRecord{rec("a", "action", StepSucceeded, `{}`), rec("z", "action", StepFailed, "")},
			from: "each", want: ErrStepNotRun, text: `"each" is not in the run's log (steps that ran: a, z)`},
		{name: "step gone from the version", steps: []StepRecord{rec("a", "action", StepSucceeded, `{}`), rec("old", "action", StepFailed, "")},
			want: ErrStepGone, text: `step "old"`},
		{name: "truncated output", steps: []StepRecord{rec("a", "action", StepSucceeded, `{"$truncated": true, "bytes": 9000, "preview": "x"}`),
			rec("z", "action", StepFailed, "")}, want: ErrOutputLost, text: "output of step a was too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PlanResume(tc.steps, tc.from, nil, &def)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %q, want it to say %q", err, tc.text)
			}
		})
	}
}

func TestPlanResumeFromNamedStep(t *testing.T) {
	steps := []StepRecord{
		{Path: "a", Type: "action", Status: StepSucceeded, Output: json.RawMessage(`{"x": 1}`)},
		{Path: "b", Type: "http", Status: StepSucceeded, Output: json.RawMessage(`{"y": 2}`)},
		{Path: "c", Type: "action", Status: StepFailed},
	}
	plan, err := PlanResume(steps, "b", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 1 || plan.Steps[0].Path != "a" || plan.From != "b" {
		t.Errorf("plan = %+v, want only a reused, from b", plan)
	}
}

func TestApprovalWithApproversLinksNotifyAndRefusesOthers(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "a", "trigger": {"type": "webhook"}, "steps": [
		{"id": "ok", "type": "wait_for_event", "approval": {"message": "Refund {{ trigger.amount }}?", "approvers": ["alice@example.com"]},
		 "wait_timeout": "1d", "notify": [
			{"id": "tell", "type": "action", "connector": "test", "action": "echo", "credential": "test-cred",
			 "input": {"value": "{{ steps.ok.message }} {{ steps.ok.links['alice@example.com'] }}"}}]}]}`
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalApproval, Decision{Approved: true, By: "mallory", Step: "ok"})
	}, 10*time.Minute)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalApproval, Decision{Approved: false, By: "Alice@example.com", Comment: "no"})
	}, 20*time.Minute)
	_, err, l := run(t, env, input(t, def, `{"amount": 20}`))
	if err != nil {
		t.Fatal(err)
	}
	out := output(t, step(t, l, "ok"))
	if out["approved"] != false || out["by"] != "Alice@example.com" {
		t.Errorf("approval output = %v, want alice's rejection (mallory is no approver)", out)
	}
	tell := step(t, l, "ok.tell")
	if !strings.Contains(string(tell.Input), "Refund 20? http://localhost:8080/approve/(link hidden)") {
		t.Errorf("notify input = %s, want the message and the masked link", tell.Input)
	}
	v, qerr := env.QueryWorkflow(QueryStepOutputs)
	if qerr != nil {
		t.Fatal(qerr)
	}
	var full map[string]json.RawMessage
	if err := v.Get(&full); err != nil {
		t.Fatal(err)
	}
	var echoed struct {
		Echo string `json:"echo"`
	}
	if err := json.Unmarshal(full["ok.tell"], &echoed); err != nil {
		t.Fatal(err)
	}
	_, link, _ := strings.Cut(echoed.Echo, ApprovalPath)
	claims, err := VerifyApprovalLink(fx.keyring, link, time.Now())
	if err != nil {
		t.Fatalf("verifying %q: %v", link, err)
	}
	if claims.Approver != "alice@example.com" || claims.Step != "ok" || claims.Run != "run-1" {
		t.Errorf("claims = %+v", claims)
	}
	if _, err := VerifyApprovalLink(fx.keyring, link[:len(link)-2]+"xx", time.Now()); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("a changed signature verified: %v", err)
	}
	if _, err := VerifyApprovalLink(fx.keyring, link, claims.ExpiresAt().Add(time.Second)); !errors.Is(err, ErrLinkExpired) {
		t.Errorf("an expired link verified: %v", err)
	}
}
