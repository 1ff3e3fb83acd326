package gitlab

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	serve := func(w http.ResponseWriter, r *http.Request) { newFake(t).Config.Handler.ServeHTTP(w, r) }
	connectortest.Run(t, New(), connectortest.Fixtures{
		Credential: connectors.Values{CredentialAccessToken: testToken},
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"message": message})
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"create_issue": {Input: connectors.Values{"project": 3, "title": "Bug"}, Success: serve},
			"add_comment":  {Input: connectors.Values{"project": "my-group/my-project", "issue_iid": 42, "body": "Hi"}, Success: serve},
			"add_labels":   {Input: connectors.Values{"project": "3", "issue_iid": "42", "labels": []any{"x"}}, Success: serve},
		},
	})
}

func TestValidationMessage(t *testing.T) {
	ce := connectors.AsError(checkResponse(&connectors.HTTPResponse{Status: 400, Header: http.Header{},
		Body: []byte(`{"message":{"title":["can't be blank","is too short"],"due_date":"is invalid"}}`)}))
	if ce == nil || ce.Class != connectors.ClassPermanent || ce.Message != "due_date: is invalid; title: can't be blank; title: is too short" {
		t.Fatalf("err = %#v", ce)
	}
}

// A self-managed instance is reached through the credential's base_url,
// with or without the /api/v4 suffix, on the SSRF-guarded client; the
// fake is such an instance.
func TestSelfManagedBaseURL(t *testing.T) {
	for _, suffix := range []string{"", "/", "/api/v4", "/api/v4/"} {
		f := newFake(t)
		cred := connectors.Values{CredentialAccessToken: testToken, connectors.BaseURLField: f.URL + suffix}
		call, err := f.Registry().NewCall(connectors.Invocation{Connector: Name, Action: "add_labels", Credential: cred,
			Input: connectors.Values{"project": 3, "issue_iid": 42, "labels": []any{"x"}}})
		if err != nil {
			t.Fatal(err)
		}
		if !call.HTTP.Guarded() {
			t.Error("a self-managed host is called without the SSRF guard")
		}
		if _, err := f.Call(connectors.Invocation{Action: "add_labels", Credential: cred,
			Input: connectors.Values{"project": 3, "issue_iid": 42, "labels": []any{"x"}}}); err != nil {
			t.Fatalf("base_url %q: %v", f.URL+suffix, err)
		}
		if p := f.Requests()[0].Path; p != "/api/v4/projects/3/issues/42" {
			t.Errorf("base_url %q: path = %s", f.URL+suffix, p)
		}
	}
	// Moving the credential to another host changes its origin, which makes
	// its token required again.
	spec := New()
	if spec.CredentialOrigin(connectors.Values{}) != "https://gitlab.com" ||
		spec.CredentialOrigin(connectors.Values{connectors.BaseURLField: "https://gitlab.example.com"}) != "https://gitlab.example.com" {
		t.Error("origins do not follow base_url")
	}
}

func TestMissingToken(t *testing.T) {
	f := newFake(t)
	f.Credential = connectors.Values{CredentialWebhookToken: "trigger-only"}
	_, err := f.Invoke("add_comment", connectors.Values{"project": 3, "issue_iid": 42, "body": "x"})
	if err == nil || !strings.Contains(err.Error(), "credential.access_token: required by GitLab actions") {
		t.Fatalf("err = %v", err)
	}
}
