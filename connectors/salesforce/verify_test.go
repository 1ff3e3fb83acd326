package salesforce_test

import (
	"encoding/base64"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/salesforce"
)

func TestVerifyBeyondTheRecordings(t *testing.T) {
	contact, err := os.ReadFile("testdata/contact.xml")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 17, 5, 2, 0, time.UTC)
	req := func(rawURL string, body []byte, header ...string) *connectors.Request {
		r := connectortest.NewRequest(string(body), header...)
		r.URL, _ = url.Parse(rawURL)
		r.Received = at
		return r
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("salesforce:pw-1234567890"))
	const hook = "https://hooks.example.com/hooks/wh_sf1"
	password := connectors.Values{"organization_id": "00D5g000004ABCDEAQ", "webhook_username": "salesforce", "webhook_password": "pw-1234567890"}
	key := connectors.Values{"organization_id": "00D5g000004ABCD", "webhook_key": "k-0987654321"}
	both := connectors.Values{"organization_id": "00D5g000004ABCD", "webhook_username": "salesforce", "webhook_password": "pw-1234567890", "webhook_key": "k-0987654321"}
	otherOrg := connectors.Values{"organization_id": "00D5g000009ZZZZ", "webhook_key": "k-0987654321"}
	caseChanged := connectors.Values{"organization_id": "00d5g000004abcd", "webhook_key": "k-0987654321"}
	connectortest.RunVerify(t, salesforce.Verifier{}, []connectortest.VerifyCase{
		{Name: "18-char org id in the credential", Request: req(hook, contact, "Authorization", basic), Credential: password},
		{Name: "key in the query", Request: req(hook+"?key=k-0987654321", contact), Credential: key},
		{Name: "key missing", Request: req(hook, contact), Credential: key, Want: salesforce.ReasonMissingKey},
		{Name: "key wrong", Request: req(hook+"?key=k-0987654322", contact), Credential: key, Want: "bad credentials"},
		{Name: "both set, both needed", Request: req(hook+"?key=k-0987654321", contact), Credential: both, Want: "missing header Authorization"},
		{Name: "both set and sent", Request: req(hook+"?key=k-0987654321", contact, "Authorization", basic), Credential: both},
		{Name: "another org", Request: req(hook+"?key=k-0987654321", contact), Credential: otherOrg, Want: salesforce.ReasonOrgMismatch},
		{Name: "org ids are case-sensitive", Request: req(hook+"?key=k-0987654321", contact), Credential: caseChanged, Want: salesforce.ReasonOrgMismatch},
		{Name: "not a SOAP message", Request: req(hook+"?key=k-0987654321", []byte(`{"OrganizationId":"00D5g000004ABCD"}`)), Credential: key, Want: salesforce.ReasonMissingOrgInXML},
		{Name: "no org id configured", Request: req(hook+"?key=k-0987654321", contact), Credential: connectors.Values{"webhook_key": "k-0987654321"}, Want: "credential has no organization_id"},
		{Name: "no secret configured", Request: req(hook, contact), Credential: connectors.Values{"organization_id": "00D5g000004ABCD"}, Want: "credential has no webhook_password or webhook_key"},
	})
}

func TestSameOrganization(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"00D5g000004ABCD", "00D5g000004ABCDEAQ", true},
		{"00D5g000004ABCDEAQ", "00D5g000004ABCDEAQ", true},
		{"00D5g000004ABCD", "00D5g000004ABCE", false},
		{"00D5g000004ABCD", "00D5g000004ABC", false},
		{"", "", false},
	}
	for _, tc := range cases {
		if got := salesforce.SameOrganization(tc.a, tc.b); got != tc.want {
			t.Errorf("SameOrganization(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
