package sendgrid

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, New(), connectortest.Fixtures{
		Credential: connectors.Values{CredentialAPIKey: testKey},
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{"message": message, "field": nil, "help": nil}}})
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"send_email": {Input: connectors.Values{"from": "orders@shop.example.com", "to": "ada@example.com",
				"subject": "Your order", "text": "Thanks!"},
				Success: func(w http.ResponseWriter, r *http.Request) { newFake(t).Config.Handler.ServeHTTP(w, r) }},
		},
	})
}

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, New())
}
