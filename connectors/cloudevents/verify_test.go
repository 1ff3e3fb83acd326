package cloudevents_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/cloudevents"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestVerify(t *testing.T) {
	const tok = "ce_tok_0123456789abcdef"
	bearer := connectors.Values{"auth": "bearer", "token": tok}
	header := connectors.Values{"auth": "header", "token": tok, "header": "X-Event-Secret"}
	withQuery := func(q string, h ...string) *connectors.Request {
		r := connectortest.NewRequest(`{}`, h...)
		r.URL, _ = url.Parse("https://hooks.example.com/hooks/tok_ce?" + q)
		return r
	}
	connectortest.RunVerify(t, cloudevents.Verifier{}, []connectortest.VerifyCase{
		{Name: "bearer header", Credential: bearer, Request: connectortest.NewRequest(`{}`, "Authorization", "Bearer "+tok)},
		{Name: "access_token query parameter (RFC 6750 2.3)", Credential: bearer, Request: withQuery("access_token=" + tok)},
		{Name: "wrong access_token", Credential: bearer, Request: withQuery("access_token=nope"), Want: "bad credentials"},
		{Name: "a header wins over the query", Credential: bearer, Request: withQuery("access_token="+tok, "Authorization", "Bearer nope"), Want: "bad credentials"},
		{Name: "no token at all", Credential: bearer, Request: connectortest.NewRequest(`{}`), Want: "missing header Authorization"},
		{Name: "secret header", Credential: header, Request: connectortest.NewRequest(`{}`, "X-Event-Secret", tok)},
		{Name: "secret header wrong", Credential: header, Request: connectortest.NewRequest(`{}`, "X-Event-Secret", tok+"x"), Want: "bad credentials"},
		{Name: "secret header sent as bearer", Credential: header, Request: connectortest.NewRequest(`{}`, "Authorization", "Bearer "+tok), Want: "missing header X-Event-Secret"},
		{Name: "none", Credential: connectors.Values{"auth": "none"}, Request: connectortest.NewRequest(`{}`)},
	})
	if connectors.Authenticates(cloudevents.Verifier{}, connectors.Values{"auth": "none"}) {
		t.Error("auth none must not count as authenticated")
	}
}

func TestHandshake(t *testing.T) {
	options := func(h ...string) *connectors.Request {
		r := connectortest.NewRequest("", h...)
		r.Method = http.MethodOptions
		return r
	}
	tests := []struct {
		name       string
		cred       connectors.Values
		req        *connectors.Request
		handled    bool
		status     int
		origin     string
		rate       string
		bodyPrefix string
	}{
		{name: "any origin, no rate asked", cred: connectors.Values{}, req: options("WebHook-Request-Origin", "eventgrid.azure.net"),
			handled: true, status: 200, origin: "eventgrid.azure.net"},
		{name: "rate asked and none configured grants no limit", cred: connectors.Values{},
			req: options("WebHook-Request-Origin", "eventgrid.azure.net", "WebHook-Request-Rate", "120"), handled: true, status: 200,
			origin: "eventgrid.azure.net", rate: "*"},
		{name: "configured rate (stored JSON number)", cred: connectors.Values{"allowed_rate": float64(60)},
			req: options("WebHook-Request-Origin", "eventgrid.azure.net", "WebHook-Request-Rate", "120"), handled: true, status: 200,
			origin: "eventgrid.azure.net", rate: "60"},
		{name: "allowed origin, case-insensitive", cred: connectors.Values{"allowed_origins": "knative.example, EventGrid.Azure.net"},
			req: options("WebHook-Request-Origin", "eventgrid.azure.net"), handled: true, status: 200, origin: "eventgrid.azure.net"},
		{name: "origin not allowed", cred: connectors.Values{"allowed_origins": "knative.example"},
			req: options("WebHook-Request-Origin", "attacker.example"), handled: true, status: 403,
			bodyPrefix: `origin "attacker.example" is not among`},
		{name: "CORS preflight", cred: connectors.Values{}, req: options("Origin", "https://x.example")},
		{name: "POST with the header", cred: connectors.Values{}, req: connectortest.NewRequest("{}", "WebHook-Request-Origin", "x")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, handled := cloudevents.Handshake(tc.req, tc.cred)
			if handled != tc.handled {
				t.Fatalf("handled = %v, want %v", handled, tc.handled)
			}
			if !handled {
				return
			}
			if resp.Status != tc.status {
				t.Fatalf("status = %d, want %d", resp.Status, tc.status)
			}
			if tc.status != 200 {
				if got := string(resp.Body); len(got) < len(tc.bodyPrefix) || got[:len(tc.bodyPrefix)] != tc.bodyPrefix {
					t.Errorf("body = %q, want it to start with %q", got, tc.bodyPrefix)
				}
				return
			}
			if got := resp.Header.Get("WebHook-Allowed-Origin"); got != tc.origin {
				t.Errorf("WebHook-Allowed-Origin = %q, want %q", got, tc.origin)
			}
			if got := resp.Header.Get("WebHook-Allowed-Rate"); got != tc.rate {
				t.Errorf("WebHook-Allowed-Rate = %q, want %q", got, tc.rate)
			}
			if got := resp.Header.Get("Allow"); got != "POST" {
				t.Errorf("Allow = %q, want POST", got)
			}
		})
	}
}
