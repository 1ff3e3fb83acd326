package interpreter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

// TestEveryKindHasAnExecutor keeps the interpreter's executors and the
// definition's kind specs in step: one executor per kind, none for a kind
// that does not exist.
func TestEveryKindHasAnExecutor(t *testing.T) {
	for _, k := range definition.Kinds {
		if stepKinds[k] == nil {
			t.Errorf("kind %q has no executor", k)
		}
	}
	for k := range stepKinds {
		if _, ok := definition.KindSpecOf(k); !ok {
			t.Errorf("executor for %q, which is not a kind", k)
		}
	}
}

// courier is a fake delivery provider that is not the webhook connector:
// its deliver action fails until the attempt given in the input, and it
// declares durable delivery with commaSchedule.
type courier struct {
	mu       sync.Mutex
	attempts int
	failTill int
}

func (c *courier) spec(durable bool) *connectors.Spec {
	a := &connectors.Action{Name: "deliver", Title: "Deliver",
		Input: []connectors.Field{{Name: "parcel", Type: connectors.TypeString}, {Name: "retry_schedule", Type: connectors.TypeString}},
		Run: func(ctx context.Context, call *connectors.Call) (any, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.attempts++
			if c.attempts <= c.failTill {
				return nil, connectors.NewError(connectors.ClassRetryable, 503, "depot closed")
			}
			return map[string]any{"parcel": call.Input["parcel"], "attempt": c.attempts}, nil
		}}
	if durable {
		a.Durable = commaSchedule{}
	}
	return &connectors.Spec{Name: "courier", Title: "Courier", Actions: []*connectors.Action{a}}
}

// TestDurableDeliveryIsACapability: any action that declares
// connectors.DurableDelivery runs on its delivery schedule, with each
// attempt recorded and a dead letter that a manual retry sends through the
// same action; the same action without the capability is one plain call
// under the step's retry policy. Nothing depends on the connector's name.
func TestDurableDeliveryIsACapability(t *testing.T) {
	const def = `{"name": "c", "trigger": {"type": "webhook"}, "steps": [
		{"id": "ship", "type": "action", "connector": "courier", "action": "deliver", "on_error": "continue",
			"retry": {"max_attempts": 1}, "input": {"parcel": "p-{{ trigger.id }}", "retry_schedule": "0s,10m,1h"}}]}`
	tests := []struct {
		name        string
		durable     bool
		failTill    int
		wantTries   int
		wantTime    time.Duration
		wantStatus  string // of the stored delivery; "" for none
		wantOutcome string // the step's status
	}{
		// retry.max_attempts 1 shortens the schedule to one attempt.
		{name: "durable, one attempt allowed", durable: true, failTill: 1, wantTries: 1, wantStatus: store.DeliveryDead, wantOutcome: StepContinued},
		{name: "plain call", durable: false, failTill: 0, wantTries: 1, wantOutcome: StepSucceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			c := &courier{failTill: tt.failTill}
			if err := fx.registry.Register(c.spec(tt.durable)); err != nil {
				t.Fatal(err)
			}
			_, err, l := run(t, fx.newEnv(t), input(t, def, `{"id": 7}`))
			if err != nil {
				t.Fatal(err)
			}
			s := step(t, l, "ship")
			if s.Status != tt.wantOutcome || c.attempts != tt.wantTries {
				t.Errorf("step %s after %d attempts, want %s after %d", s.Status, c.attempts, tt.wantOutcome, tt.wantTries)
			}
			d, err := fx.store.GetDelivery(context.Background(), DeliveryID("run-1", "ship"))
			switch {
			case tt.wantStatus == "" && !errors.Is(err, store.ErrNotFound):
				t.Errorf("a plain call recorded a delivery: %+v, %v", d, err)
			case tt.wantStatus != "" && (err != nil || d.Status != tt.wantStatus):
				t.Errorf("delivery %+v, %v; want status %s", d, err, tt.wantStatus)
			}
		})
	}

	t.Run("schedule, then a manual retry through the same action", func(t *testing.T) {
		fx := newFixture(t)
		c := &courier{failTill: 3}
		if err := fx.registry.Register(c.spec(true)); err != nil {
			t.Fatal(err)
		}
		def := `{"name": "c", "trigger": {"type": "webhook"}, "steps": [
			{"id": "ship", "type": "action", "connector": "courier", "action": "deliver", "on_error": "continue",
				"input": {"parcel": "p-{{ trigger.id }}", "retry_schedule": "0s,10m,1h"}}]}`
		_, err, l := run(t, fx.newEnv(t), input(t, def, `{"id": 7}`))
		if err != nil {
			t.Fatal(err)
		}
		s := step(t, l, "ship")
		if s.Attempts != 3 || c.attempts != 3 || s.EndedAt.Sub(s.StartedAt) != 70*time.Minute {
			t.Errorf("%d attempts logged, %d made, in %s; want 3 in 1h10m of timers", s.Attempts, c.attempts, s.EndedAt.Sub(s.StartedAt))
		}
		id := DeliveryID("run-1", "ship")
		d, err := fx.store.GetDelivery(context.Background(), id)
		if err != nil || d.Status != store.DeliveryDead || d.Attempts != 3 {
			t.Fatalf("delivery %+v, %v; want dead after 3", d, err)
		}
		env := fx.newEnv(t)
		env.ExecuteWorkflow(RedeliverWorkflowName, id)
		var res DeliverResult
		if err := env.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		if err := env.GetWorkflowResult(&res); err != nil || !res.Delivered {
			t.Fatalf("redeliver: %+v, %v", res, err)
		}
		out, _ := json.Marshal(res.Output)
		if c.attempts != 4 || string(out) != `{"attempt":4,"parcel":"p-7"}` {
			t.Errorf("the manual retry made attempt %d with output %s; want the courier's 4th", c.attempts, out)
		}
	})

	t.Run("a schedule the input cannot give fails the step", func(t *testing.T) {
		fx := newFixture(t)
		c := &courier{}
		if err := fx.registry.Register(c.spec(true)); err != nil {
			t.Fatal(err)
		}
		def := `{"name": "c", "trigger": {"type": "webhook"}, "steps": [
			{"id": "ship", "type": "action", "connector": "courier", "action": "deliver", "input": {"retry_schedule": "soon"}}]}`
		_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
		if err == nil {
			t.Fatal("the run succeeded")
		}
		s := step(t, l, "ship")
		want := `retry_schedule: time: invalid duration "soon"`
		if s.Error != want || s.ErrorClass != classPermanent || c.attempts != 0 {
			t.Errorf("step error %q (%s) after %d attempts; want %q (permanent) before any", s.Error, s.ErrorClass, c.attempts, want)
		}
	})
}

// TestRedeliverStoredBeforeEnvelopesNamedTheAction: a delivery stored
// without connector and action in its envelope was a webhook send, and is
// sent again as one.
func TestRedeliverStoredBeforeEnvelopesNamedTheAction(t *testing.T) {
	fx := newFixture(t)
	srv := newSink(t)
	id := "dlv_legacy"
	payload := fmt.Sprintf(`{"input": {"url": "%s/old", "event_type": "order.paid", "data": {"id": 1}}}`, srv.URL)
	if _, err := fx.store.CreateDelivery(context.Background(), store.Delivery{ID: id, Destination: srv.URL + "/old",
		WorkflowID: "wf_test", RunID: "run-0", StepID: "notify", Payload: []byte(payload)}); err != nil {
		t.Fatal(err)
	}
	env := fx.newEnv(t)
	env.ExecuteWorkflow(RedeliverWorkflowName, id)
	var res DeliverResult
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if err := env.GetWorkflowResult(&res); err != nil || !res.Delivered {
		t.Fatalf("redeliver: %+v, %v", res, err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.requests) != 1 || srv.requests[0].URL.Path != "/old" {
		t.Errorf("the receiver got %d requests, want the old delivery once", len(srv.requests))
	}
}
