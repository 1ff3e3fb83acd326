package interpreter

import (
	"strings"
	"testing"

	"go.temporal.io/sdk/workflow"
)

const misspeltDef = `{"name": "misspelt", "trigger": {"type": "webhook"}, "steps": [
	{"id": "tell", "type": "action", "connector": "test", "action": "echo", "credential": "test-cred",
		"input": {"value": "From {{ trigger.customer.nmae }}"}}]}`

// From interpreter version 8 a misspelt path in a template fails its step
// with a message naming the path, instead of the run "completing" with
// "From " sent on.
func TestMissingTemplatePathFailsStep(t *testing.T) {
	fx := newFixture(t)
	_, err, l := run(t, fx.newEnv(t), input(t, misspeltDef, `{"customer": {"name": "Ada"}}`))
	if err == nil || l.Status != StatusFailed {
		t.Fatalf("run status %s (%v), want failed", l.Status, err)
	}
	s := step(t, l, "tell")
	want := `trigger.customer.nmae is missing from the event (did you mean trigger.customer.name?); wrap it in default(trigger.customer.nmae, "") if it may be absent`
	if s.Status != StepFailed || !strings.Contains(s.Error, want) {
		t.Errorf("step %s: %s\nwant the error to contain %s", s.Status, s.Error, want)
	}
	if fx.provider.count("echo") != 0 {
		t.Error("the action ran with the missing value")
	}
}

// A run recorded before version 8 renders the missing path as "" on
// replay, as it did.
func TestMissingTemplatePathBeforeVersion8(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	env.OnGetVersion(versionChangeID, workflow.DefaultVersion, interpreterVersion).Return(versionBudgets)
	_, err, l := run(t, env, input(t, misspeltDef, `{"customer": {"name": "Ada"}}`))
	if err != nil {
		t.Fatalf("version 7 run failed: %v", err)
	}
	if got := output(t, step(t, l, "tell"))["echo"]; got != "From " {
		t.Errorf("echo = %q, want the old empty rendering", got)
	}
}
