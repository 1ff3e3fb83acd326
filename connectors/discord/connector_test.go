package discord_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/discord"
)

const (
	hookPath = "/api/webhooks/1187654321098765432/AbCdEf-gHiJkL_mNoPqRsTuV"
	hookURL  = "https://discord.com" + hookPath
)

var credential = connectors.Values{discord.CredentialWebhookURL: hookURL}

// serveDiscord answers Execute Webhook as Discord documents it: with
// ?wait=true a 200 and the created message, else 204.
func serveDiscord(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != hookPath {
		connectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Webhook", "code": 10015})
		return
	}
	body := connectortest.JSONBody(r)
	if body == nil {
		connectortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"message": "Cannot send an empty message", "code": 50006})
		return
	}
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	connectortest.WriteJSON(w, http.StatusOK, map[string]any{"id": "1187700000000000001", "channel_id": "1187654321098765000",
		"type": 0, "content": body["content"], "embeds": body["embeds"], "webhook_id": "1187654321098765432",
		"timestamp": "2026-11-30T17:04:12.345000+00:00"})
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, discord.New(), connectortest.Fixtures{
		Credential: credential,
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"message": message, "code": 50035})
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"post_message": {Input: connectors.Values{"content": "hello"}, Success: serveDiscord},
		},
	})
}

func TestPostMessage(t *testing.T) {
	f := connectortest.NewFake(t, discord.New(), credential, serveDiscord)
	out, err := f.InvokeJSON("post_message", connectors.Values{"content": "Deal won @everyone", "username": "hookflow",
		"thread_id": "1187654321098765499", "embeds": []any{map[string]any{"title": "Acme", "color": 5763719}}})
	if err != nil {
		t.Fatal(err)
	}
	if out["id"] != "1187700000000000001" {
		t.Fatalf("out = %v", out)
	}
	req := f.Requests()[0]
	if req.Path != hookPath || req.Query.Get("wait") != "true" || req.Query.Get("thread_id") != "1187654321098765499" {
		t.Fatalf("sent to %s?%s", req.Path, req.Query.Encode())
	}
	if got := connectortest.JSON(t, req.JSON()["allowed_mentions"]); got != `{"parse":["users","roles"]}` {
		t.Fatalf("allowed_mentions = %s, want @everyone suppressed", got)
	}
	if req.JSON()["username"] != "hookflow" || len(req.JSON()["embeds"].([]any)) != 1 {
		t.Fatalf("body = %s", req.Body)
	}
}

func TestPostMessageRefusesBadInput(t *testing.T) {
	f := connectortest.NewFake(t, discord.New(), credential, serveDiscord)
	cases := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"nothing to post", connectors.Values{}, "input.content: required unless embeds are given"},
		{"too long", connectors.Values{"content": strings.Repeat("é", 2001)}, "input.content: Discord takes at most 2000 characters, got 2001"},
		{"too many embeds", connectors.Values{"embeds": make([]any, 11)}, "input.embeds: Discord takes at most 10 embeds, got 11"},
		{"embed not an object", connectors.Values{"embeds": []any{"x"}}, "input.embeds[0]: want an embed object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Invoke("post_message", tc.input)
			if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if len(f.Requests()) != 0 {
		t.Fatal("bad input reached Discord")
	}
}

// TestRateLimitBodyRetryAfter checks Discord's 429 body is honoured when
// no header names the wait.
func TestRateLimitBodyRetryAfter(t *testing.T) {
	f := connectortest.NewFake(t, discord.New(), credential, func(w http.ResponseWriter, r *http.Request) {
		connectortest.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": 1.5, "global": true})
	})
	_, err := f.Invoke("post_message", connectors.Values{"content": "hi"})
	ce := connectors.AsError(err)
	if ce == nil || ce.Class != connectors.ClassRateLimited || ce.RetryAfter != 1500*time.Millisecond ||
		!strings.Contains(err.Error(), "You are being rate limited. (global rate limit)") {
		t.Fatalf("err = %v (%+v)", err, ce)
	}
}

func TestWebhookURLMustBeDiscords(t *testing.T) {
	reg := connectortest.Registry(t, discord.New(), "")
	for _, raw := range []string{"https://discord.com.evil.test" + hookPath, "http://discord.com" + hookPath, "https://discord.com/api/channels/1/messages"} {
		_, err := reg.NewCall(connectors.Invocation{Connector: "discord", Action: "post_message",
			Input: connectors.Values{"content": "x"}, Credential: connectors.Values{discord.CredentialWebhookURL: raw}})
		if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "credential.webhook_url") {
			t.Errorf("%s: err = %v, want a permanent error naming credential.webhook_url", raw, err)
		}
	}
	call, err := reg.NewCall(connectors.Invocation{Connector: "discord", Action: "post_message",
		Input: connectors.Values{"content": "x"}, Credential: credential})
	if err != nil || call.BaseURL != hookURL {
		t.Fatalf("a Discord webhook URL is refused: %v", err)
	}
}
