package jira

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
		Credential: testCred,
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"errorMessages": []string{message}, "errors": map[string]any{}})
			return "application/json;charset=UTF-8", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"create_issue":     {Input: connectors.Values{"project_key": "PROJ", "summary": "Bug"}, Success: serve},
			"add_comment":      {Input: connectors.Values{"issue_key": "PROJ-24", "body": "Hi"}, Success: serve},
			"transition_issue": {Input: connectors.Values{"issue_key": "PROJ-24", "transition": "Done"}, Success: serve},
		},
	})
}

func TestErrorMessages(t *testing.T) {
	ce := connectors.AsError(checkResponse(&connectors.HTTPResponse{Status: 400, Header: http.Header{},
		Body: []byte(`{"errorMessages":["Field 'x' cannot be set."],"errors":{"summary":"You must specify a summary of the issue."}}`)}))
	if ce == nil || ce.Class != connectors.ClassPermanent || ce.Message != "Field 'x' cannot be set.; summary: You must specify a summary of the issue." {
		t.Fatalf("err = %#v", ce)
	}
}

func TestSiteIsTheHost(t *testing.T) {
	spec := New()
	for _, site := range []string{"acme", "ACME.atlassian.net"} {
		base, custom, err := spec.CredentialBaseURL(connectors.Values{CredentialSite: site})
		if err != nil || custom || base != "https://acme.atlassian.net" {
			t.Errorf("site %q: base = %q, %v, %v", site, base, custom, err)
		}
	}
	if _, err := connectors.ValidateCredential(spec.Credential, connectors.Values{CredentialSite: "evil.com/x"}); err == nil ||
		!strings.Contains(err.Error(), "credential.site") {
		t.Errorf("a site that is not one label was accepted: %v", err)
	}
	// Changing the site changes where the token goes, which makes the
	// credential's secrets required again.
	if spec.CredentialOrigin(connectors.Values{CredentialSite: "acme"}) == spec.CredentialOrigin(connectors.Values{CredentialSite: "other"}) {
		t.Error("two sites share an origin")
	}
}

func TestMissingActionCredentials(t *testing.T) {
	f := newFake(t)
	f.Credential = connectors.Values{CredentialSite: "acme", CredentialEmail: testEmail, CredentialWebhookSecret: "trigger-only"}
	_, err := f.Invoke("add_comment", connectors.Values{"issue_key": "PROJ-24", "body": "x"})
	if err == nil || !strings.Contains(err.Error(), "credential.api_token: required by Jira actions") {
		t.Fatalf("err = %v", err)
	}
}
