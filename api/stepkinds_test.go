package api_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestStepKindsCatalog: GET /api/v1/step-kinds serves every step kind's
// spec, in documentation order, as openapi.json describes it, to any key.
func TestStepKindsCatalog(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t).Store)
	e.want(e.call("GET", "/api/v1/step-kinds", "", nil), http.StatusUnauthorized)
	r := e.want(e.call("GET", "/api/v1/step-kinds", store.ScopeViewer, nil), http.StatusOK)

	kinds, _ := r.JSON["step_kinds"].([]any)
	if len(kinds) != len(definition.Kinds) {
		t.Fatalf("%d step kinds served, want %d: %.300s", len(kinds), len(definition.Kinds), r.Raw)
	}
	for i, k := range kinds {
		if got := k.(map[string]any)["kind"]; got != string(definition.Kinds[i]) {
			t.Errorf("step_kinds[%d] is %v, want %s", i, got, definition.Kinds[i])
		}
	}
	// The filter's condition, as the editor needs it to build the field.
	filter := kinds[2].(map[string]any)
	cond := filter["fields"].([]any)[0].(map[string]any)
	if cond["name"] != "if" || cond["type"] != "string" || cond["format"] != "condition" || cond["required"] != true || cond["title"] == "" {
		t.Errorf("filter's first field %v, want the required condition if", cond)
	}
	if filter["flow"] != "next" || filter["output"] == "" {
		t.Errorf("filter flow %v, output %v", filter["flow"], filter["output"])
	}
	common, _ := r.JSON["common_fields"].([]any)
	if len(common) != 4 || common[0].(map[string]any)["name"] != "id" {
		t.Errorf("common fields %v", common)
	}

	// The document matches its schema in openapi.json.
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("openapi.json#/components/schemas/StepKinds")
	if err != nil {
		t.Fatalf("compiling the StepKinds schema: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("GET /api/v1/step-kinds does not match openapi.json: %v", err)
	}
}
