package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestAlertRoutes drives the alert rules through the API: create (with
// every field validated and named), list, get, patch, the incidents list
// and delete, with scopes.
func TestAlertRoutes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		const base = api.Prefix + "/alerts"
		wf, err := st.CreateWorkflow(ctx, "Alert Slack", []byte(`{"name":"Alert Slack"}`), "h1")
		if err != nil {
			t.Fatal(err)
		}

		r := e.want(e.call(http.MethodPost, base, store.ScopeEditor, `{"kind": "workflow_failures", "target": "*",
			"threshold": 3, "window": "10m", "workflow": "Alert Slack", "name": "Any workflow failing"}`), http.StatusCreated)
		id := r.str("id")
		if id == "" || r.str("workflow_id") != wf.ID || r.str("window") != "10m" || r.JSON["enabled"] != true {
			t.Fatalf("create answered %s", r.Raw)
		}

		// Every bad field is reported at once, by path.
		r = e.want(e.call(http.MethodPost, base, store.ScopeEditor, `{"kind": "cpu", "target": "*", "threshold": 0,
			"window": "1 hour", "workflow": "Pager"}`), http.StatusUnprocessableEntity, api.ProblemValidation)
		if got := errorPaths(r); !slices.Equal(got, []string{"kind", "threshold", "window", "workflow"}) {
			t.Fatalf("error paths %v; body %s", got, r.Raw)
		}
		r = e.want(e.call(http.MethodPost, base, store.ScopeEditor, `{"kind": "workflow_failures", "treshold": 3}`),
			http.StatusUnprocessableEntity, api.ProblemValidation)
		if got := errorPaths(r); !slices.Equal(got, []string{"treshold"}) {
			t.Fatalf("a misspelt field: %v; body %s", got, r.Raw)
		}

		r = e.want(e.call(http.MethodGet, base, store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 1 {
			t.Fatalf("list answered %s", r.Raw)
		}
		r = e.want(e.call(http.MethodPatch, base+"/"+id, store.ScopeEditor, `{"threshold": 5, "enabled": false}`), http.StatusOK)
		if r.JSON["threshold"] != 5.0 || r.JSON["enabled"] != false || r.str("name") != "Any workflow failing" {
			t.Fatalf("patch answered %s", r.Raw)
		}
		e.want(e.call(http.MethodGet, base+"/"+id, store.ScopeViewer, nil), http.StatusOK)
		e.want(e.call(http.MethodPatch, base+"/alr_nope", store.ScopeEditor, `{"threshold": 5}`), http.StatusNotFound, api.ProblemNotFound)

		// Incidents: open ones and recently resolved ones.
		rule, err := st.GetAlertRule(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		inc, err := st.OpenIncident(ctx, rule, "wf_orders", 5, time.Now(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		r = e.want(e.call(http.MethodGet, base+"/incidents?state=open", store.ScopeViewer, nil), http.StatusOK)
		if items := r.items(); len(items) != 1 || items[0].(map[string]any)["id"] != inc.ID || items[0].(map[string]any)["state"] != "firing" {
			t.Fatalf("open incidents: %s", r.Raw)
		}
		if _, err := st.ResolveIncident(ctx, inc.ID, 0, time.Now(), time.Minute); err != nil {
			t.Fatal(err)
		}
		r = e.want(e.call(http.MethodGet, base+"/incidents", store.ScopeViewer, nil), http.StatusOK)
		if items := r.items(); len(items) != 1 || items[0].(map[string]any)["state"] != "resolved" {
			t.Fatalf("recent incidents: %s", r.Raw)
		}
		r = e.want(e.call(http.MethodGet, base+"/incidents?state=open", store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 0 {
			t.Fatalf("open incidents after resolving: %s", r.Raw)
		}
		e.want(e.call(http.MethodGet, base+"/incidents?state=closed", store.ScopeViewer, nil), http.StatusUnprocessableEntity, api.ProblemValidation)

		// Scopes, then delete.
		e.want(e.call(http.MethodPost, base, store.ScopeViewer, `{}`), http.StatusForbidden)
		e.want(e.call(http.MethodDelete, base+"/"+id, store.ScopeViewer, nil), http.StatusForbidden)
		e.want(e.call(http.MethodDelete, base+"/"+id, store.ScopeEditor, nil), http.StatusNoContent)
		e.want(e.call(http.MethodDelete, base+"/"+id, store.ScopeEditor, nil), http.StatusNotFound, api.ProblemNotFound)
	})
}
