package jira

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const (
	testEmail = "ops@example.com"
	testToken = "ATATT3xFfGF0-test-token-0123456789"
)

var testCred = connectors.Values{CredentialSite: "acme", CredentialEmail: testEmail, CredentialAPIToken: testToken}

// fakeJira follows REST API v3's documented wire format: Basic auth with
// email:api_token (401 otherwise), 201 {"id","key","self"} for a new
// issue, ADF bodies required for descriptions and comments,
// {"errorMessages":[…],"errors":{…}} error bodies, and transitions listed
// by GET and applied by POST …/transitions with 204.
type fakeJira struct {
	*connectortest.Fake
	mu       sync.Mutex
	issues   map[string]string // key -> status
	comments int
	created  int
}

func newFake(t *testing.T) *fakeJira {
	f := &fakeJira{issues: map[string]string{"PROJ-24": "To Do"}}
	f.Fake = connectortest.NewFake(t, New(), testCred, f.serve)
	return f
}

func jiraError(w http.ResponseWriter, status int, msgs []string, fields map[string]string) {
	if msgs == nil {
		msgs = []string{}
	}
	if fields == nil {
		fields = map[string]string{}
	}
	connectortest.WriteJSON(w, status, map[string]any{"errorMessages": msgs, "errors": fields})
}

// workflow is the fake project's workflow: transitions by current status.
var workflow = map[string][]map[string]any{
	"To Do":       {{"id": "11", "name": "Start progress", "to": map[string]any{"name": "In Progress", "id": "3"}}, {"id": "31", "name": "Close", "to": map[string]any{"name": "Done", "id": "10001"}}},
	"In Progress": {{"id": "21", "name": "Stop progress", "to": map[string]any{"name": "To Do", "id": "10000"}}, {"id": "31", "name": "Close", "to": map[string]any{"name": "Done", "id": "10001"}}},
	"Done":        {{"id": "41", "name": "Reopen", "to": map[string]any{"name": "To Do", "id": "10000"}}},
}

var issueRoute = regexp.MustCompile(`^/rest/api/3/issue/([A-Z][A-Z0-9_]+-[0-9]+)(/comment|/transitions)?$`)

func isADF(v any) bool {
	m, ok := v.(map[string]any)
	return ok && m["type"] == "doc" && m["version"] == float64(1)
}

func (f *fakeJira) serve(w http.ResponseWriter, r *http.Request) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(testEmail+":"+testToken))
	if r.Header.Get("Authorization") != want {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte("Client must be authenticated to access this resource."))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	body := connectortest.JSONBody(r)
	if r.Method == http.MethodPost && r.URL.Path == "/rest/api/3/issue" {
		fields, _ := body["fields"].(map[string]any)
		if p, _ := fields["project"].(map[string]any); p["key"] != "PROJ" {
			jiraError(w, http.StatusBadRequest, nil, map[string]string{"project": "valid project is required"})
			return
		}
		if d, ok := fields["description"]; ok && !isADF(d) {
			jiraError(w, http.StatusBadRequest, nil, map[string]string{"description": "Operation value must be an Atlassian Document."})
			return
		}
		f.created++
		key := fmt.Sprintf("PROJ-%d", 24+f.created)
		f.issues[key] = "To Do"
		id := fmt.Sprint(10042 + f.created)
		connectortest.WriteJSON(w, http.StatusCreated, map[string]any{"id": id, "key": key, "self": "https://acme.atlassian.net/rest/api/3/issue/" + id})
		return
	}
	m := issueRoute.FindStringSubmatch(r.URL.Path)
	if m == nil {
		jiraError(w, http.StatusNotFound, []string{"Not found"}, nil)
		return
	}
	status, ok := f.issues[m[1]]
	if !ok {
		jiraError(w, http.StatusNotFound, []string{"Issue does not exist or you do not have permission to see it."}, nil)
		return
	}
	switch {
	case m[2] == "" && r.Method == http.MethodGet:
		connectortest.WriteJSON(w, http.StatusOK, map[string]any{"id": "10042", "key": m[1], "fields": map[string]any{"status": map[string]any{"name": status}}})
	case m[2] == "/comment" && r.Method == http.MethodPost:
		if !isADF(body["body"]) {
			jiraError(w, http.StatusBadRequest, nil, map[string]string{"comment": "Comment body is not valid!"})
			return
		}
		f.comments++
		id := fmt.Sprint(10100 + f.comments)
		connectortest.WriteJSON(w, http.StatusCreated, map[string]any{"id": id, "self": "https://acme.atlassian.net/rest/api/3/issue/10042/comment/" + id,
			"body": body["body"], "created": "2024-05-01T10:15:00.456+0000"})
	case m[2] == "/transitions" && r.Method == http.MethodGet:
		connectortest.WriteJSON(w, http.StatusOK, map[string]any{"expand": "transitions", "transitions": workflow[status]})
	case m[2] == "/transitions" && r.Method == http.MethodPost:
		tr, _ := body["transition"].(map[string]any)
		for _, t := range workflow[status] {
			if t["id"] == tr["id"] {
				f.issues[m[1]] = t["to"].(map[string]any)["name"].(string)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		jiraError(w, http.StatusBadRequest, []string{"Transition id '" + fmt.Sprint(tr["id"]) + "' is not valid for this issue."}, nil)
	default:
		jiraError(w, http.StatusMethodNotAllowed, []string{strings.ToUpper(r.Method) + " not allowed"}, nil)
	}
}
