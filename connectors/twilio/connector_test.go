package twilio_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/twilio"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, twilio.New(), connectortest.Fixtures{
		Credential: connectors.Values{twilio.CredentialAccountSID: testAccount, twilio.CredentialAuthToken: testAuthToken},
		// Twilio's error body, with 20429 for rate limits.
		ErrorBody: func(status int, message string) (string, []byte) {
			code := 20000 + status
			if status == http.StatusTooManyRequests {
				code = 20429
			}
			body, _ := json.Marshal(map[string]any{"code": code, "message": message,
				"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"send_sms": {
				Input:   connectors.Values{"to": "+14155552671", "from": "+14155550100", "body": "hello"},
				Success: connectortest.ServeFile(http.StatusCreated, "application/json", "testdata/api_message_created.json"),
			},
		},
	})
}

func TestSpec(t *testing.T) {
	spec := twilio.New()
	if err := connectors.CheckSpec(spec); err != nil {
		t.Fatal(err)
	}
	fields := map[string]connectors.Field{}
	for _, f := range spec.Credential {
		fields[f.Name] = f
	}
	if !fields[twilio.CredentialAuthToken].Secret || !fields[twilio.CredentialAPIKeySecret].Secret {
		t.Error("auth_token and api_key_secret must be secret")
	}
	if !fields[twilio.CredentialAccountSID].Required {
		t.Error("account_sid must be required")
	}
	_, err := connectors.ValidateCredential(spec.Credential, connectors.Values{twilio.CredentialAccountSID: "SK123"})
	if err == nil || err.Error() != "credential.account_sid: Twilio Account SIDs are AC followed by 32 hex characters" {
		t.Errorf("an API key SID as account SID gave %v", err)
	}
}

// A credential saved for the SMS trigger holds only the Auth Token; the
// Account SID is asked for only when send_sms uses the credential.
func TestTriggerOnlyCredential(t *testing.T) {
	connectortest.TriggerOnlyCredential(t, twilio.New(), connectors.Values{twilio.CredentialAuthToken: testAuthToken},
		map[string]connectors.Values{"send_sms": {"to": "+14155552671", "from": "+14155550100", "body": "hello"}},
		twilio.CredentialAccountSID)
}
