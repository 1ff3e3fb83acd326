package pipedrive_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/pipedrive"
)

const testToken = "4f1c2e3d4b5a69788796a5b4c3d2e1f0a1b2c3d4"

var credential = connectors.Values{pipedrive.CredentialAPIToken: testToken}

// crm is the fake company's persons and deals.
type crm struct {
	mu      sync.Mutex
	next    int64
	persons map[int64]map[string]any
	deals   map[int64]map[string]any
}

func newCRM() *crm {
	return &crm{next: 100, persons: map[int64]map[string]any{}, deals: map[int64]map[string]any{}}
}

func fail(w http.ResponseWriter, status int, msg, info string) {
	connectortest.WriteJSON(w, status, map[string]any{"success": false, "error": msg, "error_info": info, "data": nil, "additional_data": nil})
}

// serve answers the API v2 person search, person and deal endpoints in
// Pipedrive's {"success","data"} envelope.
func (c *crm) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.Header.Get("x-api-token") != testToken || r.URL.Query().Has("api_token") {
		fail(w, http.StatusUnauthorized, "unauthorized access", "Please check user permissions")
		return
	}
	var id int64
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/persons/search":
		items := []any{}
		for pid, p := range c.persons {
			for _, e := range p["emails"].([]any) {
				if strings.EqualFold(e.(map[string]any)["value"].(string), r.URL.Query().Get("term")) {
					items = append(items, map[string]any{"result_score": 1, "item": map[string]any{"id": pid, "name": p["name"]}})
				}
			}
		}
		connectortest.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "data": map[string]any{"items": items}})
	case r.Method == http.MethodPost && (r.URL.Path == "/api/v2/persons" || r.URL.Path == "/api/v2/deals"):
		body := connectortest.JSONBody(r)
		c.next++
		body["id"] = c.next
		if r.URL.Path == "/api/v2/persons" {
			c.persons[c.next] = body
		} else {
			c.deals[c.next] = body
		}
		connectortest.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "data": body})
	case r.Method == http.MethodPatch && matchID(r.URL.Path, "/api/v2/persons/%d", &id):
		c.patch(w, r, c.persons, id)
	case r.Method == http.MethodPatch && matchID(r.URL.Path, "/api/v2/deals/%d", &id):
		c.patch(w, r, c.deals, id)
	default:
		fail(w, http.StatusNotFound, "Unknown method .", "")
	}
}

func (c *crm) patch(w http.ResponseWriter, r *http.Request, store map[int64]map[string]any, id int64) {
	rec, ok := store[id]
	if !ok {
		fail(w, http.StatusNotFound, "Entity not found", "")
		return
	}
	for k, v := range connectortest.JSONBody(r) {
		rec[k] = v
	}
	connectortest.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "data": rec})
}

func matchID(path, pattern string, id *int64) bool {
	n, err := fmt.Sscanf(path, pattern, id)
	return err == nil && n == 1 && fmt.Sprintf(pattern, *id) == path
}

func newFake(t *testing.T, c *crm) *connectortest.Fake {
	return connectortest.NewFake(t, pipedrive.New(), credential, c.serve)
}
