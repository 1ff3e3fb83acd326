package googlechat_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/googlechat"
)

const (
	spacePath = "/v1/spaces/AAAAx1y2z3/messages"
	hookURL   = "https://chat.googleapis.com" + spacePath + "?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&token=Tq9v-kLm"
)

var credential = connectors.Values{googlechat.CredentialWebhookURL: hookURL}

// serveChat answers spaces.messages.create as a webhook call: the created
// Message, or Google's error object.
func serveChat(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("token") != "Tq9v-kLm" {
		connectortest.WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}})
		return
	}
	body := connectortest.JSONBody(r)
	msg := map[string]any{"name": "spaces/AAAAx1y2z3/messages/kBZ9kC0.kBZ9kC0", "text": body["text"],
		"createTime": "2026-11-30T17:04:12.345679Z", "space": map[string]any{"name": "spaces/AAAAx1y2z3", "type": "ROOM"},
		"thread": map[string]any{"name": "spaces/AAAAx1y2z3/threads/kBZ9kC0"}}
	if th, ok := body["thread"].(map[string]any); ok {
		msg["thread"].(map[string]any)["threadKey"] = th["threadKey"]
	}
	connectortest.WriteJSON(w, http.StatusOK, msg)
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, googlechat.New(), connectortest.Fixtures{
		Credential: credential,
		Actions: map[string]connectortest.ActionFixture{
			"post_message": {Input: connectors.Values{"text": "hello"}, Success: serveChat},
		},
	})
}

func TestPostMessageInThread(t *testing.T) {
	f := connectortest.NewFake(t, googlechat.New(), credential, serveChat)
	out, err := f.InvokeJSON("post_message", connectors.Values{"text": "*Deal won*", "thread_key": "deal-1"})
	if err != nil {
		t.Fatal(err)
	}
	if out["name"] != "spaces/AAAAx1y2z3/messages/kBZ9kC0.kBZ9kC0" {
		t.Fatalf("out = %v", out)
	}
	req := f.Requests()[0]
	if req.Path != spacePath || req.Query.Get("key") == "" || req.Query.Get("messageReplyOption") != "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD" {
		t.Fatalf("sent to %s?%s", req.Path, req.Query.Encode())
	}
	if got := connectortest.JSON(t, req.JSON()); got != `{"text":"*Deal won*","thread":{"threadKey":"deal-1"}}` {
		t.Fatalf("body = %s", got)
	}
	if _, err := f.Invoke("post_message", connectors.Values{}); err == nil || !strings.Contains(err.Error(), "input.text: required unless cards are given") {
		t.Fatalf("err = %v", err)
	}
	if _, err := f.Invoke("post_message", connectors.Values{"text": strings.Repeat("x", 4097)}); err == nil || !strings.Contains(err.Error(), "input.text: Google Chat takes at most 4096 characters") {
		t.Fatalf("err = %v", err)
	}
}

func TestResourceExhausted(t *testing.T) {
	f := connectortest.NewFake(t, googlechat.New(), credential, func(w http.ResponseWriter, r *http.Request) {
		connectortest.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]any{"code": 429,
			"message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}})
	})
	_, err := f.Invoke("post_message", connectors.Values{"text": "hi"})
	ce := connectors.AsError(err)
	if ce == nil || ce.Class != connectors.ClassRateLimited || ce.RetryAfter != connectors.DefaultRateLimitWait ||
		!strings.Contains(err.Error(), "Resource has been exhausted (e.g. check quota). (status RESOURCE_EXHAUSTED)") {
		t.Fatalf("err = %v", err)
	}
}

func TestWebhookURLMustBeGoogles(t *testing.T) {
	reg := connectortest.Registry(t, googlechat.New(), "")
	for _, raw := range []string{"https://chat.googleapis.com.evil.test/v1/spaces/A/messages?key=k", "https://www.googleapis.com/v1/spaces/A/messages?key=k"} {
		_, err := reg.NewCall(connectors.Invocation{Connector: "googlechat", Action: "post_message",
			Input: connectors.Values{"text": "x"}, Credential: connectors.Values{googlechat.CredentialWebhookURL: raw}})
		if err == nil || !strings.Contains(err.Error(), "credential.webhook_url") || strings.Contains(err.Error(), "key=k") {
			t.Errorf("%s: err = %v, want an error naming credential.webhook_url without the URL", raw, err)
		}
	}
}
