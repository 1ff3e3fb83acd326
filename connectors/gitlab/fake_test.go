package gitlab

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const testToken = "glpat-xXxXxXxXxXxXxXxXxXxX"

// fakeGitLab follows REST API v4's documented wire format: the
// PRIVATE-TOKEN header (401 {"message":"401 Unauthorized"} otherwise), a
// project addressed by id or URL-encoded path, 201 for created issues and
// notes, PUT with add_labels merging labels, {"message": {field: […]}}
// for validation errors and {"message":"404 Project Not Found"}.
//
// connectortest.NewFake stands it in for a self-managed instance: calls
// reach it through the credential's base_url on the guarded client.
type fakeGitLab struct {
	*connectortest.Fake
	mu     sync.Mutex
	issues map[string]map[string]any // by iid
	notes  int
	// loseCreate makes the next issue creation happen but answer 502, as
	// a response lost on the way back does.
	loseCreate bool
}

func newFake(t *testing.T) *fakeGitLab {
	f := &fakeGitLab{issues: map[string]map[string]any{
		"42": {"id": 301, "iid": 42, "project_id": 3, "title": "Checkout fails", "state": "opened",
			"web_url": "https://gitlab.example.com/my-group/my-project/-/issues/42", "labels": []any{"bug"}},
	}}
	f.Fake = connectortest.NewFake(t, New(), connectors.Values{CredentialAccessToken: testToken}, f.serve)
	return f
}

func glError(w http.ResponseWriter, status int, msg any) {
	connectortest.WriteJSON(w, status, map[string]any{"message": msg})
}

var route = regexp.MustCompile(`^/api/v4/projects/(3|my-group%2Fmy-project)/issues(?:/(\d+)(/notes)?)?$`)

func (f *fakeGitLab) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(HeaderPrivateToken) != testToken {
		glError(w, http.StatusUnauthorized, "401 Unauthorized")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m := route.FindStringSubmatch(r.URL.EscapedPath())
	if m == nil {
		glError(w, http.StatusNotFound, "404 Project Not Found")
		return
	}
	body := connectortest.JSONBody(r)
	switch {
	case m[2] == "" && r.Method == http.MethodGet:
		f.listIssues(w, r)
	case m[2] == "" && r.Method == http.MethodPost:
		title, _ := body["title"].(string)
		if title == "" {
			glError(w, http.StatusBadRequest, map[string]any{"title": []string{"can't be blank"}})
			return
		}
		iid := 43 + len(f.issues) - 1
		labels := []any{}
		if l, _ := body["labels"].(string); l != "" {
			for _, s := range strings.Split(l, ",") {
				labels = append(labels, s)
			}
		}
		issue := map[string]any{"id": 301 + iid, "iid": iid, "project_id": 3, "title": title, "description": body["description"],
			"state": "opened", "labels": labels, "confidential": body["confidential"] == true,
			"web_url": fmt.Sprintf("https://gitlab.example.com/my-group/my-project/-/issues/%d", iid)}
		f.issues[fmt.Sprint(iid)] = issue
		if f.loseCreate {
			f.loseCreate = false
			glError(w, http.StatusBadGateway, "502 Bad Gateway")
			return
		}
		connectortest.WriteJSON(w, http.StatusCreated, issue)
	case m[2] != "" && f.issues[m[2]] == nil:
		glError(w, http.StatusNotFound, "404 Not found")
	case m[3] == "/notes" && r.Method == http.MethodPost:
		f.notes++
		connectortest.WriteJSON(w, http.StatusCreated, map[string]any{"id": 1000 + f.notes, "body": body["body"], "noteable_type": "Issue",
			"noteable_iid": f.issues[m[2]]["iid"], "created_at": "2024-05-01T10:00:00.000Z", "internal": body["internal"] == true, "system": false})
	case m[3] == "" && r.Method == http.MethodPut:
		issue := f.issues[m[2]]
		labels := issue["labels"].([]any)
		add, _ := body["add_labels"].(string)
		for _, l := range strings.Split(add, ",") {
			seen := false
			for _, x := range labels {
				seen = seen || x == l
			}
			if !seen && l != "" {
				labels = append(labels, l)
			}
		}
		issue["labels"] = labels
		connectortest.WriteJSON(w, http.StatusOK, issue)
	default:
		glError(w, http.StatusMethodNotAllowed, "405 Method Not Allowed")
	}
}

// listIssues answers GET /projects/:id/issues newest first, as
// order_by=created_at&sort=desc asks, per_page at most.
func (f *fakeGitLab) listIssues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("order_by") != "created_at" || q.Get("sort") != "desc" || q.Get("scope") != "all" {
		glError(w, http.StatusBadRequest, "this fake lists only scope=all&order_by=created_at&sort=desc")
		return
	}
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	iids := make([]int, 0, len(f.issues))
	for k := range f.issues {
		n, _ := strconv.Atoi(k)
		iids = append(iids, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(iids)))
	out := []map[string]any{}
	for _, n := range iids {
		if len(out) == perPage {
			break
		}
		out = append(out, f.issues[strconv.Itoa(n)])
	}
	connectortest.WriteJSON(w, http.StatusOK, out)
}
