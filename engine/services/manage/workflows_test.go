package manage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func problems(t *testing.T, err error) string {
	t.Helper()
	ve, ok := manage.IsValidation(err)
	if !ok {
		t.Fatalf("error = %v, want a validation error", err)
	}
	var out []string
	for _, e := range ve.Errors {
		out = append(out, e.Path+": "+e.Message)
	}
	return ve.Title + ": " + strings.Join(out, "; ")
}

// Validation against the store refuses error_workflow and call_workflow
// targets that do not exist, by id or name; a saved target passes.
func TestWorkflowTargetsMustExist(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st)
		doc := func(errWF, child string) []byte {
			return []byte(fmt.Sprintf(`{"name": "caller", "trigger": {"type": "manual"}, "settings": {"error_workflow": %q},
				"steps": [{"id": "child", "type": "call_workflow", "workflow": %q}]}`, errWF, child))
		}
		_, err := svc.Validate(ctx, doc("notify-ops", "enrich"))
		got := problems(t, err)
		for _, want := range []string{
			`settings.error_workflow: workflow "notify-ops" does not exist`,
			`steps[0].workflow: workflow "enrich" does not exist`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("problems %q\nmiss %q", got, want)
			}
		}
		ops, err := svc.CreateWorkflow(ctx, []byte(`{"name": "notify-ops", "trigger": {"type": "manual"}, "steps": [{"id": "s", "type": "stop"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateWorkflow(ctx, []byte(`{"name": "enrich", "trigger": {"type": "manual"}, "steps": [{"id": "s", "type": "stop"}]}`)); err != nil {
			t.Fatal(err)
		}
		// By name and by id.
		if _, err := svc.Validate(ctx, doc("notify-ops", "enrich")); err != nil {
			t.Errorf("saved targets by name: %v", err)
		}
		if _, err := svc.Validate(ctx, doc(ops.ID, "enrich")); err != nil {
			t.Errorf("saved target by id: %v", err)
		}
		// A workflow may call itself by its own name before it is saved.
		if _, err := svc.Validate(ctx, doc("notify-ops", "caller")); err != nil {
			t.Errorf("self reference: %v", err)
		}
	})
}

// A Stripe trigger without a credential may be saved, but activating it
// is refused, naming the field; with a credential it activates. A generic
// webhook without a credential (no authentication, the author's choice)
// activates.
func TestActivationNeedsTheTriggersCredential(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st)
		stripe := `{"name": "big payments", "trigger": {"type": "webhook", "connector": "stripe", "events": ["payment_intent.succeeded"]},
			"steps": [{"id": "s", "type": "stop"}]}`
		wf, err := svc.CreateWorkflow(ctx, []byte(stripe))
		if err != nil {
			t.Fatalf("saving without a credential: %v", err)
		}
		_, err = svc.SetActive(ctx, wf.ID, true)
		got := problems(t, err)
		if !strings.HasPrefix(got, "the workflow cannot be activated: trigger.credential: is required to activate: the Stripe trigger checks every event with a signing secret") {
			t.Errorf("activation refused with %q", got)
		}
		if v, _ := svc.GetWorkflow(ctx, wf.ID); v.Active {
			t.Error("the workflow became active")
		}

		if _, err := svc.CreateCredential(ctx, manage.CredentialInput{Name: "stripe-live", Connector: "stripe",
			Values: json.RawMessage(`{"webhook_secret": "whsec_test_secret"}`)}); err != nil {
			t.Fatalf("creating credential: %v", err)
		}
		withCred := strings.Replace(stripe, `"connector": "stripe",`, `"connector": "stripe", "credential": "stripe-live",`, 1)
		if _, err := svc.UpdateWorkflow(ctx, wf.ID, []byte(withCred)); err != nil {
			t.Fatal(err)
		}
		if v, err := svc.SetActive(ctx, wf.ID, true); err != nil || !v.Active {
			t.Errorf("activation with a credential: %v", err)
		}

		open, err := svc.CreateWorkflow(ctx, []byte(`{"name": "open hook", "trigger": {"type": "webhook", "connector": "webhook"}, "steps": [{"id": "s", "type": "stop"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetActive(ctx, open.ID, true); err != nil {
			t.Errorf("a generic webhook without authentication: %v", err)
		}
	})
}
