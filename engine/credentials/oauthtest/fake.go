// Package oauthtest is a fake OAuth 2 authorization server for tests of
// "connect account" flows: it issues authorization codes bound to a PKCE
// S256 challenge, exchanges them only with the matching verifier and the
// registered client (RFC 6749 §4.1.3, RFC 7636 §4.6), refreshes tokens
// with rotation (the old refresh token stops working), answers
// invalid_grant for refresh tokens it revoked, and implements RFC 7009
// revocation. Counters let tests assert how often each endpoint was hit.
package oauthtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// Server is the fake authorization server.
type Server struct {
	*httptest.Server
	ClientID, ClientSecret, RedirectURL string
	// ExpiresIn is the access tokens' lifetime in seconds.
	ExpiresIn int
	// HoldRefresh, when set, is received from before each refresh is
	// answered, so a test can have several callers in flight at once.
	HoldRefresh chan struct{}
	// Extra holds members added to every token response besides the
	// tokens, as providers add theirs (Salesforce's instance_url, id and
	// issued_at). RefreshExtra, when not nil, replaces it for refresh
	// responses, which some providers answer with fewer members. Set
	// both before the first request.
	Extra, RefreshExtra map[string]any
	// ClientAuthInBody makes the token and revocation endpoints refuse
	// HTTP Basic client authentication and accept only client_id and
	// client_secret form fields, as providers that document only those do.
	ClientAuthInBody bool
	// NoExpiresIn leaves expires_in out of token responses, as Salesforce
	// does (its tokens last the org's session timeout).
	NoExpiresIn bool

	Exchanges, Refreshes, Revocations atomic.Int64

	mu      sync.Mutex
	codes   map[string]string // code → S256 challenge
	refresh map[string]bool   // refresh token → valid
	access  map[string]bool   // access token → valid
}

// New starts a fake server for the client id and secret, expecting
// redirectURL.
func New(t testing.TB, clientID, clientSecret, redirectURL string) *Server {
	t.Helper()
	s := &Server{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL, ExpiresIn: 3600,
		codes: map[string]string{}, refresh: map[string]bool{}, access: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", s.authorize)
	mux.HandleFunc("/token", s.token)
	mux.HandleFunc("/revoke", s.revoke)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// AuthURL, TokenURL and RevokeURL are the endpoints.
func (s *Server) AuthURL() string   { return s.URL + "/authorize" }
func (s *Server) TokenURL() string  { return s.URL + "/token" }
func (s *Server) RevokeURL() string { return s.URL + "/revoke" }

// Consent plays the user approving the app at authorizeURL: it checks the
// request as an authorization server would and returns the state and a
// fresh code bound to the PKCE challenge.
func (s *Server) Consent(t testing.TB, authorizeURL string, wantScopes string) (state, code string) {
	t.Helper()
	u, err := url.Parse(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": s.ClientID, "redirect_uri": s.RedirectURL,
		"code_challenge_method": "S256", "scope": wantScopes} {
		if got := q.Get(k); got != want {
			t.Fatalf("authorize URL %s = %q, want %q", k, got, want)
		}
	}
	if q.Get("state") == "" || q.Get("code_challenge") == "" {
		t.Fatalf("authorize URL lacks state or code_challenge: %s", authorizeURL)
	}
	code = random()
	s.mu.Lock()
	s.codes[code] = q.Get("code_challenge")
	s.mu.Unlock()
	return q.Get("state"), code
}

// authorize is the consent page for browser tests: the "user" approves at
// once, and the browser is sent back to the redirect URI with a code and
// the state. A request that does not match the client gets 400, as a real
// server shows an error page rather than redirecting to an unknown URI.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.ClientID || q.Get("redirect_uri") != s.RedirectURL || q.Get("response_type") != "code" ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "invalid authorization request", http.StatusBadRequest)
		return
	}
	code := random()
	s.mu.Lock()
	s.codes[code] = q.Get("code_challenge")
	s.mu.Unlock()
	http.Redirect(w, r, s.RedirectURL+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
}

// Valid reports whether an access token is current.
func (s *Server) Valid(accessToken string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access[accessToken]
}

// ExpireAccess makes every issued access token invalid, as a provider
// that revoked them early; resource servers then answer 401.
func (s *Server) ExpireAccess() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// RevokeGrants makes every refresh token invalid (the user removed the
// app): refreshing answers invalid_grant.
func (s *Server) RevokeGrants() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
	clear(s.access)
}

func (s *Server) fail(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (s *Server) clientOK(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if ok && s.ClientAuthInBody {
		return false
	}
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	} else {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	}
	return id == s.ClientID && secret == s.ClientSecret
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		s.fail(w, http.StatusBadRequest, "invalid_request", "POST a form")
		return
	}
	if !s.clientOK(r) {
		s.fail(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.Exchanges.Add(1)
		s.mu.Lock()
		challenge, ok := s.codes[r.PostForm.Get("code")]
		delete(s.codes, r.PostForm.Get("code")) // codes are single use
		s.mu.Unlock()
		if !ok || r.PostForm.Get("redirect_uri") != s.RedirectURL {
			s.fail(w, http.StatusBadRequest, "invalid_grant", "unknown code or redirect_uri mismatch")
			return
		}
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
			s.fail(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
			return
		}
		s.issue(w, s.Extra)
	case "refresh_token":
		s.Refreshes.Add(1)
		if s.HoldRefresh != nil {
			<-s.HoldRefresh
		}
		rt := r.PostForm.Get("refresh_token")
		s.mu.Lock()
		ok := s.refresh[rt]
		delete(s.refresh, rt) // rotation: a refresh token works once
		s.mu.Unlock()
		if !ok {
			s.fail(w, http.StatusBadRequest, "invalid_grant", "refresh token is invalid, expired or revoked")
			return
		}
		extra := s.Extra
		if s.RefreshExtra != nil {
			extra = s.RefreshExtra
		}
		s.issue(w, extra)
	default:
		s.fail(w, http.StatusBadRequest, "unsupported_grant_type", r.PostForm.Get("grant_type"))
	}
}

func (s *Server) issue(w http.ResponseWriter, extra map[string]any) {
	at, rt := "at_"+random(), "rt_"+random()
	s.mu.Lock()
	s.access[at], s.refresh[rt] = true, true
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	resp := map[string]any{"access_token": at, "token_type": "bearer", "refresh_token": rt}
	if !s.NoExpiresIn {
		resp["expires_in"] = s.ExpiresIn
	}
	for k, v := range extra {
		resp[k] = v
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil || !s.clientOK(r) {
		s.fail(w, http.StatusUnauthorized, "invalid_client", "")
		return
	}
	s.Revocations.Add(1)
	tok := r.PostForm.Get("token")
	s.mu.Lock()
	delete(s.refresh, tok)
	delete(s.access, tok)
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK) // RFC 7009 §2.2: 200 even for unknown tokens
}

func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
