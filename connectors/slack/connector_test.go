package slack_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/slack"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, slack.New(), connectortest.Fixtures{
		Credential: connectors.Values{slack.CredentialBotToken: testToken, slack.CredentialSigningSecret: "8f742231b10e8888abcd99yyyzzz85a5"},
		// Slack's error envelope; non-2xx statuses carry it too.
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"ok": false, "error": message})
			return "application/json; charset=utf-8", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"post_message": {
				Input:   connectors.Values{"channel": "C123ABC456", "text": "hello"},
				Success: connectortest.ServeFile(http.StatusOK, "application/json; charset=utf-8", "testdata/api_chat.postMessage.json"),
			},
			"reply_in_thread": {
				Input:   connectors.Values{"channel": "C123ABC456", "thread_ts": "1503435956.000247", "text": "hello"},
				Success: connectortest.ServeFile(http.StatusOK, "application/json; charset=utf-8", "testdata/api_chat.postMessage_thread.json"),
			},
			"update_message": {
				Input:   connectors.Values{"channel": "C123ABC456", "ts": "1401383885.000061", "text": "hello"},
				Success: connectortest.ServeFile(http.StatusOK, "application/json; charset=utf-8", "testdata/api_chat.update.json"),
			},
		},
	})
}

func TestSpec(t *testing.T) {
	spec := slack.New()
	if err := connectors.CheckSpec(spec); err != nil {
		t.Fatal(err)
	}
	fields := map[string]connectors.Field{}
	for _, f := range spec.Credential {
		fields[f.Name] = f
	}
	for _, name := range []string{slack.CredentialBotToken, slack.CredentialSigningSecret} {
		if _, ok := fields[name]; !ok {
			t.Errorf("credential lacks %s", name)
		}
	}
	if !fields[slack.CredentialBotToken].Secret || !fields[slack.CredentialSigningSecret].Secret {
		t.Error("tokens and signing secrets must be secret fields")
	}
	if len(spec.Triggers) != 1 || spec.Triggers[0].Name != "webhook" {
		t.Errorf("triggers = %v, want the Events API webhook", spec.Triggers)
	}
	_, err := connectors.ValidateCredential(spec.Credential, connectors.Values{slack.CredentialBotToken: "sk_live_nope"})
	if err == nil || err.Error() != "credential.bot_token: Slack bot tokens start with xoxb- (user tokens with xoxp-)" {
		t.Errorf("a non-Slack token gave %v", err)
	}
}
