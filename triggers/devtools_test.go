package triggers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestGitHubDeliveriesThroughThePipeline runs GitHub's two peculiarities
// through the real ingestion pipeline and store: the ping GitHub sends
// when a webhook is created is verified, answered 202 and logged as
// ignored without a run, and a form-encoded delivery (payload=…) is
// accepted, stored as its JSON payload and deduplicated on redelivery.
func TestGitHubDeliveriesThroughThePipeline(t *testing.T) {
	const secret = "gh-pipeline-secret-0123456789"
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.credential("github-test", "github", connectors.Values{"webhook_secret": secret})
		ep := e.workflow("github", `{"type":"webhook","connector":"github","credential":"github-test"}`, store.NewEndpoint{})
		post := func(event, delivery, contentType, body, key string) *httptest.ResponseRecorder {
			m := hmac.New(sha256.New, []byte(key))
			m.Write([]byte(body))
			r := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader(body))
			r.Header.Set("Content-Type", contentType)
			r.Header.Set("X-GitHub-Event", event)
			r.Header.Set("X-GitHub-Delivery", delivery)
			r.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(m.Sum(nil)))
			return e.do(r)
		}

		ping := `{"zen":"Design for failure.","hook_id":292430182}`
		if w := post("ping", "d-ping", "application/json", ping, "not-the-secret"); w.Code != http.StatusUnauthorized {
			t.Fatalf("a ping signed with another secret: %d %s, want 401", w.Code, w.Body.String())
		}
		w := post("ping", "d-ping", "application/json", ping, secret)
		if w.Code != http.StatusAccepted || reply(t, w).Status != StatusIgnored {
			t.Fatalf("ping: %d %s, want 202 ignored", w.Code, w.Body.String())
		}

		payload := `{"action":"opened","issue":{"number":1347,"title":"Checkout fails"},"repository":{"full_name":"octocat/hello-world"}}`
		form := url.Values{"payload": {payload}}.Encode()
		w = post("issues", "d-issue", "application/x-www-form-urlencoded", form, secret)
		if w.Code != http.StatusAccepted || reply(t, w).Status != StatusAccepted {
			t.Fatalf("form delivery: %d %s, want 202 accepted", w.Code, w.Body.String())
		}
		e.starter.waitRun(t)
		if w := post("issues", "d-issue", "application/x-www-form-urlencoded", form, secret); reply(t, w).Status != StatusDuplicate {
			t.Fatalf("redelivery: %s, want duplicate", w.Body.String())
		}
		evs := e.events(ep.ID)
		if len(evs) != 4 {
			t.Fatalf("%d events logged, want the refused ping, the ping, the issue and its redelivery", len(evs))
		}
		if evs[1].Status != store.EventIgnored || evs[1].Reason != "the delivery carries no event" {
			t.Errorf("ping logged as %s (%s), want ignored", evs[1].Status, evs[1].Reason)
		}
		var body map[string]any
		if err := json.Unmarshal(evs[2].Body, &body); err != nil || evs[2].EventType != "issues.opened" || evs[2].ProviderEventID != "d-issue" {
			t.Fatalf("issue event = type %q id %q body %s (%v)", evs[2].EventType, evs[2].ProviderEventID, evs[2].Body, err)
		}
		if body["action"] != "opened" {
			t.Errorf("stored body = %v, want the form's JSON payload", body)
		}
		if n := e.starter.count(); n != 1 {
			t.Errorf("%d runs started, want 1", n)
		}
	})
}
