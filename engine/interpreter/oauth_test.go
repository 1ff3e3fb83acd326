package interpreter

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/hubspot"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/credentials/oauthtest"
)

// TestActionRefreshesOAuthTokenOn401 runs the action activity with an
// OAuth 2 credential whose access token the provider revoked before its
// expiry: the 401 makes the activity refresh the token once and call
// again, successfully. Once the provider refuses the refresh token too,
// the step fails permanently asking to reconnect HubSpot.
func TestActionRefreshesOAuthTokenOn401(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	const redirect = "https://hookflow.example.com/oauth/callback"
	as := oauthtest.New(t, "client-1", "secret-1", redirect)
	var calls, refused atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if !as.Valid(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			refused.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`))
			return
		}
		w.Write([]byte(`{"total":0,"results":[]}`))
	}))
	defer api.Close()
	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}, BaseURLs: map[string]string{hubspot.Name: api.URL}})
	if err != nil {
		t.Fatal(err)
	}
	reg.MustRegister(hubspot.New())
	oauth := credentials.NewOAuth(credentials.OAuthConfig{
		Clients:     map[string]credentials.OAuthClient{hubspot.Name: {ID: "client-1", Secret: "secret-1"}},
		RedirectURL: redirect,
		Endpoints:   map[string]connectors.OAuth{hubspot.Name: {AuthURL: as.AuthURL(), TokenURL: as.TokenURL()}},
	}, fx.store, fx.keyring, reg)
	auth, err := oauth.Authorize(ctx, hubspot.Name, "hubspot-acme")
	if err != nil {
		t.Fatal(err)
	}
	state, code := as.Consent(t, auth.URL, strings.Join(hubspot.New().OAuth.Scopes, " "))
	if _, err := oauth.Callback(ctx, state, code, auth.Session); err != nil {
		t.Fatal(err)
	}

	deps := fx.deps()
	deps.Registry, deps.OAuth = reg, oauth
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	RegisterActivities(env, NewActivities(deps))
	req := func(step string) ActionRequest {
		return ActionRequest{RunID: "r1", Step: step, Connector: hubspot.Name, Action: "search_contacts",
			Credential: "hubspot-acme", Input: map[string]any{"query": "biglytics"}}
	}

	as.ExpireAccess()
	if _, err := env.ExecuteActivity(ActivityAction, req("search")); err != nil {
		t.Fatalf("the step failed instead of refreshing the token: %v", err)
	}
	if calls.Load() != 2 || refused.Load() != 1 || as.Refreshes.Load() != 1 {
		t.Fatalf("%d API calls (%d refused), %d refreshes; want a 401, one refresh, and a successful second call",
			calls.Load(), refused.Load(), as.Refreshes.Load())
	}

	as.RevokeGrants()
	_, err = env.ExecuteActivity(ActivityAction, req("search-again"))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || !strings.Contains(err.Error(), "reconnect HubSpot") {
		t.Fatalf("after the grant was revoked: %v; want a non-retryable error saying reconnect HubSpot", err)
	}
}
