package credentials_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/hubspot"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/credentials/oauthtest"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

const (
	redirectURL   = "https://hookflow.example.com/oauth/callback"
	hubspotScopes = "oauth crm.objects.contacts.read crm.objects.contacts.write crm.objects.deals.read crm.objects.deals.write"
)

// clock is a settable clock shared by the OAuth instances of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeHubSpot answers the contacts search when the bearer token is one
// the authorization server considers current, and 401 as HubSpot does
// otherwise.
func fakeHubSpot(t *testing.T, as *oauthtest.Server) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !as.Valid(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`))
			return
		}
		w.Write([]byte(`{"total":0,"results":[]}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestOAuthEndToEnd connects a HubSpot account against a fake
// authorization server and follows its tokens through their life, on each
// store: authorize redirect, callback and code exchange (the fake checks
// the PKCE verifier), an API call, refresh before expiry, concurrent 401s
// from two processes refreshing once, invalid_grant leading to the
// reconnect state and its "reconnect HubSpot" error, reconnecting, and
// revocation.
func TestOAuthEndToEnd(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		kr := keyring(t)
		as := oauthtest.New(t, "client-1", "secret-1", redirectURL)
		api := fakeHubSpot(t, as)
		reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"},
			BaseURLs: map[string]string{hubspot.Name: api.URL}})
		if err != nil {
			t.Fatal(err)
		}
		reg.MustRegister(hubspot.New())
		clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
		newOAuth := func() *credentials.OAuth {
			return credentials.NewOAuth(credentials.OAuthConfig{
				Clients:     map[string]credentials.OAuthClient{hubspot.Name: {ID: "client-1", Secret: "secret-1"}},
				RedirectURL: redirectURL,
				Endpoints:   map[string]connectors.OAuth{hubspot.Name: {AuthURL: as.AuthURL(), TokenURL: as.TokenURL(), RevokeURL: as.RevokeURL()}},
				Now:         clk.Now, Poll: time.Millisecond,
			}, st, kr, reg)
		}
		o := newOAuth()
		search := func(cred connectors.Values) error {
			_, err := reg.Invoke(ctx, connectors.Invocation{Connector: hubspot.Name, Action: "search_contacts",
				Input: connectors.Values{"query": "biglytics"}, Credential: cred, RunID: "r", StepID: "s"})
			return err
		}
		connect := func(t *testing.T) store.Credential {
			t.Helper()
			auth, err := o.Authorize(ctx, hubspot.Name, "hubspot-acme")
			if err != nil {
				t.Fatal(err)
			}
			state, code := as.Consent(t, auth.URL, hubspotScopes)
			c, err := o.Callback(ctx, state, code, auth.Session)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}

		t.Run("callback refuses a forged, foreign or stale state", func(t *testing.T) {
			auth, err := o.Authorize(ctx, hubspot.Name, "hubspot-acme")
			if err != nil {
				t.Fatal(err)
			}
			state, code := as.Consent(t, auth.URL, hubspotScopes)
			for name, tc := range map[string]struct{ state, session string }{
				"another browser":    {state, "not-the-cookie"},
				"no cookie":          {state, ""},
				"tampered state":     {state[:len(state)-2] + "AA", auth.Session},
				"not a state at all": {"%%%", auth.Session},
			} {
				if _, err := o.Callback(ctx, tc.state, code, tc.session); !errors.Is(err, credentials.ErrBadState) {
					t.Errorf("%s: %v, want ErrBadState", name, err)
				}
			}
			clk.Add(credentials.DefaultStateTTL + time.Second)
			defer clk.Add(-credentials.DefaultStateTTL - time.Second)
			if _, err := o.Callback(ctx, state, code, auth.Session); !errors.Is(err, credentials.ErrBadState) {
				t.Errorf("expired state: %v, want ErrBadState", err)
			}
			if n := as.Exchanges.Load(); n != 0 {
				t.Errorf("%d code exchanges for refused callbacks, want 0", n)
			}
		})

		var token string
		t.Run("connect and call the API", func(t *testing.T) {
			c := connect(t)
			if c.Status != store.CredentialConnected || c.Connector != hubspot.Name {
				t.Fatalf("credential = %+v", c)
			}
			if string(c.Hint) == "" || strings.Contains(string(c.Hint), "at_") {
				t.Fatalf("hint %s shows a token", c.Hint)
			}
			v, err := o.Token(ctx, "hubspot-acme")
			if err != nil {
				t.Fatal(err)
			}
			for k := range v {
				if strings.HasPrefix(k, "oauth_") {
					t.Errorf("action values carry %s", k)
				}
			}
			token = v.String(hubspot.CredentialAccessToken)
			if !as.Valid(token) {
				t.Fatalf("token %q is not the one the server issued", token)
			}
			if err := search(v); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("refreshed before expiry", func(t *testing.T) {
			clk.Add(59 * time.Minute) // within DefaultRefreshBefore of the 1 h lifetime
			v, err := o.Token(ctx, "hubspot-acme")
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(hubspot.CredentialAccessToken); got == token || !as.Valid(got) || as.Refreshes.Load() != 1 {
				t.Fatalf("token %q after expiry (was %q), %d refreshes; want a new valid token from one refresh", got, token, as.Refreshes.Load())
			}
			token = v.String(hubspot.CredentialAccessToken)
			if v, err = o.Token(ctx, "hubspot-acme"); err != nil || v.String(hubspot.CredentialAccessToken) != token || as.Refreshes.Load() != 1 {
				t.Fatalf("a fresh token was refreshed again: %v, %d refreshes", err, as.Refreshes.Load())
			}
		})

		t.Run("concurrent 401s in two processes refresh once", func(t *testing.T) {
			as.ExpireAccess()
			if err := search(connectors.Values{hubspot.CredentialAccessToken: token}); connectors.AsError(err) == nil || connectors.AsError(err).Status != 401 {
				t.Fatalf("the revoked token gave %v, want a 401", err)
			}
			before := as.Refreshes.Load()
			as.HoldRefresh = make(chan struct{})
			other := newOAuth() // another process: its own singleflight, the same store
			const callers = 8
			var wg sync.WaitGroup
			got := make([]string, callers)
			errs := make([]error, callers)
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					inst := o
					if i%2 == 1 {
						inst = other
					}
					v, err := inst.Refresh(ctx, "hubspot-acme", token)
					got[i], errs[i] = v.String(hubspot.CredentialAccessToken), err
				}()
			}
			for as.Refreshes.Load() == before {
				time.Sleep(time.Millisecond) // until the winner reached the token endpoint
			}
			close(as.HoldRefresh)
			wg.Wait()
			as.HoldRefresh = nil
			for i := range callers {
				if errs[i] != nil || got[i] != got[0] || got[i] == token {
					t.Fatalf("caller %d: %q, %v; want every caller to get the one new token", i, got[i], errs[i])
				}
			}
			if n := as.Refreshes.Load() - before; n != 1 {
				t.Fatalf("%d refreshes for %d concurrent 401s, want 1", n, callers)
			}
			if err := search(connectors.Values{hubspot.CredentialAccessToken: got[0]}); err != nil {
				t.Fatalf("the refreshed token: %v", err)
			}
		})

		t.Run("invalid_grant asks to reconnect", func(t *testing.T) {
			as.RevokeGrants()
			clk.Add(2 * time.Hour)
			before := as.Refreshes.Load()
			_, err := o.Token(ctx, "hubspot-acme")
			if !errors.Is(err, credentials.ErrReconnect) || connectors.ClassOf(err) != connectors.ClassPermanent ||
				!strings.HasPrefix(err.Error(), "permanent: reconnect HubSpot: ") && !strings.Contains(err.Error(), "reconnect HubSpot") {
				t.Fatalf("err = %v, want a permanent error saying reconnect HubSpot", err)
			}
			c, err := st.GetCredentialByName(ctx, "hubspot-acme")
			if err != nil || c.Status != store.CredentialReconnect {
				t.Fatalf("status = %q (%v), want reconnect", c.Status, err)
			}
			if _, err := o.Token(ctx, "hubspot-acme"); !errors.Is(err, credentials.ErrReconnect) || as.Refreshes.Load() != before+1 {
				t.Fatalf("second use: %v after %d refreshes; want the reconnect error without asking the provider again", err, as.Refreshes.Load()-before)
			}
		})

		t.Run("reconnect", func(t *testing.T) {
			c := connect(t)
			if c.Status != store.CredentialConnected {
				t.Fatalf("status after reconnecting = %q", c.Status)
			}
			v, err := o.Token(ctx, "hubspot-acme")
			if err != nil {
				t.Fatal(err)
			}
			if err := search(v); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("revoke", func(t *testing.T) {
			c, err := o.Revoke(ctx, "hubspot-acme")
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != store.CredentialDisconnected || as.Revocations.Load() != 1 {
				t.Fatalf("status %q, %d revocations", c.Status, as.Revocations.Load())
			}
			_, v, err := credentials.Open(ctx, st, kr, "hubspot-acme")
			if err != nil {
				t.Fatal(err)
			}
			if len(v) != 0 {
				t.Fatalf("tokens left after revoking: %v", keys(v))
			}
			if _, err := o.Token(ctx, "hubspot-acme"); !errors.Is(err, credentials.ErrReconnect) || !strings.Contains(err.Error(), "disconnected") {
				t.Fatalf("using a disconnected credential: %v", err)
			}
		})
	})
}

func keys(v connectors.Values) []string {
	out := make([]string, 0, len(v))
	for k := range v {
		out = append(out, k)
	}
	return out
}
