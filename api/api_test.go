package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func TestAuth(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		tests := []struct {
			name   string
			header string
			want   int
		}{
			{name: "no header", want: http.StatusUnauthorized},
			{name: "wrong scheme", header: "Basic abc", want: http.StatusUnauthorized},
			{name: "unknown key", header: "Bearer hfk_notakey", want: http.StatusUnauthorized},
			{name: "viewer key", header: "Bearer " + e.keys[store.ScopeViewer], want: http.StatusOK},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodGet, "/api/v1/workflows", nil)
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				w := &recorder{header: http.Header{}}
				e.router.ServeHTTP(w, req)
				if w.code != tt.want {
					t.Fatalf("status %d, want %d: %s", w.code, tt.want, w.body.String())
				}
				if tt.want == http.StatusUnauthorized {
					if !strings.HasPrefix(w.header.Get("WWW-Authenticate"), "Bearer") || !strings.Contains(w.body.String(), api.ProblemUnauthorized) {
						t.Fatalf("401 without a Bearer challenge or problem type: %v %s", w.header, w.body.String())
					}
				}
			})
		}
		t.Run("revoked key", func(t *testing.T) {
			k, plain, err := st.CreateAPIKey(context.Background(), "temp", store.ScopeAdmin)
			if err != nil {
				t.Fatal(err)
			}
			e.keys["temp"] = plain
			e.want(e.call("GET", "/api/v1/workflows", "temp", nil), http.StatusOK)
			e.want(e.call("DELETE", "/api/v1/api-keys/"+k.ID, store.ScopeAdmin, nil), http.StatusNoContent)
			e.want(e.call("GET", "/api/v1/workflows", "temp", nil), http.StatusUnauthorized, api.ProblemUnauthorized)
		})
		t.Run("scopes", func(t *testing.T) {
			e.want(e.call("POST", "/api/v1/workflows", store.ScopeViewer, map[string]any{"definition": workflowDef("x", "c")}), http.StatusForbidden, api.ProblemForbidden)
			e.want(e.call("GET", "/api/v1/api-keys", store.ScopeEditor, nil), http.StatusForbidden, api.ProblemForbidden)
			e.want(e.call("GET", "/api/v1/api-keys", store.ScopeAdmin, nil), http.StatusOK)
		})
		t.Run("health and metrics need no key", func(t *testing.T) {
			e.want(e.call("GET", "/healthz", "", nil), http.StatusOK)
			r := e.want(e.call("GET", "/metrics", "", nil), http.StatusOK)
			if !strings.Contains(string(r.Raw), "hookflow_api_requests_total") {
				t.Fatalf("metrics lack hookflow_api_requests_total:\n%.500s", r.Raw)
			}
		})
	})
}

func TestAPIKeys(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		r := e.want(e.call("POST", "/api/v1/api-keys", store.ScopeAdmin, map[string]any{"name": "ci", "scope": "editor"}), http.StatusCreated)
		plain, id := r.str("key"), r.str("id")
		if !strings.HasPrefix(plain, store.APIKeyPrefix) || id == "" {
			t.Fatalf("create answered %s", r.Raw)
		}
		e.keys["ci"] = plain
		e.want(e.call("GET", "/api/v1/credentials", "ci", nil), http.StatusOK)

		list := e.want(e.call("GET", "/api/v1/api-keys", store.ScopeAdmin, nil), http.StatusOK)
		if strings.Contains(string(list.Raw), plain) || len(list.items()) != 4 {
			t.Fatalf("list leaks the plaintext or misses keys: %s", list.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/api-keys", store.ScopeAdmin, map[string]any{"name": "x", "scope": "root"}), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !slices.Equal(errorPaths(r), []string{"scope"}) {
			t.Fatalf("errors %v, want [scope]", errorPaths(r))
		}
		e.want(e.call("POST", "/api/v1/api-keys", store.ScopeAdmin, map[string]any{"name": "x", "scope": "viewer", "extra": 1}), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("DELETE", "/api/v1/api-keys/key_nope", store.ScopeAdmin, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("DELETE", "/api/v1/api-keys/"+id, store.ScopeAdmin, nil), http.StatusNoContent)

		// The last admin key cannot be revoked.
		var adminID string
		for _, it := range list.items() {
			m := it.(map[string]any)
			if m["scope"] == "admin" {
				adminID = m["id"].(string)
			}
		}
		e.want(e.call("DELETE", "/api/v1/api-keys/"+adminID, store.ScopeAdmin, nil), http.StatusConflict, api.ProblemConflict)

		// Pagination walks every key once, in a stable order.
		for i := range 5 {
			if _, _, err := st.CreateAPIKey(context.Background(), fmt.Sprint("k", i), store.ScopeViewer); err != nil {
				t.Fatal(err)
			}
		}
		seen := walkPages(e, "/api/v1/api-keys", store.ScopeAdmin, 2)
		if len(seen) != 9 {
			t.Fatalf("paged through %d keys, want 9", len(seen))
		}
		e.want(e.call("GET", "/api/v1/api-keys?limit=0", store.ScopeAdmin, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("GET", "/api/v1/api-keys?cursor=garbage", store.ScopeAdmin, nil), http.StatusBadRequest, api.ProblemInvalidCursor)
	})
}

// walkPages follows next_cursor with the given page size and returns the
// ids seen, failing on a repeat.
func walkPages(e *env, path, scope string, limit int) []string {
	e.t.Helper()
	var ids []string
	cursor := ""
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for range 100 {
		r := e.want(e.call("GET", fmt.Sprintf("%s%slimit=%d&cursor=%s", path, sep, limit, cursor), scope, nil), http.StatusOK)
		if len(r.items()) > limit {
			e.t.Fatalf("page of %d items, limit %d", len(r.items()), limit)
		}
		for _, it := range r.items() {
			id := it.(map[string]any)["id"].(string)
			if slices.Contains(ids, id) {
				e.t.Fatalf("id %s seen twice", id)
			}
			ids = append(ids, id)
		}
		cursor = r.str("next_cursor")
		if cursor == "" {
			return ids
		}
	}
	e.t.Fatal("pagination did not end")
	return nil
}
