package salesforce_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/salesforce"
)

// store is the fake org's records: external id "Field/value" → record id.
type store struct {
	mu       sync.Mutex
	next     int
	external map[string]string
	records  map[string]map[string]any
}

// serveSalesforce answers the sObject REST endpoints as Salesforce
// documents them: POST creates (201 {"id","success","errors"}), PATCH by
// id updates (204), PATCH by external id upserts (201 created or 200
// updated, with "created"), and errors are arrays of {message, errorCode,
// fields}.
func serveSalesforce(s *store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.records == nil {
			s.records, s.external = map[string]map[string]any{}, map[string]string{}
		}
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(salesforceError("INVALID_SESSION_ID", "Session expired or invalid"))
			return
		}
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/services/data/"+salesforce.APIVersion+"/sobjects/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		parts := strings.Split(rest, "/")
		for i, p := range parts {
			parts[i], _ = url.PathUnescape(p)
		}
		fields := connectortest.JSONBody(r)
		if fields == nil {
			w.WriteHeader(http.StatusBadRequest)
			w.Write(salesforceError("JSON_PARSER_ERROR", "the body is not a JSON object"))
			return
		}
		if parts[0] == "Contact" && r.Method == http.MethodPost && fields["LastName"] == nil {
			w.WriteHeader(http.StatusBadRequest)
			w.Write(salesforceError("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", "LastName"))
			return
		}
		create := func() string {
			s.next++
			id := fmt.Sprintf("0035g00000New%03dAA", s.next)
			s.records[id] = fields
			return id
		}
		switch {
		case r.Method == http.MethodPost && len(parts) == 1:
			connectortest.WriteJSON(w, http.StatusCreated, map[string]any{"id": create(), "success": true, "errors": []any{}})
		case r.Method == http.MethodPatch && len(parts) == 2:
			rec, ok := s.records[parts[1]]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				w.Write(salesforceError("NOT_FOUND", "The requested resource does not exist"))
				return
			}
			for k, v := range fields {
				rec[k] = v
			}
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPatch && len(parts) == 3:
			key := parts[1] + "/" + parts[2]
			if id, ok := s.external[key]; ok {
				for k, v := range fields {
					s.records[id][k] = v
				}
				connectortest.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "success": true, "errors": []any{}, "created": false})
				return
			}
			id := create()
			s.external[key] = id
			connectortest.WriteJSON(w, http.StatusCreated, map[string]any{"id": id, "success": true, "errors": []any{}, "created": true})
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
			w.Write(salesforceError("METHOD_NOT_ALLOWED", "HTTP Method '"+r.Method+"' not allowed"))
		}
	}
}

func newFake(t *testing.T, s *store) *connectortest.Fake {
	return connectortest.NewFake(t, salesforce.New(), connectors.Values{
		salesforce.CredentialInstanceURL: "https://acme.my.salesforce.com",
		salesforce.CredentialAccessToken: testToken,
	}, serveSalesforce(s))
}
