package interpreter

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLoopPollsUntilDone polls with a durable delay between iterations
// until the body's output says done.
func TestLoopPollsUntilDone(t *testing.T) {
	fx := newFixture(t)
	env := fx.newEnv(t)
	def := `{"name": "poll", "trigger": {"type": "webhook"}, "steps": [
		{"id": "wait", "type": "loop", "max_iterations": 5, "delay": "1m", "until": "steps.check.status == 'done'", "steps": [
			{"id": "poll", "type": "action", "connector": "test", "action": "echo", "input": {"value": "{{ index }}"}},
			{"id": "check", "type": "map", "map": {"status": "{{ steps.poll.echo == 2 ? 'done' : 'pending' }}"}}]},
		{"id": "after", "type": "map", "map": {"n": "steps.wait.iterations", "last": "steps.wait.last.check.status"}}]}`
	start := env.Now()
	_, err, l := run(t, env, input(t, def, `{}`))
	if err != nil {
		t.Fatal(err)
	}
	if waited := env.Now().Sub(start); waited < 2*time.Minute {
		t.Errorf("the loop waited %s in workflow time, want the two delays of 1m", waited)
	}
	wait := output(t, step(t, l, "wait"))
	if wait["iterations"] != 3.0 || wait["completed"] != true {
		t.Errorf("loop output = %v, want 3 iterations, completed", wait)
	}
	if outs, _ := wait["outputs"].([]any); len(outs) != 3 {
		t.Errorf("outputs = %v, want one per iteration", wait["outputs"])
	}
	if after := output(t, step(t, l, "after")); after["n"] != 3.0 || after["last"] != "done" {
		t.Errorf("after = %v", after)
	}
	for i := range 3 {
		if got := output(t, step(t, l, fmt.Sprintf("wait[%d].poll", i)))["echo"]; fmt.Sprint(got) != fmt.Sprint(i) {
			t.Errorf("iteration %d echo = %v", i, got)
		}
	}
	// Every iteration's call has its own idempotency key.
	if n := len(fx.provider.calls); n != 3 {
		t.Errorf("%d distinct idempotency keys, want 3", n)
	}
}

// TestLoopItemIsThePreviousIteration pages with a cursor carried from one
// iteration to the next.
func TestLoopItemIsThePreviousIteration(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "pages", "trigger": {"type": "webhook"}, "steps": [
		{"id": "pages", "type": "loop", "max_iterations": 10, "until": "steps.page.n >= 4", "steps": [
			{"id": "page", "type": "map", "map": {"n": "{{ item == nil ? 1 : item.page.n + 1 }}"}}]}]}`
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
	if err != nil {
		t.Fatal(err)
	}
	out := output(t, step(t, l, "pages"))
	if out["iterations"] != 4.0 || fmt.Sprint(out["last"]) != "map[page:map[n:4]]" {
		t.Errorf("loop output = %v", out)
	}
}

func TestLoopMaxIterations(t *testing.T) {
	body := `{"id": "spin", "type": "loop", "max_iterations": 3, "until": "false",%s "steps": [
			{"id": "tick", "type": "map", "map": {"i": "index"}}]},
		{"id": "after", "type": "map", "map": {"done": "steps.spin.completed", "n": "steps.spin.iterations"}}`
	t.Run("fails by default", func(t *testing.T) {
		fx := newFixture(t)
		def := `{"name": "max", "trigger": {"type": "webhook"}, "steps": [` + fmt.Sprintf(body, "") + `]}`
		_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
		want := `step spin: the loop ran max_iterations (3) times and until (false) never held`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want %q", err, want)
		}
		if s := step(t, l, "spin"); s.ErrorClass != classPermanent {
			t.Errorf("error class = %q", s.ErrorClass)
		}
		step(t, l, "spin[2].tick")
	})
	t.Run("on_max continue", func(t *testing.T) {
		fx := newFixture(t)
		def := `{"name": "max", "trigger": {"type": "webhook"}, "steps": [` + fmt.Sprintf(body, ` "on_max": "continue",`) + `]}`
		_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
		if err != nil {
			t.Fatal(err)
		}
		if after := output(t, step(t, l, "after")); after["done"] != false || after["n"] != 3.0 {
			t.Errorf("after = %v", after)
		}
	})
}

// TestLoopOutputsAreBounded keeps the last LoopOutputIterations outputs.
func TestLoopOutputsAreBounded(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "many", "trigger": {"type": "webhook"}, "steps": [
		{"id": "many", "type": "loop", "max_iterations": 150, "until": "index == 119", "steps": [
			{"id": "tick", "type": "map", "map": {"i": "index"}}]}]}`
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
	if err != nil {
		t.Fatal(err)
	}
	out := output(t, step(t, l, "many"))
	outs, _ := out["outputs"].([]any)
	if out["iterations"] != 120.0 || len(outs) != 100 || fmt.Sprint(outs[0]) != "map[tick:map[i:20]]" {
		t.Errorf("iterations %v, %d outputs, first %v", out["iterations"], len(outs), outs[0])
	}
}

// TestLoopStopEndsTheRun: a stop step in the body ends the run.
func TestLoopStopEndsTheRun(t *testing.T) {
	fx := newFixture(t)
	def := `{"name": "stop", "trigger": {"type": "webhook"}, "steps": [
		{"id": "l", "type": "loop", "max_iterations": 5, "until": "false", "steps": [
			{"id": "s", "type": "stop"}]},
		{"id": "never", "type": "map", "map": {"x": "trigger.x"}}]}`
	res, err, l := run(t, fx.newEnv(t), input(t, def, `{"x": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range l.Steps {
		if s.Path == "never" || s.Path == "l[1].s" {
			t.Errorf("step %s ran after stop", s.Path)
		}
	}
	if res.Status != StatusCompleted {
		t.Errorf("status = %s", res.Status)
	}
}
