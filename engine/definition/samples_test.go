package definition

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestSampleWarnings(t *testing.T) {
	doc := `{"name": "w", "trigger": {"type": "manual"}, "steps": [
		{"id": "big", "type": "filter", "if": "trigger.amout >= 100 && trigger.customer.email != nil"},
		{"id": "fields", "type": "map", "map": {"who": "trigger.customer.nmae", "skus": "trigger.items.#.sku", "nope": "trigger.items.#(qty>1).skuu"}},
		{"id": "tell", "type": "action", "connector": "slack", "action": "post_message",
			"input": {"text": "From {{ trigger.customer.nmae }} ({{ default(trigger.customer.phone, \"no phone\") }}) {{ trigger.items[0].sku }}"}}]}`
	def, errs := Parse([]byte(doc))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	v := &Validator{Samples: []json.RawMessage{json.RawMessage(`{"amount": 500, "customer": {"name": "Ada"}, "items": [{"sku": "A", "qty": 2}]}`)}}
	errs, warns := v.Check(def)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	var got []string
	for _, w := range warns {
		got = append(got, w.Error())
	}
	want := []string{
		"steps[0].if: trigger.amout is not in the trigger's sample event; did you mean trigger.amount? (a field the sample lacks renders empty; wrap it in default(...) if it may be absent) (1:1)\n | trigger.amout >= 100 && trigger.customer.email != nil\n | ^",
		"steps[1].map.nope: trigger.items.#(qty>1).skuu is not in the trigger's sample event (a field the sample lacks renders empty; wrap it in default(...) if it may be absent)",
		"steps[1].map.who: trigger.customer.nmae is not in the trigger's sample event; did you mean trigger.customer.name? (a field the sample lacks renders empty; wrap it in default(...) if it may be absent)",
		"steps[2].input.text: trigger.customer.nmae is not in the trigger's sample event; did you mean trigger.customer.name? (a field the sample lacks renders empty; wrap it in default(...) if it may be absent) (1:9)\n | From {{ trigger.customer.nmae }} ({{ default(trigger.customer.phone, \"no phone\") }}) {{ trigger.items[0].sku }}\n | ........^",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Validate ignores samples; without samples Check has no warnings.
	if errs := v.Validate(def); len(errs) != 0 {
		t.Errorf("Validate = %v", errs)
	}
	if _, warns := (&Validator{}).Check(def); len(warns) != 0 {
		t.Errorf("warnings without samples: %v", warns)
	}
}

func TestTriggerSamples(t *testing.T) {
	env := &StaticEnv{Specs: []*connectors.Spec{{Name: "shop", Triggers: []*connectors.Trigger{{Name: "webhook",
		Samples: map[string]json.RawMessage{"orders/create": json.RawMessage(`{"a":1}`), "orders/paid": json.RawMessage(`{"b":2}`), "carts/update": json.RawMessage(`{"c":3}`)}}}}}}
	tests := []struct {
		name   string
		events []string
		want   string
	}{
		{name: "listed events", events: []string{"orders/paid"}, want: `{"b":2}`},
		{name: "prefix", events: []string{"orders/*"}, want: `{"a":1} {"b":2}`},
		{name: "no events: the sender's shape, no sample", want: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := &Definition{Trigger: Trigger{Type: "webhook", Connector: "shop", Events: tt.events}}
			var got []string
			for _, s := range TriggerSamples(def, env) {
				got = append(got, string(s))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("samples = %v, want %s", got, tt.want)
			}
		})
	}
}

// Every example reads only fields its own sample event has (or guards
// the ones that may be absent with default()).
func TestExamplesReadTheirSample(t *testing.T) {
	for _, file := range exampleFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			def, errs := Parse(raw)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			sample, err := os.ReadFile(filepath.Join("../../testdata/events", filepath.Base(file)))
			if err != nil {
				t.Fatal(err)
			}
			_, warns := (&Validator{Samples: []json.RawMessage{sample}}).Check(def)
			for _, w := range warns {
				t.Error(w)
			}
		})
	}
}
