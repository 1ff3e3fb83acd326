package teams_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/teams"
)

const (
	flowPath  = "/workflows/8f3c/triggers/manual/paths/invoke"
	flowQuery = "api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Zx9-sig"
	flowURL   = "https://prod-12.westeurope.logic.azure.com:443" + flowPath + "?" + flowQuery
)

var credential = connectors.Values{teams.CredentialWebhookURL: flowURL}

// serveWorkflow answers as a Workflows webhook trigger does: 202 Accepted,
// no body, for a message with an attachment; 400 with a JSON error
// otherwise.
func serveWorkflow(w http.ResponseWriter, r *http.Request) {
	body := connectortest.JSONBody(r)
	if r.URL.Query().Get("sig") != "Zx9-sig" {
		connectortest.WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": "DirectApiAuthorizationRequired", "message": "The request must be authenticated"}})
		return
	}
	if body == nil || body["type"] != "message" {
		connectortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "InvalidRequestContent", "message": "The request content is not valid"}})
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, teams.New(), connectortest.Fixtures{
		Credential: credential,
		Actions: map[string]connectortest.ActionFixture{
			"post_message": {Input: connectors.Values{"text": "hello"}, Success: serveWorkflow},
		},
	})
}

func TestPostTextAsCard(t *testing.T) {
	f := connectortest.NewFake(t, teams.New(), credential, serveWorkflow)
	out, err := f.InvokeJSON("post_message", connectors.Values{"title": "New reply", "text": "Can I **upgrade**?"})
	if err != nil {
		t.Fatal(err)
	}
	if out["status"] != 202.0 || out["accepted"] != true {
		t.Fatalf("out = %v", out)
	}
	req := f.Requests()[0]
	if req.Path != flowPath || req.Query.Get("sig") != "Zx9-sig" {
		t.Fatalf("sent to %s?%s", req.Path, req.Query.Encode())
	}
	want := `{"attachments":[{"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","body":[` +
		`{"size":"Medium","text":"New reply","type":"TextBlock","weight":"Bolder","wrap":true},` +
		`{"text":"Can I **upgrade**?","type":"TextBlock","wrap":true}],"type":"AdaptiveCard","version":"1.4"},` +
		`"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null}],"type":"message"}`
	if got := connectortest.JSON(t, req.JSON()); got != want {
		t.Fatalf("body = %s\nwant %s", got, want)
	}
}

func TestPostOwnCard(t *testing.T) {
	f := connectortest.NewFake(t, teams.New(), credential, serveWorkflow)
	card := map[string]any{"type": "AdaptiveCard", "body": []any{map[string]any{"type": "FactSet", "facts": []any{map[string]any{"title": "Amount", "value": "$48,000"}}}}}
	if _, err := f.Invoke("post_message", connectors.Values{"card": card, "text": "ignored"}); err != nil {
		t.Fatal(err)
	}
	got := f.Requests()[0].JSON()["attachments"].([]any)[0].(map[string]any)["content"].(map[string]any)
	if got["version"] != "1.4" || got["body"].([]any)[0].(map[string]any)["type"] != "FactSet" {
		t.Fatalf("card sent = %v", got)
	}
	_, err := f.Invoke("post_message", connectors.Values{"card": map[string]any{"type": "MessageCard"}})
	if err == nil || !strings.Contains(err.Error(), `input.card.type: must be "AdaptiveCard"`) {
		t.Fatalf("err = %v", err)
	}
	_, err = f.Invoke("post_message", connectors.Values{"title": "only a title"})
	if err == nil || !strings.Contains(err.Error(), "input.text: required unless a card is given") {
		t.Fatalf("err = %v", err)
	}
	_, err = f.Invoke("post_message", connectors.Values{"text": strings.Repeat("x", 29<<10)})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "Teams takes at most 28672") {
		t.Fatalf("err = %v", err)
	}
}

// TestLegacyWebhookReplies checks the legacy connector webhook's 200
// replies: "1" is success, an error text is classified.
func TestLegacyWebhookReplies(t *testing.T) {
	const legacy = "https://acme.webhook.office.com/webhookb2/1e6d@72f9/IncomingWebhook/abc/4e2a"
	cases := []struct {
		name  string
		reply string
		class connectors.Class
		wait  time.Duration
	}{
		{"success", "1", "", 0},
		{"throttled", "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0..", connectors.ClassRateLimited, 2 * time.Second},
		{"too large", "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId tcid=0", connectors.ClassPermanent, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := connectortest.NewFake(t, teams.New(), connectors.Values{teams.CredentialWebhookURL: legacy}, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Write([]byte(tc.reply))
			})
			_, err := f.Invoke("post_message", connectors.Values{"text": "hi"})
			if tc.class == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			ce := connectors.AsError(err)
			if ce == nil || ce.Class != tc.class || ce.RetryAfter != tc.wait || !strings.Contains(err.Error(), "Microsoft Teams endpoint returned HTTP error") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestWebhookURLMustBeMicrosofts(t *testing.T) {
	reg := connectortest.Registry(t, teams.New(), "")
	for _, raw := range []string{"https://webhook.office.com.evil.test/webhookb2/x", "https://logic.azure.com/workflows/x", "http://prod-1.westus.logic.azure.com/workflows/x"} {
		_, err := reg.NewCall(connectors.Invocation{Connector: "teams", Action: "post_message",
			Input: connectors.Values{"text": "x"}, Credential: connectors.Values{teams.CredentialWebhookURL: raw}})
		if err == nil || !strings.Contains(err.Error(), "credential.webhook_url") {
			t.Errorf("%s: err = %v, want an error naming credential.webhook_url", raw, err)
		}
	}
	for _, ok := range []string{flowURL, "https://acme.webhook.office.com/webhookb2/x", "https://default1234.ab.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/x/triggers/manual/paths/invoke?sig=y"} {
		if _, err := reg.NewCall(connectors.Invocation{Connector: "teams", Action: "post_message",
			Input: connectors.Values{"text": "x"}, Credential: connectors.Values{teams.CredentialWebhookURL: ok}}); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}
