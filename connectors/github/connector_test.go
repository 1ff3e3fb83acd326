package github

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	serve := func(w http.ResponseWriter, r *http.Request) { newFake(t).Config.Handler.ServeHTTP(w, r) }
	connectortest.Run(t, New(), connectortest.Fixtures{
		Credential: connectors.Values{CredentialToken: testToken},
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"message": message, "documentation_url": "https://docs.github.com/rest"})
			return "application/json; charset=utf-8", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"create_issue": {Input: connectors.Values{"repository": "octocat/hello-world", "title": "Bug"}, Success: serve},
			"add_comment":  {Input: connectors.Values{"repository": "octocat/hello-world", "issue_number": 1347, "body": "Hi"}, Success: serve},
			"add_labels":   {Input: connectors.Values{"repository": "octocat/hello-world", "issue_number": "1347", "labels": []any{"x"}}, Success: serve},
		},
	})
}

func TestRateLimits(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name     string
		status   int
		header   map[string]string
		body     string
		class    connectors.Class
		minWait  time.Duration
		maxWait  time.Duration
		wantText string
	}{
		{name: "primary limit: 403 with remaining 0 waits for the reset", status: 403,
			header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": jsonInt(now.Add(90 * time.Second).Unix())},
			body:   `{"message":"API rate limit exceeded for user ID 1."}`, class: connectors.ClassRateLimited, minWait: 80 * time.Second, maxWait: 91 * time.Second},
		{name: "secondary limit: 403 with Retry-After", status: 403, header: map[string]string{"Retry-After": "30"},
			body: `{"message":"You have exceeded a secondary rate limit."}`, class: connectors.ClassRateLimited, minWait: 30 * time.Second, maxWait: 30 * time.Second},
		{name: "secondary limit without headers waits a minute", status: 403,
			body:  `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`,
			class: connectors.ClassRateLimited, minWait: time.Minute, maxWait: time.Minute},
		{name: "429 without headers", status: 429, body: `{"message":"Too many requests"}`,
			class: connectors.ClassRateLimited, minWait: time.Minute, maxWait: time.Minute},
		{name: "403 missing permission is permanent", status: 403, header: map[string]string{"X-RateLimit-Remaining": "4999"},
			body: `{"message":"Resource not accessible by personal access token"}`, class: connectors.ClassPermanent, wantText: "Resource not accessible"},
		{name: "422 keeps the validation details", status: 422,
			body:  `{"message":"Validation Failed","errors":[{"resource":"Issue","field":"title","code":"missing_field"}]}`,
			class: connectors.ClassPermanent, wantText: "Validation Failed (Issue.title missing_field)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			ce := connectors.AsError(checkResponse(&connectors.HTTPResponse{Status: tc.status, Header: h, Body: []byte(tc.body)}))
			if ce == nil || ce.Class != tc.class {
				t.Fatalf("err = %#v, want class %s", ce, tc.class)
			}
			if tc.class == connectors.ClassRateLimited && (ce.RetryAfter < tc.minWait || ce.RetryAfter > tc.maxWait) {
				t.Errorf("RetryAfter = %s, want between %s and %s", ce.RetryAfter, tc.minWait, tc.maxWait)
			}
			if !strings.Contains(ce.Error(), tc.wantText) {
				t.Errorf("error %q does not contain %q", ce, tc.wantText)
			}
		})
	}
}

func TestRateLimitedAgainstFake(t *testing.T) {
	f := newFake(t)
	f.rateReset = time.Now().Add(time.Hour).Unix()
	_, err := f.Invoke("add_labels", connectors.Values{"repository": "octocat/hello-world", "issue_number": 1347, "labels": []any{"x"}})
	if ce := connectors.AsError(err); ce == nil || ce.Class != connectors.ClassRateLimited || ce.RetryAfter < 59*time.Minute {
		t.Fatalf("err = %v, want rate limited for about an hour", err)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// GitHub Enterprise Server is reached through the credential's base_url
// (https://<host>/api/v3) on the SSRF-guarded client; the fake stands in
// for such a server, and changing the host changes the credential's
// origin, which asks for its token again.
func TestEnterpriseServerBaseURL(t *testing.T) {
	f := newFake(t)
	cred := connectors.Values{CredentialToken: testToken, connectors.BaseURLField: f.URL}
	in := connectors.Values{"repository": "octocat/hello-world", "issue_number": 1347, "labels": []any{"x"}}
	call, err := f.Registry().NewCall(connectors.Invocation{Connector: Name, Action: "add_labels", Credential: cred, Input: in})
	if err != nil {
		t.Fatal(err)
	}
	if !call.HTTP.Guarded() || call.BaseURL != f.URL {
		t.Fatalf("base %q guarded %v, want the credential's host behind the guard", call.BaseURL, call.HTTP.Guarded())
	}
	if _, err := f.Call(connectors.Invocation{Action: "add_labels", Credential: cred, Input: in}); err != nil {
		t.Fatal(err)
	}
	spec := New()
	if spec.CredentialOrigin(connectors.Values{}) != "https://api.github.com" ||
		spec.CredentialOrigin(connectors.Values{connectors.BaseURLField: "https://ghe.example.com/api/v3"}) != "https://ghe.example.com" {
		t.Error("origins do not follow base_url")
	}
}
