package api_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`) // :name, and *name for a path-rest parameter

// TestOpenAPIMatchesRoutes walks the real router and fails when a route
// under /api/v1 is missing from openapi.json or the document names an
// operation that does not exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t).Store)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi version %q, want 3.1.x", doc.OpenAPI)
	}
	var routes, documented []string
	for _, r := range e.router.Routes() {
		if !strings.HasPrefix(r.Path, api.Prefix+"/") {
			continue
		}
		routes = append(routes, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(routes)
	slices.Sort(documented)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is missing from api/openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("api/openapi.json documents %s, which the router does not serve", d)
		}
	}
	if len(routes) < 40 {
		t.Errorf("only %d routes under %s; the walk is broken", len(routes), api.Prefix)
	}
}

// TestOpenAPIOperationsAreComplete checks every operation names its scope
// and answers 401 and 403, so generated clients see the auth contract.
func TestOpenAPIOperationsAreComplete(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Scope     string                     `json:"x-scope"`
			Summary   string                     `json:"summary"`
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.Summary == "" || !slices.Contains([]string{"admin", "editor", "viewer"}, op.Scope) {
				t.Errorf("%s %s: summary %q, x-scope %q", method, path, op.Summary, op.Scope)
			}
			for _, code := range []string{"401", "403"} {
				if _, ok := op.Responses[code]; !ok {
					t.Errorf("%s %s does not document %s", method, path, code)
				}
			}
		}
	}
}
