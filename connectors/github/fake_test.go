package github

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

const testToken = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"

// fakeGitHub follows the REST API's documented wire format: Bearer token,
// Accept application/vnd.github+json and X-GitHub-Api-Version required,
// {"message","documentation_url"} error bodies, 422 with an errors array
// for validation, 404 for a repository the token cannot see, and the
// primary rate limit as 403 with x-ratelimit-remaining 0 and
// x-ratelimit-reset.
type fakeGitHub struct {
	*connectortest.Fake
	mu        sync.Mutex
	issues    map[string]map[string]any // by number
	labels    map[string][]string       // by issue number
	comments  int
	rateReset int64 // when set, every call answers 403 rate limited until this Unix time
	// loseCreate makes the next issue creation happen but answer 502, as
	// a response lost on the way back does.
	loseCreate bool
}

func newFake(t *testing.T) *fakeGitHub {
	f := &fakeGitHub{issues: map[string]map[string]any{}, labels: map[string][]string{"1347": {"bug"}}}
	f.issues["1347"] = map[string]any{"number": 1347, "title": "Checkout fails"}
	f.Fake = connectortest.NewFake(t, New(), connectors.Values{CredentialToken: testToken}, f.serve)
	return f
}

func ghError(w http.ResponseWriter, status int, msg string, errs ...map[string]any) {
	body := map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest", "status": fmt.Sprint(status)}
	if len(errs) > 0 {
		body["errors"] = errs
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	connectortest.WriteJSON(w, status, body)
}

var (
	issuesRoute   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues$`)
	commentsRoute = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$`)
	labelsRoute   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/(\d+)/labels$`)
)

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("X-RateLimit-Limit", "5000")
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		ghError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	if r.Header.Get("Accept") != "application/vnd.github+json" || r.Header.Get("X-GitHub-Api-Version") != APIVersion {
		ghError(w, http.StatusBadRequest, "missing media type or API version")
		return
	}
	if f.rateReset != 0 {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(f.rateReset))
		ghError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1001.")
		return
	}
	w.Header().Set("X-RateLimit-Remaining", "4999")
	if m := issuesRoute.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodGet && m[1] == "octocat" && m[2] == "hello-world" {
		f.listIssues(w, r)
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		ghError(w, http.StatusNotFound, "Not Found")
		return
	}
	body := connectortest.JSONBody(r)
	path := r.URL.Path
	if m := issuesRoute.FindStringSubmatch(path); m != nil && m[1] == "octocat" && m[2] == "hello-world" {
		title, _ := body["title"].(string)
		if title == "" {
			ghError(w, http.StatusUnprocessableEntity, "Validation Failed", map[string]any{"resource": "Issue", "field": "title", "code": "missing_field"})
			return
		}
		n := 1348 + len(f.issues) - 1
		labels := []map[string]any{}
		ls, _ := body["labels"].([]any)
		for _, l := range ls {
			labels = append(labels, map[string]any{"id": 1, "name": l, "color": "ededed"})
		}
		issue := map[string]any{"id": 2201345000 + n, "number": n, "title": title, "body": body["body"], "state": "open",
			"html_url": fmt.Sprintf("https://github.com/octocat/hello-world/issues/%d", n),
			"url":      fmt.Sprintf("https://api.github.com/repos/octocat/hello-world/issues/%d", n),
			"labels":   labels, "assignees": body["assignees"], "user": map[string]any{"login": "octocat"}}
		f.issues[fmt.Sprint(n)] = issue
		if f.loseCreate {
			f.loseCreate = false
			ghError(w, http.StatusBadGateway, "Server Error")
			return
		}
		connectortest.WriteJSON(w, http.StatusCreated, issue)
		return
	}
	if m := commentsRoute.FindStringSubmatch(path); m != nil && m[1] == "octocat" && m[2] == "hello-world" && f.issues[m[3]] != nil {
		f.comments++
		connectortest.WriteJSON(w, http.StatusCreated, map[string]any{"id": 1000 + f.comments, "body": body["body"],
			"html_url":   fmt.Sprintf("https://github.com/octocat/hello-world/issues/%s#issuecomment-%d", m[3], 1000+f.comments),
			"created_at": "2024-05-01T10:00:00Z", "user": map[string]any{"login": "octocat"}})
		return
	}
	if m := labelsRoute.FindStringSubmatch(path); m != nil && m[1] == "octocat" && m[2] == "hello-world" && f.issues[m[3]] != nil {
		ls, ok := body["labels"].([]any)
		if !ok || len(ls) == 0 {
			ghError(w, http.StatusUnprocessableEntity, "Invalid request.\n\nNo subschema in \"anyOf\" matched.")
			return
		}
		for _, l := range ls {
			if !contains(f.labels[m[3]], l.(string)) {
				f.labels[m[3]] = append(f.labels[m[3]], l.(string))
			}
		}
		out := []map[string]any{}
		for _, l := range f.labels[m[3]] {
			out = append(out, map[string]any{"id": 1, "name": l, "color": "ededed", "default": false})
		}
		connectortest.WriteJSON(w, http.StatusOK, out)
		return
	}
	ghError(w, http.StatusNotFound, "Not Found")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// listIssues answers GET /repos/{owner}/{repo}/issues with the newest
// issues first, as sort=created&direction=desc asks, per_page at most.
func (f *fakeGitHub) listIssues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("sort") != "created" || q.Get("direction") != "desc" || q.Get("state") != "all" {
		ghError(w, http.StatusBadRequest, "this fake lists only state=all&sort=created&direction=desc")
		return
	}
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	numbers := make([]int, 0, len(f.issues))
	for k := range f.issues {
		n, _ := strconv.Atoi(k)
		numbers = append(numbers, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(numbers)))
	out := []map[string]any{}
	for _, n := range numbers {
		if len(out) == perPage {
			break
		}
		out = append(out, f.issues[strconv.Itoa(n)])
	}
	connectortest.WriteJSON(w, http.StatusOK, out)
}
