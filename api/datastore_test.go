package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func TestDataStoreRoutes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		const base = api.Prefix + "/data"

		// Put, with a key holding '/' and a TTL.
		r := e.want(e.call(http.MethodPut, base+"/crm/keys/orders/ada@example.com", store.ScopeEditor,
			`{"value": {"count": 3}, "ttl": "2d"}`), http.StatusOK)
		if r.str("key") != "orders/ada@example.com" || r.str("expires_at") == "" {
			t.Fatalf("put answered %s", r.Raw)
		}
		e.want(e.call(http.MethodPut, base+"/crm/keys/orders/bob", store.ScopeEditor, `{"value": 1}`), http.StatusOK)
		e.want(e.call(http.MethodPut, base+"/crm/keys/flags/x", store.ScopeEditor, `{"value": true}`), http.StatusOK)
		e.want(e.call(http.MethodPut, base+"/workflow:wf_1/keys/n", store.ScopeEditor, `{"value": 7}`), http.StatusOK)

		// Get.
		r = e.want(e.call(http.MethodGet, base+"/crm/keys/orders/ada@example.com", store.ScopeViewer, nil), http.StatusOK)
		if v, _ := r.JSON["value"].(map[string]any); v["count"] != 3.0 {
			t.Fatalf("get answered %s", r.Raw)
		}

		// Stores and keys, by prefix and page.
		r = e.want(e.call(http.MethodGet, base, store.ScopeViewer, nil), http.StatusOK)
		if got := len(r.items()); got != 2 {
			t.Fatalf("stores: %s", r.Raw)
		}
		r = e.want(e.call(http.MethodGet, base+"/crm/keys?prefix=orders/&limit=1", store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 1 || r.str("next_cursor") == "" {
			t.Fatalf("first page: %s", r.Raw)
		}
		r = e.want(e.call(http.MethodGet, base+"/crm/keys?prefix=orders/&limit=1&cursor="+r.str("next_cursor"), store.ScopeViewer, nil), http.StatusOK)
		if items := r.items(); len(items) != 1 || items[0].(map[string]any)["key"] != "orders/bob" || r.str("next_cursor") != "" {
			t.Fatalf("second page: %s", r.Raw)
		}

		// Delete; a second delete is 404.
		e.want(e.call(http.MethodDelete, base+"/crm/keys/orders/bob", store.ScopeEditor, nil), http.StatusNoContent)
		e.want(e.call(http.MethodDelete, base+"/crm/keys/orders/bob", store.ScopeEditor, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call(http.MethodGet, base+"/crm/keys/orders/bob", store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)

		// Scopes: a viewer reads but does not write; no key, no access.
		e.want(e.call(http.MethodPut, base+"/crm/keys/k", store.ScopeViewer, `{"value": 1}`), http.StatusForbidden)
		e.want(e.call(http.MethodDelete, base+"/crm/keys/flags/x", store.ScopeViewer, nil), http.StatusForbidden)
		e.want(e.call(http.MethodGet, base, "", nil), http.StatusUnauthorized)

		// Bad input names the field.
		tests := []struct {
			name, method, path, body, wantDetail string
		}{
			{"bad store", http.MethodGet, base + "/bad%20name/keys", "", "store: use letters"},
			{"private store without id", http.MethodGet, base + "/workflow:/keys", "", `store: "workflow:" needs a workflow id`},
			{"no value", http.MethodPut, base + "/crm/keys/k", `{"ttl": "1h"}`, "value: is required"},
			{"bad ttl", http.MethodPut, base + "/crm/keys/k", `{"value": 1, "ttl": "soon"}`, "ttl: must be a positive duration"},
			{"bad cursor", http.MethodGet, base + "/crm/keys?cursor=!!", "", "cursor:"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var body any
				if tt.body != "" {
					body = tt.body
				}
				r := e.call(tt.method, tt.path, store.ScopeEditor, body)
				if r.Status < 400 || r.Status >= 500 {
					t.Fatalf("status %d: %s", r.Status, r.Raw)
				}
				if d := r.str("detail"); !strings.HasPrefix(d, tt.wantDetail) {
					t.Fatalf("detail %q, want it to start with %q", d, tt.wantDetail)
				}
			})
		}
		big := `{"value": "` + strings.Repeat("x", store.MaxKVValueBytes) + `"}`
		r = e.call(http.MethodPut, base+"/crm/keys/big", store.ScopeEditor, big)
		if r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("an over-size value got %d: %.200s", r.Status, r.Raw)
		}
	})
}
