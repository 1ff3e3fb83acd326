package interpreter

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"
)

// A short step (run as a local activity, then retried as a regular one)
// waits its retry interval before every retry, the first included: with
// initial_interval 1s and backoff 2, attempts 2 and 3 start 1 s and 2 s
// after the failures before them, so the step spans at least 3 s of
// workflow time. Before version 8 the second attempt started at once.
func TestRetryWaitsItsIntervalAfterALocalAttempt(t *testing.T) {
	def := `{"name": "r", "trigger": {"type": "webhook"}, "steps": [
		{"id": "call", "type": "action", "connector": "test", "action": "flaky", "credential": "test-cred",
			"input": {"fail_times": 2}, "timeout": "1s",
			"retry": {"max_attempts": 3, "initial_interval": "1s", "backoff": 2}}]}`
	tests := []struct {
		name    string
		version workflow.Version
		min     time.Duration
		max     time.Duration
	}{
		{name: "current", version: interpreterVersion, min: 3 * time.Second, max: time.Hour},
		{name: "version 7 replays without the wait", version: versionBudgets, min: 0, max: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			env := fx.newEnv(t)
			env.OnGetVersion(versionChangeID, workflow.DefaultVersion, interpreterVersion).Return(tt.version)
			_, err, l := run(t, env, input(t, def, `{}`))
			if err != nil {
				t.Fatalf("run failed: %v", err)
			}
			s := step(t, l, "call")
			if s.Attempts != 3 {
				t.Fatalf("attempts = %d, want 3", s.Attempts)
			}
			span := s.EndedAt.Sub(s.StartedAt)
			if span < tt.min || span >= tt.max {
				t.Errorf("the step spanned %s of workflow time, want [%s, %s)", span, tt.min, tt.max)
			}
		})
	}
}

// A foreach over more than max_items items fails by default, naming both
// counts; runs before version 8 dropped the rest without a word, and
// replay keeps that.
func TestForeachOverflowFailsByDefault(t *testing.T) {
	def := `{"name": "loop", "trigger": {"type": "webhook"}, "steps": [
		{"id": "each", "type": "foreach", "items": "trigger.items", "max_items": 2, "steps": [
			{"id": "x", "type": "map", "map": {"i": "item"}}]}]}`
	body := `{"items": [1, 2, 3]}`
	fx := newFixture(t)
	_, err, l := run(t, fx.newEnv(t), input(t, def, body))
	want := `items has 3 elements, more than max_items (2); set on_overflow to "truncate" to run the first 2 only`
	if err == nil || l.Status != StatusFailed || !strings.Contains(step(t, l, "each").Error, want) {
		t.Fatalf("run %s, step error %q; want it to fail with %q", l.Status, step(t, l, "each").Error, want)
	}

	env := fx.newEnv(t)
	env.OnGetVersion(versionChangeID, workflow.DefaultVersion, interpreterVersion).Return(versionBudgets)
	_, err, l = run(t, env, input(t, def, body))
	if err != nil || len(step(t, l, "each").Warnings) != 0 {
		t.Fatalf("version 7: %v, warnings %q; want the old silent truncation", err, step(t, l, "each").Warnings)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 250: "250", 1000: "1,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
