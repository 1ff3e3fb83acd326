package hubspot

import (
	"encoding/json"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	f := newFake(t, 2)
	connectortest.Run(t, New(), connectortest.Fixtures{
		Credential: connectors.Values{CredentialAccessToken: testToken, CredentialClientSecret: "app-client-secret"},
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"status": "error", "message": message,
				"correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf", "category": "VALIDATION_ERROR"})
			return "application/json;charset=utf-8", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"upsert_contact":  {Input: connectors.Values{"email": "ada@example.com", "properties": map[string]any{"firstname": "Ada"}}, Success: f.Config.Handler.ServeHTTP},
			"create_deal":     {Input: connectors.Values{"dealname": "Deal", "dealstage": "qualifiedtobuy", "contact_id": "512"}, Success: f.Config.Handler.ServeHTTP},
			"add_note":        {Input: connectors.Values{"contact_id": "512", "body": "hello"}, Success: f.Config.Handler.ServeHTTP},
			"search_contacts": {Input: connectors.Values{"filters": []any{map[string]any{"propertyName": "email", "operator": "EQ", "value": "bcooper@biglytics.net"}}}, Success: f.Config.Handler.ServeHTTP},
		},
	})
}

func TestMissingTokenNamesTheField(t *testing.T) {
	f := newFake(t, 0)
	_, err := f.Call(connectors.Invocation{
		Action: "add_note", Input: connectors.Values{"contact_id": "512", "body": "x"},
		Credential: connectors.Values{CredentialClientSecret: "s"},
	})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || err.Error() != "running hubspot.add_note: permanent: credential.access_token: required by HubSpot actions" {
		t.Fatalf("err = %v", err)
	}
	if len(f.Requests()) != 0 {
		t.Error("provider called")
	}
}
