package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// The gallery lists the embedded examples; using one creates a draft
// that lists its missing credentials; a workflow exports as a file that
// imports back as a new draft.
func TestTemplatesImportExport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		r := e.want(e.call("GET", "/api/v1/templates", store.ScopeViewer, nil), http.StatusOK)
		var hello map[string]any
		for _, it := range r.items() {
			if m := it.(map[string]any); m["id"] == "hello-slack" {
				hello = m
			}
		}
		if hello == nil || hello["description"] == "" || hello["definition"] == nil {
			t.Fatalf("no hello-slack template with a description and definition in %s", r.Raw)
		}
		if conns := hello["connectors"].([]any); !slices.Contains(conns, any("slack")) {
			t.Fatalf("hello-slack connectors = %v", conns)
		}
		e.want(e.call("GET", "/api/v1/templates/hello-slack", store.ScopeViewer, nil), http.StatusOK)
		e.want(e.call("GET", "/api/v1/templates/nope", store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("POST", "/api/v1/templates/hello-slack/use", store.ScopeViewer, nil), http.StatusForbidden)

		r = e.want(e.call("POST", "/api/v1/templates/stripe-big-payment-hubspot-slack/use", store.ScopeEditor, nil), http.StatusCreated)
		id := r.str("id")
		if r.JSON["draft"] != true || r.Header.Get("Location") != "/api/v1/workflows/"+id {
			t.Fatalf("use answered %s", r.Raw)
		}
		var missing []string
		for _, m := range r.JSON["missing"].([]any) {
			missing = append(missing, m.(map[string]any)["path"].(string))
		}
		if !slices.Contains(missing, "trigger.credential") {
			t.Fatalf("missing = %v, want the Stripe credential", missing)
		}
		r = e.want(e.call("POST", "/api/v1/templates/stripe-big-payment-hubspot-slack/use", store.ScopeEditor, map[string]any{"name": "My payments"}), http.StatusCreated)
		if r.str("name") != "My payments" {
			t.Fatalf("named use answered %s", r.Raw)
		}
		e.want(e.call("POST", "/api/v1/templates/stripe-big-payment-hubspot-slack/use", store.ScopeEditor, map[string]any{"name": "My payments"}), http.StatusConflict)

		// Export: an attachment named after the workflow.
		req := httptest.NewRequest("GET", "/api/v1/workflows/"+id+"/export", nil)
		req.Header.Set("Authorization", "Bearer "+e.keys[store.ScopeViewer])
		w := httptest.NewRecorder()
		e.router.ServeHTTP(w, req)
		if w.Code != http.StatusOK || w.Header().Get("Content-Disposition") != `attachment; filename=big-stripe-payments-to-hubspot-and-slack.json` {
			t.Fatalf("export answered %d %v", w.Code, w.Header())
		}
		var file map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &file); err != nil || file["name"] != "Big Stripe payments to HubSpot and Slack" {
			t.Fatalf("exported file %s (%v)", w.Body.Bytes(), err)
		}
		e.want(e.call("GET", "/api/v1/workflows/"+id+"/export?version=0", store.ScopeViewer, nil), http.StatusUnprocessableEntity)
		e.want(e.call("GET", "/api/v1/workflows/wf_nope/export", store.ScopeViewer, nil), http.StatusNotFound)

		// Import: the file comes back as a numbered draft.
		r = e.want(e.call("POST", "/api/v1/workflows/import", store.ScopeEditor, w.Body.String()), http.StatusCreated)
		if r.str("name") != "Big Stripe payments to HubSpot and Slack (2)" || r.JSON["draft"] != true {
			t.Fatalf("import answered %s", r.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/workflows/import?name=Imported", store.ScopeEditor, w.Body.String()), http.StatusCreated)
		if r.str("name") != "Imported" {
			t.Fatalf("renamed import answered %s", r.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/workflows/import", store.ScopeEditor, `{"trigger": {"type": "manual"}}`), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !slices.Contains(errorPaths(r), "name") || !strings.Contains(string(r.Raw), "draft cannot be saved") {
			t.Fatalf("import without a name answered %s", r.Raw)
		}
		e.want(e.call("POST", "/api/v1/workflows/import", store.ScopeEditor, ""), http.StatusUnprocessableEntity, api.ProblemValidation)
	})
}
