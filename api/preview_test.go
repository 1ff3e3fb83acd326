package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// POST /preview evaluates one editor field with the real engine against a
// sample event and earlier steps' outputs: values, true/false, errors with
// their position, and warnings on paths the sample does not contain.
func TestPreview(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t).Store)
	sample := map[string]any{"amount": 2500, "currency": "usd", "customer": map[string]any{"name": "Ada", "email": "ada@example.com"}}
	steps := map[string]any{"crm": map[string]any{"id": "c_1", "deals": []any{map[string]any{"stage": "won"}}}}
	tests := []struct {
		name     string
		body     map[string]any
		value    string // JSON of the value
		err      string // substring of error.message
		position string
		warnings []string // warning messages
	}{
		{name: "condition true", body: map[string]any{"kind": "condition", "source": `trigger.amount >= 1000 && trigger.currency == "usd"`},
			value: `true`},
		{name: "condition false", body: map[string]any{"kind": "condition", "source": `trigger.amount < 10`}, value: `false`},
		{name: "condition over a step output", body: map[string]any{"kind": "condition", "source": `steps.crm.deals[0].stage == "won"`}, value: `true`},
		{name: "expression value", body: map[string]any{"kind": "expression", "source": `trigger.amount / 100`}, value: `25`},
		{name: "template renders", body: map[string]any{"kind": "template", "source": "Paid by {{ trigger.customer.name }} ({{ steps.crm.id }})"},
			value: `"Paid by Ada (c_1)"`},
		{name: "templates in an object", body: map[string]any{"kind": "template", "source": map[string]any{"n": "{{ trigger.amount }}"}},
			value: `{"n":2500}`},
		{name: "misspelt template path is an error and a warning", body: map[string]any{"kind": "template", "source": "Hi {{ trigger.customer.nmae }}"},
			value: `null`, err: "trigger.customer.nmae is missing", position: "1:7",
			warnings: []string{"trigger.customer.nmae is not in the sample event; did you mean trigger.customer.name?"}},
		{name: "misspelt condition path warns, evaluates as null", body: map[string]any{"kind": "condition", "source": `trigger.amout > 5`},
			value: `null`, err: "",
			warnings: []string{"trigger.amout is not in the sample event; did you mean trigger.amount?"}},
		{name: "path into a step output", body: map[string]any{"kind": "mapping", "source": map[string]any{"who": "steps.crm.idd", "n": "trigger.amount"}},
			value: `{"n":2500,"who":null}`, warnings: []string{"steps.crm.idd is not in the sample output of step crm; did you mean steps.crm.id?"}},
		{name: "unknown step output is not warned", body: map[string]any{"kind": "template", "source": "{{ default(steps.later.x, 1) }}"}, value: `1`},
		{name: "syntax error with position", body: map[string]any{"kind": "condition", "source": `trigger.amount >`},
			value: `null`, err: "", position: "1:"},
		{name: "non-boolean condition", body: map[string]any{"kind": "condition", "source": `trigger.currency`}, value: `null`, err: "condition gave a string, want a boolean"},
		{name: "over budget", body: map[string]any{"kind": "expression", "source": `len(map(1..100000000, # * 2))`}, value: `null`, err: "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.body["trigger"] = sample
			tt.body["steps"] = steps
			r := e.want(e.call("POST", "/api/v1/preview", store.ScopeViewer, tt.body), http.StatusOK)
			got, _ := json.Marshal(r.JSON["value"])
			if string(got) != tt.value {
				t.Errorf("value %s, want %s (%s)", got, tt.value, r.Raw)
			}
			errObj, _ := r.JSON["error"].(map[string]any)
			if tt.value == `null` && tt.warnings == nil && errObj == nil {
				t.Errorf("no error in %s", r.Raw)
			}
			if tt.err != "" && (errObj == nil || !strings.Contains(errObj["message"].(string), tt.err)) {
				t.Errorf("error %v, want it to contain %q", errObj, tt.err)
			}
			if tt.position != "" && (errObj == nil || !strings.HasPrefix(errObj["position"].(string), tt.position)) {
				t.Errorf("error %v, want position %s", errObj, tt.position)
			}
			var warns []string
			for _, w := range r.JSON["warnings"].([]any) {
				warns = append(warns, w.(map[string]any)["message"].(string))
			}
			if strings.Join(warns, "\n") != strings.Join(tt.warnings, "\n") {
				t.Errorf("warnings %q, want %q", warns, tt.warnings)
			}
		})
	}

	t.Run("bad requests", func(t *testing.T) {
		e.want(e.call("POST", "/api/v1/preview", store.ScopeViewer, map[string]any{"kind": "poem", "source": "x"}), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("POST", "/api/v1/preview", store.ScopeViewer, map[string]any{"kind": "condition"}), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("POST", "/api/v1/preview", store.ScopeViewer, map[string]any{"kind": "mapping", "source": "trigger.x"}), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("POST", "/api/v1/preview", "", map[string]any{"kind": "condition", "source": "true"}), http.StatusUnauthorized)
	})
}
