package whatsapp_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/whatsapp"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, whatsapp.New(), connectortest.Fixtures{
		Credential: connectors.Values{
			whatsapp.CredentialAccessToken: testToken, whatsapp.CredentialPhoneNumberID: testPhoneID,
			whatsapp.CredentialAppSecret: "0123456789abcdef0123456789abcdef", whatsapp.CredentialVerifyToken: "verify-me-please",
		},
		// Graph API error objects with the code Meta uses for each case.
		ErrorBody: func(status int, message string) (string, []byte) {
			code := 100
			switch {
			case status == http.StatusTooManyRequests:
				code = 130429
			case status >= 500:
				code = 131000
			}
			body, _ := json.Marshal(map[string]any{"error": map[string]any{
				"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "ConformanceTrace",
			}})
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"send_text": {
				Input:   connectors.Values{"to": "+16505551234", "text": "hello"},
				Success: connectortest.ServeFile(http.StatusOK, "application/json", "testdata/api_messages_text.json"),
			},
			"send_template": {
				Input:   connectors.Values{"to": "+16505551234", "name": "hello_world", "language": "en_US"},
				Success: connectortest.ServeFile(http.StatusOK, "application/json", "testdata/api_messages_template.json"),
			},
			"mark_read": {
				Input:   connectors.Values{"message_id": "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA="},
				Success: connectortest.ServeFile(http.StatusOK, "application/json", "testdata/api_messages_read.json"),
			},
		},
	})
}

func TestSpec(t *testing.T) {
	spec := whatsapp.New()
	if err := connectors.CheckSpec(spec); err != nil {
		t.Fatal(err)
	}
	fields := map[string]connectors.Field{}
	for _, f := range spec.Credential {
		fields[f.Name] = f
	}
	for _, name := range []string{whatsapp.CredentialAccessToken, whatsapp.CredentialAppSecret, whatsapp.CredentialVerifyToken} {
		if !fields[name].Secret {
			t.Errorf("credential field %s missing or not secret", name)
		}
	}
	if !fields[whatsapp.CredentialPhoneNumberID].Required {
		t.Error("phone_number_id must be required")
	}
	_, err := connectors.ValidateCredential(spec.Credential, connectors.Values{
		whatsapp.CredentialAccessToken: testToken, whatsapp.CredentialPhoneNumberID: "+1 650 555 1234"})
	if err == nil {
		t.Fatal("a phone number was accepted as the phone number ID")
	}
}

// A credential saved for the webhook trigger holds only the app secret and
// verify token; the access token and phone number ID are asked for only
// when an action uses the credential.
func TestTriggerOnlyCredential(t *testing.T) {
	connectortest.TriggerOnlyCredential(t, whatsapp.New(),
		connectors.Values{whatsapp.CredentialAppSecret: "app-secret", whatsapp.CredentialVerifyToken: "verify-me"},
		map[string]connectors.Values{
			"send_text":     {"to": "+16505551234", "text": "hello"},
			"send_template": {"to": "+16505551234", "name": "hello_world", "language": "en_US"},
			"mark_read":     {"message_id": "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA="},
		}, whatsapp.CredentialAccessToken, whatsapp.CredentialPhoneNumberID)
}
