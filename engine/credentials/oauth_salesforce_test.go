package credentials_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/salesforce"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/credentials/oauthtest"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// fakeSalesforceAPI answers the Contact upsert as Salesforce's REST API
// does (201 {"id","success","errors","created"}) for access tokens the
// authorization server considers current, and 401 INVALID_SESSION_ID
// otherwise.
func fakeSalesforceAPI(t *testing.T, as *oauthtest.Server) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !as.Valid(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`))
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"0035g00000XyZ12AAB","success":true,"errors":[],"created":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSalesforceOAuth connects a Salesforce org against a fake
// authorization server that answers as Salesforce's web server flow does:
// PKCE, client credentials only in the form body, scopes "api
// refresh_token", and a token response with instance_url and without
// expires_in. The connector's OAuth.ExtraFields copy instance_url into the
// credential, where the actions read it; a refresh that names another
// instance_url (an org migrated to another instance) replaces it, and one
// that names none keeps it.
func TestSalesforceOAuth(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		as := oauthtest.New(t, "3MVG9-client", "sf-secret", redirectURL)
		as.ClientAuthInBody = true
		as.NoExpiresIn = true
		as.Extra = map[string]any{"instance_url": "https://acme.my.salesforce.com", "issued_at": "1764633600000",
			"id": "https://login.salesforce.com/id/00D5g000004ABCD/0055g000003XYZ1", "scope": "api refresh_token", "signature": "c2ln"}
		api := fakeSalesforceAPI(t, as)
		reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"},
			BaseURLs: map[string]string{salesforce.Name: api.URL}})
		if err != nil {
			t.Fatal(err)
		}
		reg.MustRegister(salesforce.New())
		o := credentials.NewOAuth(credentials.OAuthConfig{
			Clients:     map[string]credentials.OAuthClient{salesforce.Name: {ID: "3MVG9-client", Secret: "sf-secret"}},
			RedirectURL: redirectURL,
			Endpoints:   map[string]connectors.OAuth{salesforce.Name: {AuthURL: as.AuthURL(), TokenURL: as.TokenURL(), RevokeURL: as.RevokeURL()}},
			Now:         func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) },
			Poll:        time.Millisecond,
		}, st, keyring(t), reg)

		auth, err := o.Authorize(ctx, salesforce.Name, "salesforce-acme")
		if err != nil {
			t.Fatal(err)
		}
		state, code := as.Consent(t, auth.URL, "api refresh_token")
		if _, err := o.Callback(ctx, state, code, auth.Session); err != nil {
			t.Fatalf("callback (the fake refuses Basic client auth, so this also checks the secret goes in the body): %v", err)
		}
		v, err := o.Token(ctx, "salesforce-acme")
		if err != nil {
			t.Fatal(err)
		}
		if got := v.String(salesforce.CredentialInstanceURL); got != "https://acme.my.salesforce.com" {
			t.Fatalf("instance_url = %q, want the token response's", got)
		}
		for _, k := range []string{"issued_at", "id", "signature", "scope"} {
			if _, ok := v[k]; ok {
				t.Errorf("undeclared token member %s was stored", k)
			}
		}
		token := v.String(salesforce.CredentialAccessToken)
		upsert := func(cred connectors.Values) error {
			_, err := reg.Invoke(ctx, connectors.Invocation{Connector: salesforce.Name, Action: "upsert_contact",
				Input:      connectors.Values{"fields": map[string]any{"LastName": "Whitfield", "Email": "dana@whitfield-design.co"}},
				Credential: cred, RunID: "r", StepID: "s"})
			return err
		}
		if err := upsert(v); err != nil {
			t.Fatalf("upsert with the connected credential: %v", err)
		}

		// No expires_in: Token cannot know the token expired, so it is
		// refreshed when the API answers 401, as the interpreter does.
		as.ExpireAccess()
		if err := upsert(v); connectors.AsError(err) == nil || connectors.AsError(err).Status != http.StatusUnauthorized {
			t.Fatalf("expired session: %v, want a 401", err)
		}
		as.RefreshExtra = map[string]any{"instance_url": "https://acme2.my.salesforce.com", "issued_at": "1764637200000"}
		v, err = o.Refresh(ctx, "salesforce-acme", token)
		if err != nil {
			t.Fatal(err)
		}
		if v.String(salesforce.CredentialAccessToken) == token || v.String(salesforce.CredentialInstanceURL) != "https://acme2.my.salesforce.com" {
			t.Fatalf("after refresh: token changed %v, instance_url %q", v.String(salesforce.CredentialAccessToken) != token, v.String(salesforce.CredentialInstanceURL))
		}
		if err := upsert(v); err != nil {
			t.Fatalf("upsert after refresh: %v", err)
		}

		as.ExpireAccess()
		as.RefreshExtra = map[string]any{"issued_at": "1764640800000"}
		if v, err = o.Refresh(ctx, "salesforce-acme", v.String(salesforce.CredentialAccessToken)); err != nil {
			t.Fatal(err)
		}
		if got := v.String(salesforce.CredentialInstanceURL); got != "https://acme2.my.salesforce.com" {
			t.Fatalf("a refresh without instance_url changed it to %q", got)
		}

		if _, err := o.Revoke(ctx, "salesforce-acme"); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if as.Revocations.Load() != 1 {
			t.Errorf("%d revocations, want 1", as.Revocations.Load())
		}
	})
}

// TestSalesforceOAuthSpec checks the declaration against Salesforce's
// documented endpoints.
func TestSalesforceOAuthSpec(t *testing.T) {
	o := salesforce.New().OAuth
	if o == nil {
		t.Fatal("Salesforce declares no OAuth connection")
	}
	const base = "https://login.salesforce.com/services/oauth2/"
	if o.AuthURL != base+"authorize" || o.TokenURL != base+"token" || o.RevokeURL != base+"revoke" || !o.PKCE || !o.ClientAuthInBody ||
		strings.Join(o.Scopes, " ") != "api refresh_token" || o.ExtraFields["instance_url"] != salesforce.CredentialInstanceURL {
		t.Fatalf("OAuth = %+v", o)
	}
}
