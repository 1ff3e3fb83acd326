package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/credentials/oauthtest"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestOAuthConnectFlow drives "Connect HubSpot" through the HTTP API as the
// UI and the browser do: list what can be connected, start the flow (the
// session cookie is set), come back through /oauth/callback from the
// provider, see the connected credential, and disconnect it.
func TestOAuthConnectFlow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		const redirect = "https://hookflow.example.com/oauth/callback"
		as := oauthtest.New(t, "client-1", "secret-1", redirect)
		reg, err := all.New(all.Options{})
		if err != nil {
			t.Fatal(err)
		}
		key, _ := secrets.GenerateKey()
		oauth := credentials.NewOAuth(credentials.OAuthConfig{
			Clients:     map[string]credentials.OAuthClient{"hubspot": {ID: "client-1", Secret: "secret-1"}},
			RedirectURL: redirect,
			Endpoints:   map[string]connectors.OAuth{"hubspot": {AuthURL: as.AuthURL(), TokenURL: as.TokenURL(), RevokeURL: as.RevokeURL()}},
		}, st, secrets.NewKeyring(key), reg)
		e := newEnv(t, st, func(c *api.Config) { c.OAuth, c.OAuthRedirectURL = oauth, redirect })

		list := e.call("GET", "/api/v1/oauth/connectors", store.ScopeViewer, nil)
		if list.Status != 200 || list.str("redirect_url") != redirect || len(list.JSON["connectors"].([]any)) != 1 ||
			list.JSON["connectors"].([]any)[0] != "hubspot" {
			t.Fatalf("oauth connectors: %d %s", list.Status, list.Raw)
		}
		if r := e.call("POST", "/api/v1/oauth/stripe/authorize", store.ScopeEditor, map[string]any{"name": "s"}); r.Status != 422 {
			t.Fatalf("a connector without OAuth: %d %s", r.Status, r.Raw)
		}
		if r := e.call("POST", "/api/v1/oauth/hubspot/authorize", store.ScopeViewer, map[string]any{"name": "h"}); r.Status != 403 {
			t.Fatalf("a viewer started a connection: %d", r.Status)
		}

		start := e.call("POST", "/api/v1/oauth/hubspot/authorize", store.ScopeEditor, map[string]any{"name": "hubspot-acme"})
		if start.Status != 200 {
			t.Fatalf("authorize: %d %s", start.Status, start.Raw)
		}
		cookies := (&http.Response{Header: start.Header}).Cookies()
		if len(cookies) != 1 || cookies[0].Name != "hookflow_oauth" || !cookies[0].HttpOnly || cookies[0].Path != "/oauth/callback" ||
			cookies[0].SameSite != http.SameSiteLaxMode || !cookies[0].Secure {
			t.Fatalf("session cookie = %+v", cookies)
		}
		state, code := as.Consent(t, start.str("authorize_url"), "oauth crm.objects.contacts.read crm.objects.contacts.write crm.objects.deals.read crm.objects.deals.write")
		callback := func(withCookie bool) *httptest.ResponseRecorder {
			r := httptest.NewRequest("GET", "/oauth/callback?"+url.Values{"state": {state}, "code": {code}}.Encode(), nil)
			if withCookie {
				r.AddCookie(cookies[0])
			}
			w := httptest.NewRecorder()
			e.router.ServeHTTP(w, r)
			return w
		}
		if w := callback(false); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/#/credentials?oauth_error=") {
			t.Fatalf("a callback from another browser: %d %s", w.Code, w.Header().Get("Location"))
		}
		if w := callback(true); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/#/credentials?connected=hubspot-acme" {
			t.Fatalf("callback: %d %s", w.Code, w.Header().Get("Location"))
		}
		got := e.call("GET", "/api/v1/credentials/hubspot-acme", store.ScopeViewer, nil)
		if got.Status != 200 || got.str("status") != store.CredentialConnected || strings.Contains(string(got.Raw), "at_") {
			t.Fatalf("connected credential: %d %s", got.Status, got.Raw)
		}
		denied := httptest.NewRequest("GET", "/oauth/callback?error=access_denied&error_description=The+user+declined", nil)
		w := httptest.NewRecorder()
		e.router.ServeHTTP(w, denied)
		if loc := w.Header().Get("Location"); !strings.Contains(loc, "oauth_error=the+provider+answered+access_denied") {
			t.Fatalf("a declined consent redirects to %q", loc)
		}

		off := e.call("POST", "/api/v1/credentials/"+got.str("id")+"/disconnect", store.ScopeEditor, nil)
		if off.Status != 200 || off.JSON["credential"].(map[string]any)["status"] != store.CredentialDisconnected || as.Revocations.Load() != 1 {
			t.Fatalf("disconnect: %d %s (%d revocations)", off.Status, off.Raw, as.Revocations.Load())
		}
	})
}
