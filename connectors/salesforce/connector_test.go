package salesforce_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/salesforce"
)

const testToken = "00D5g000004ABCD!AQ4AQFakeAccessToken"

var testCredential = connectors.Values{
	salesforce.CredentialInstanceURL: "https://acme.my.salesforce.com",
	salesforce.CredentialAccessToken: testToken,
}

// salesforceError is Salesforce's REST error body: an array of
// {message, errorCode, fields}.
func salesforceError(code, message string, fields ...string) []byte {
	e := map[string]any{"message": message, "errorCode": code}
	if len(fields) > 0 {
		e["fields"] = fields
	}
	body, _ := json.Marshal([]any{e})
	return body
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, salesforce.New(), connectortest.Fixtures{
		Credential: testCredential,
		ErrorBody: func(status int, message string) (string, []byte) {
			return "application/json;charset=UTF-8", salesforceError("INVALID_FIELD", message)
		},
		Actions: map[string]connectortest.ActionFixture{
			"upsert_contact": {Input: connectors.Values{"fields": map[string]any{"LastName": "Lovelace"}},
				Success: serveSalesforce(&store{})},
			"upsert_opportunity": {Input: connectors.Values{"fields": map[string]any{"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-12-31"}},
				Success: serveSalesforce(&store{})},
		},
	})
}

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, salesforce.New())
}

func TestInstanceURLIsTheBaseURL(t *testing.T) {
	spec := salesforce.New()
	cases := []struct {
		name, instance, want, err string
	}{
		{name: "my domain", instance: "https://acme.my.salesforce.com/", want: "https://acme.my.salesforce.com"},
		{name: "sandbox", instance: "https://acme--uat.sandbox.my.salesforce.com", want: "https://acme--uat.sandbox.my.salesforce.com"},
		{name: "missing", instance: "", err: "credential.instance_url: required by Salesforce actions"},
		{name: "foreign host", instance: "https://evil.example.com", err: `credential.instance_url: "https://evil.example.com" is not an org address`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := spec.CredentialBaseURL(connectors.Values{salesforce.CredentialInstanceURL: tc.instance})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("base = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestAckIsTheSOAPAcknowledgement(t *testing.T) {
	tr := salesforce.Trigger()
	if tr.Ack == nil || tr.Ack.Status != http.StatusOK || tr.Ack.ContentType != "text/xml; charset=utf-8" {
		t.Fatalf("ack = %+v, want 200 text/xml", tr.Ack)
	}
	body := string(tr.Ack.Body)
	for _, want := range []string{`<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">`, "<Ack>true</Ack>", "http://schemas.xmlsoap.org/soap/envelope/"} {
		if !strings.Contains(body, want) {
			t.Errorf("ack %s lacks %s", body, want)
		}
	}
	if !tr.AcceptsMediaType("text/xml; charset=utf-8") {
		t.Error("the trigger must accept Salesforce's text/xml bodies")
	}
}
