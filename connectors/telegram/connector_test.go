package telegram_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/telegram"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, telegram.New(), connectortest.Fixtures{
		Credential: connectors.Values{telegram.CredentialBotToken: testToken, telegram.CredentialSecretToken: "s3cret-token_value"},
		// The Bot API's envelope; 429s carry parameters.retry_after.
		ErrorBody: func(status int, message string) (string, []byte) {
			env := map[string]any{"ok": false, "error_code": status, "description": message}
			if status == http.StatusTooManyRequests {
				env["parameters"] = map[string]any{"retry_after": 7}
			}
			body, _ := json.Marshal(env)
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"send_message": {
				Input:   connectors.Values{"chat_id": 123456789, "text": "hello"},
				Success: connectortest.ServeFile(http.StatusOK, "application/json", "testdata/api_sendMessage.json"),
			},
			"answer_callback_query": {
				Input:   connectors.Values{"callback_query_id": "4382bfdwdsb323b2d9"},
				Success: connectortest.ServeFile(http.StatusOK, "application/json", "testdata/api_answerCallbackQuery.json"),
			},
		},
	})
}

func TestSpec(t *testing.T) {
	spec := telegram.New()
	if err := connectors.CheckSpec(spec); err != nil {
		t.Fatal(err)
	}
	secret := map[string]bool{}
	for _, f := range spec.Credential {
		secret[f.Name] = f.Secret
	}
	for _, name := range []string{telegram.CredentialBotToken, telegram.CredentialSecretToken} {
		if !secret[name] {
			t.Errorf("credential field %s missing or not secret", name)
		}
	}
	_, err := connectors.ValidateCredential(spec.Credential, connectors.Values{telegram.CredentialBotToken: "xoxb-not-telegram"})
	if err == nil {
		t.Fatal("a Slack token was accepted as a Telegram bot token")
	}
}

// A credential saved for the webhook trigger holds only the secret token;
// the bot token is asked for only when an action uses the credential.
func TestTriggerOnlyCredential(t *testing.T) {
	connectortest.TriggerOnlyCredential(t, telegram.New(), connectors.Values{telegram.CredentialSecretToken: "s3cr3t_token"},
		map[string]connectors.Values{
			"send_message":          {"chat_id": 123456789, "text": "hello"},
			"answer_callback_query": {"callback_query_id": "4382bfdwdsb323b2d9"},
		}, telegram.CredentialBotToken)
}
