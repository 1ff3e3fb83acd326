package triggers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestCloudEventsThroughTheWebhookRoute drives the CloudEvents trigger
// through the route cmd/hookflow mounts (router.Any on HookPath): the
// abuse-protection OPTIONS request reaches the handshaker and gets its
// headers, a binary-mode event whose data is text is accepted (the
// trigger takes any content type), a batch starts one run per event, and a
// resent event is a duplicate by source + id.
func TestCloudEventsThroughTheWebhookRoute(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		const token = "ce_route_token_0123456789"
		e.credential("ce-test", "cloudevents", connectors.Values{"auth": "bearer", "token": token, "allowed_origins": "eventgrid.azure.net"})
		ep := e.workflow("ce", `{"type":"webhook","connector":"cloudevents","credential":"ce-test"}`, store.NewEndpoint{})
		gin.SetMode(gin.TestMode)
		router := gin.New()
		router.Any(HookPath, func(c *gin.Context) { e.svc.Ingestor.Serve(c.Writer, c.Request, c.Param("token")) })
		serve := func(r *http.Request) *httptest.ResponseRecorder {
			w := httptest.NewRecorder()
			router.ServeHTTP(w, r)
			return w
		}
		url := "/hooks/" + ep.Token

		opt := httptest.NewRequest(http.MethodOptions, url, nil)
		opt.Header.Set("WebHook-Request-Origin", "eventgrid.azure.net")
		opt.Header.Set("WebHook-Request-Rate", "120")
		w := serve(opt)
		if w.Code != http.StatusOK || w.Header().Get("WebHook-Allowed-Origin") != "eventgrid.azure.net" ||
			w.Header().Get("WebHook-Allowed-Rate") != "*" || w.Header().Get("Allow") != "POST" {
			t.Fatalf("validation request: %d %v %q", w.Code, w.Header(), w.Body)
		}
		foreign := httptest.NewRequest(http.MethodOptions, url, nil)
		foreign.Header.Set("WebHook-Request-Origin", "attacker.example")
		if w := serve(foreign); w.Code != http.StatusForbidden {
			t.Fatalf("a foreign origin got %d %q, want 403", w.Code, w.Body)
		}
		if w := serve(httptest.NewRequest(http.MethodOptions, url, nil)); w.Code != http.StatusMethodNotAllowed {
			t.Fatalf("an OPTIONS request that is no validation got %d, want 405", w.Code)
		}

		post := func(contentType, body string, header ...string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
			r.Header.Set("Content-Type", contentType)
			r.Header.Set("Authorization", "Bearer "+token)
			for i := 0; i+1 < len(header); i += 2 {
				r.Header.Set(header[i], header[i+1])
			}
			return serve(r)
		}
		if w := post("text/plain", "build 812 finished", "Ce-Specversion", "1.0", "Ce-Id", "log-1", "Ce-Source", "urn:ci", "Ce-Type", "ci.log"); w.Code != http.StatusAccepted {
			t.Fatalf("binary text event: %d %s", w.Code, w.Body)
		}
		e.starter.waitRun(t)
		batch := `[{"specversion":"1.0","id":"1","source":"/a","type":"t"},{"specversion":"1.0","id":"1","source":"/b","type":"t"}]`
		if w := post("application/cloudevents-batch+json", batch); w.Code != http.StatusAccepted {
			t.Fatalf("batch: %d %s", w.Code, w.Body)
		}
		e.starter.waitRun(t)
		e.starter.waitRun(t)
		structured := `{"specversion":"1.0","id":"1","source":"/a","type":"t","data":{"x":1}}`
		if w := post("application/cloudevents+json", structured); w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), StatusDuplicate) {
			t.Fatalf("the batch's first event resent in structured mode: %d %s, want a duplicate", w.Code, w.Body)
		}
		r := httptest.NewRequest(http.MethodPost, url, strings.NewReader(structured))
		r.Header.Set("Content-Type", "application/cloudevents+json")
		if w := serve(r); w.Code != http.StatusUnauthorized {
			t.Fatalf("no token: %d, want 401", w.Code)
		}
		if n := e.starter.count(); n != 3 {
			t.Fatalf("%d runs, want 3", n)
		}
	})
}

// TestSecretHeaderIsRedacted checks that a token sent in a header the
// credential names (CloudEvents header mode) is redacted in the event log
// like the trigger's fixed signature headers.
func TestSecretHeaderIsRedacted(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		const token = "ce_header_token_0123456789"
		e.credential("ce-header", "cloudevents", connectors.Values{"auth": "header", "header": "Aeg-Sas-Key", "token": token})
		ep := e.workflow("ce-header", `{"type":"webhook","connector":"cloudevents","credential":"ce-header"}`, store.NewEndpoint{})
		r := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader(`{"specversion":"1.0","id":"1","source":"/a","type":"t"}`))
		r.Header.Set("Content-Type", "application/cloudevents+json")
		r.Header.Set("Aeg-Sas-Key", token)
		if w := e.do(r); w.Code != http.StatusAccepted {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		e.starter.waitRun(t)
		events := e.events(ep.ID)
		if len(events) != 1 {
			t.Fatalf("%d events logged", len(events))
		}
		if got := events[0].Headers["Aeg-Sas-Key"]; got != redactedValue {
			t.Fatalf("the token header is logged as %q, want it redacted", got)
		}
	})
}
