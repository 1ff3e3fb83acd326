package hubspot

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const testToken = "pat-na1-11111111-2222-3333-4444-555555555555"

// knownContactProperties are the properties the fake account defines.
var knownContactProperties = []string{"email", "firstname", "lastname", "company", "phone", "website",
	"lifecyclestage", "last_payment_amount", "last_payment_date", "hs_object_id", "createdate", "lastmodifieddate"}

// fakeHubSpot follows the CRM v3 API's documented wire format: Bearer
// auth, JSON bodies, string property values, {"status":"error",…} error
// bodies, 429s with policyName and X-HubSpot-RateLimit-* headers, batch
// upsert by email, associations on create, and search pages linked by
// paging.next.after.
type fakeHubSpot struct {
	*connectortest.Fake
	t *testing.T

	mu          sync.Mutex
	contacts    []map[string]any
	nextID      int
	rateLimited bool
}

func newFake(t *testing.T, extraContacts int) *fakeHubSpot {
	f := &fakeHubSpot{t: t, nextID: 1000}
	f.contacts = append(f.contacts, connectortest.ReadJSON(t, "testdata/api_contact.json"))
	for i := range extraContacts {
		id := strconv.Itoa(600 + i)
		f.contacts = append(f.contacts, map[string]any{"id": id, "archived": false,
			"properties": map[string]any{"email": fmt.Sprintf("lead%d@biglytics.net", i), "lifecyclestage": "lead", "hs_object_id": id}})
	}
	f.Fake = connectortest.NewFake(t, New(), connectors.Values{CredentialAccessToken: testToken}, f.serve)
	return f
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	connectortest.WriteJSON(w, status, v)
}

func hubspotError(w http.ResponseWriter, status int, category, msg string) {
	writeJSON(w, status, map[string]any{"status": "error", "message": msg,
		"correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf", "category": category})
}

func (f *fakeHubSpot) serve(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	var body map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &body); err != nil {
			hubspotError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1")
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("X-HubSpot-RateLimit-Daily", "500000")
	w.Header().Set("X-HubSpot-RateLimit-Daily-Remaining", "499000")
	w.Header().Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
	w.Header().Set("X-HubSpot-RateLimit-Max", "190")

	if r.Header.Get("Authorization") != "Bearer "+testToken {
		hubspotError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
			"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
		return
	}
	if f.rateLimited {
		w.Header().Set("X-HubSpot-RateLimit-Remaining", "0")
		raw, _ := os.ReadFile("testdata/api_error_ratelimit.json")
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write(raw)
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		hubspotError(w, http.StatusUnsupportedMediaType, "VALIDATION_ERROR", "Unsupported request: POST with application/json expected")
		return
	}
	switch r.URL.Path {
	case "/crm/v3/objects/contacts/batch/upsert":
		f.upsert(w, body)
	case "/crm/v3/objects/deals", "/crm/v3/objects/notes":
		f.create(w, r.URL.Path, body)
	case "/crm/v3/objects/contacts/search":
		f.search(w, body)
	default:
		hubspotError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found")
	}
}

func stamp() string {
	return time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05.000Z")
}

func (f *fakeHubSpot) upsert(w http.ResponseWriter, body map[string]any) {
	var results []any
	for _, x := range body["inputs"].([]any) {
		in := x.(map[string]any)
		if in["idProperty"] != "email" {
			hubspotError(w, http.StatusBadRequest, "VALIDATION_ERROR", "idProperty must be a unique property")
			return
		}
		props := in["properties"].(map[string]any)
		for k, v := range props {
			if !slices.Contains(knownContactProperties, k) {
				raw, _ := os.ReadFile("testdata/api_error_validation.json")
				w.Header().Set("Content-Type", "application/json;charset=utf-8")
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(strings.ReplaceAll(string(raw), "not_a_property", k)))
				return
			}
			if _, ok := v.(string); !ok {
				hubspotError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property values must be strings")
				return
			}
		}
		var c map[string]any
		for _, x := range f.contacts {
			if strings.EqualFold(x["properties"].(map[string]any)["email"].(string), in["id"].(string)) {
				c = x
			}
		}
		isNew := c == nil
		if isNew {
			f.nextID++
			id := strconv.Itoa(f.nextID)
			c = map[string]any{"id": id, "archived": false, "createdAt": stamp(),
				"properties": map[string]any{"email": in["id"], "hs_object_id": id, "createdate": stamp()}}
			f.contacts = append(f.contacts, c)
		}
		for k, v := range props {
			c["properties"].(map[string]any)[k] = v
		}
		c["updatedAt"] = stamp()
		out := map[string]any{"new": isNew}
		for k, v := range c {
			out[k] = v
		}
		results = append(results, out)
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "results": results,
		"startedAt": stamp(), "completedAt": stamp()})
}

func (f *fakeHubSpot) contact(id string) bool {
	for _, c := range f.contacts {
		if c["id"] == id {
			return true
		}
	}
	return false
}

func (f *fakeHubSpot) create(w http.ResponseWriter, path string, body map[string]any) {
	props, _ := body["properties"].(map[string]any)
	required := "dealname"
	if strings.HasSuffix(path, "/notes") {
		required = "hs_timestamp"
	}
	if props[required] == nil {
		hubspotError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Property values were not valid: [{\"isValid\":false,\"message\":\"%s is required\",\"name\":\"%s\"}]", required, required))
		return
	}
	for _, a := range asList(body["associations"]) {
		a := a.(map[string]any)
		to := a["to"].(map[string]any)["id"].(string)
		typ := a["types"].([]any)[0].(map[string]any)
		if typ["associationCategory"] != "HUBSPOT_DEFINED" {
			hubspotError(w, http.StatusBadRequest, "VALIDATION_ERROR", "invalid association category")
			return
		}
		if tid := typ["associationTypeId"].(float64); (tid == assocDealToContact || tid == assocNoteToContact) && !f.contact(to) {
			hubspotError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("One or more associations are invalid: contact %s does not exist", to))
			return
		}
	}
	f.nextID++
	id := strconv.Itoa(f.nextID)
	out := map[string]any{"hs_object_id": id, "hs_createdate": stamp()}
	for k, v := range props {
		out[k] = v
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "properties": out, "createdAt": stamp(), "updatedAt": stamp(), "archived": false})
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// search supports EQ, CONTAINS_TOKEN and HAS_PROPERTY filters, which is
// what the tests use, and pages by a numeric after cursor.
func (f *fakeHubSpot) search(w http.ResponseWriter, body map[string]any) {
	limit := 10
	if l, ok := body["limit"].(float64); ok {
		limit = int(l)
	}
	if limit > 200 {
		hubspotError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be at most 200")
		return
	}
	after := 0
	if a, ok := body["after"].(string); ok {
		after, _ = strconv.Atoi(a)
	}
	var matches []map[string]any
	for _, c := range f.contacts {
		props := c["properties"].(map[string]any)
		groups := asList(body["filterGroups"])
		ok := len(groups) == 0
		for _, g := range groups {
			all := true
			for _, x := range asList(g.(map[string]any)["filters"]) {
				flt := x.(map[string]any)
				v, has := props[flt["propertyName"].(string)].(string)
				switch flt["operator"] {
				case "EQ":
					all = all && has && strings.EqualFold(v, flt["value"].(string))
				case "CONTAINS_TOKEN":
					all = all && has && strings.Contains(v, strings.Trim(flt["value"].(string), "*"))
				case "HAS_PROPERTY":
					all = all && has
				default:
					all = false
				}
			}
			ok = ok || all
		}
		if ok {
			out := map[string]any{"id": c["id"], "archived": false}
			shown := map[string]any{"hs_object_id": c["id"]}
			want := asList(body["properties"])
			for k, v := range props {
				if len(want) == 0 && slices.Contains([]string{"email", "firstname", "lastname", "createdate", "lastmodifieddate"}, k) ||
					slices.Contains(want, any(k)) {
					shown[k] = v
				}
			}
			out["properties"] = shown
			matches = append(matches, out)
		}
	}
	end := min(after+limit, len(matches))
	page := matches[min(after, end):end]
	resp := map[string]any{"total": len(matches), "results": orEmpty(page)}
	if end < len(matches) {
		resp["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(end), "link": "?after=" + strconv.Itoa(end)}}
	}
	writeJSON(w, http.StatusOK, resp)
}

func orEmpty(l []map[string]any) []map[string]any {
	if l == nil {
		return []map[string]any{}
	}
	return l
}

// checkRequest asserts the common shape of a CRM call.
func checkRequest(t *testing.T, r connectortest.Received, path string) {
	t.Helper()
	if r.Method != http.MethodPost || r.Path != path {
		t.Errorf("request = %s %s, want POST %s", r.Method, r.Path, path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("Authorization = %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
}
