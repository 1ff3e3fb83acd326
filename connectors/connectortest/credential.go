package connectortest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

// TriggerOnlyCredential checks the rule that a credential used only for a
// trigger asks only for the trigger's fields: triggerCred (typically just
// the webhook secret) must pass ValidateCredential, as when it is saved,
// and every action of c invoked with it (with input from inputs, by action
// name) must fail before any call leaves, with a permanent error naming
// each of missing ("credential.bot_token: required to run actions…").
// A connector whose actions need fields its trigger does not declares
// those fields Required and ForActions.
func TriggerOnlyCredential(t *testing.T, c connectors.Connector, triggerCred connectors.Values, inputs map[string]connectors.Values, missing ...string) {
	t.Helper()
	spec := c.Spec()
	if _, err := connectors.ValidateCredential(spec.Credential, triggerCred); err != nil {
		t.Fatalf("saving a trigger-only credential: %v (fields only actions need must be ForActions)", err)
	}
	for _, name := range missing {
		found := false
		for _, f := range spec.Credential {
			if f.Name == name {
				found = true
				if !f.Required || !f.ForActions {
					t.Errorf("credential.%s: want Required and ForActions", name)
				}
			}
		}
		if !found {
			t.Errorf("credential.%s is not declared", name)
		}
	}
	reg := Registry(t, c, "http://127.0.0.1:9") // never reached: validation fails first
	for _, a := range spec.Actions {
		t.Run(a.Name, func(t *testing.T) {
			input := inputs[a.Name]
			if input == nil {
				input = connectors.Values{}
			}
			_, err := reg.Invoke(context.Background(), connectors.Invocation{Connector: spec.Name, Action: a.Name,
				Input: clone(input), Credential: clone(triggerCred), RunID: "run-1", StepID: a.Name})
			if err == nil {
				t.Fatal("an action ran with a trigger-only credential")
			}
			if connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Errorf("class = %v, want permanent: %v", connectors.ClassOf(err), err)
			}
			var ve *connectors.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a *ValidationError naming the field, got %v", err)
			}
			for _, name := range missing {
				if !strings.Contains(err.Error(), "credential."+name+": required to run actions") {
					t.Errorf("error does not name credential.%s: %v", name, err)
				}
			}
		})
	}
}
