package credentials

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// Fields an OAuth credential holds besides the connector's access token
// field. They are stored encrypted with it and never reach an action:
// Token strips them.
const (
	FieldRefreshToken = "oauth_refresh_token"
	FieldExpiry       = "oauth_expiry" // RFC 3339
	FieldTokenType    = "oauth_token_type"
)

// ErrReconnect means an OAuth connection can no longer get tokens (the
// provider refused the refresh token with invalid_grant, or the user
// disconnected it): the user must connect the account again. Errors
// wrapping it are permanent.
var ErrReconnect = errors.New("the account must be connected again")

// ErrOAuthNotConfigured means the connector declares OAuth but the admin
// configured no client id and secret for it.
var ErrOAuthNotConfigured = errors.New("OAuth is not configured for this connector")

// OAuthClient is the app an admin registered with a provider.
type OAuthClient struct {
	ID, Secret string
}

// ParseOAuthClients reads --oauth-clients values ("CLIENT_ID:CLIENT_SECRET"
// by connector).
func ParseOAuthClients(m map[string]string) (map[string]OAuthClient, error) {
	out := make(map[string]OAuthClient, len(m))
	for name, v := range m {
		id, secret, ok := strings.Cut(v, ":")
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("oauth-clients: %s: want CLIENT_ID:CLIENT_SECRET", name)
		}
		out[name] = OAuthClient{ID: id, Secret: secret}
	}
	return out, nil
}

// OAuthStore is the part of the store OAuth needs; *store.Store is one.
type OAuthStore interface {
	Finder
	CreateCredential(ctx context.Context, c store.Credential) (store.Credential, error)
	SwapCredentialSecret(ctx context.Context, id string, version int64, ciphertext []byte, keyID string, hint json.RawMessage, status string) (store.Credential, error)
	ClaimCredentialRefresh(ctx context.Context, id string, version int64, at, until time.Time) (store.Credential, error)
}

// OAuthConfig configures OAuth.
type OAuthConfig struct {
	// Clients holds the admin's client id and secret by connector name.
	Clients map[string]OAuthClient
	// RedirectURL is <public URL>/oauth/callback, registered with each
	// provider.
	RedirectURL string
	// HTTPClient calls the providers' token and revocation endpoints;
	// nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Endpoints overrides connectors' OAuth endpoints by connector name,
	// for tests against a fake authorization server.
	Endpoints map[string]connectors.OAuth
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RefreshBefore is how long before expiry a token is refreshed
	// (default DefaultRefreshBefore).
	RefreshBefore time.Duration
	// StateTTL bounds the time between "Connect" and the callback
	// (default DefaultStateTTL).
	StateTTL time.Duration
	// Lease is how long one process may hold a credential's refresh
	// before another may take over (default DefaultRefreshLease).
	Lease time.Duration
	// Poll is how often a process waiting for another's refresh re-reads
	// the credential (default 100 ms).
	Poll time.Duration
}

// Defaults of OAuthConfig.
const (
	DefaultRefreshBefore = 2 * time.Minute
	DefaultStateTTL      = 10 * time.Minute
	DefaultRefreshLease  = 30 * time.Second
)

// OAuth runs OAuth 2 connections: the authorization code flow with PKCE
// (Authorize, Callback), tokens for actions refreshed before they expire
// (Token) or after the provider answered 401 (Refresh), exactly once
// across goroutines (singleflight per credential) and processes (a lease
// taken by compare-and-swap on the credential's version), the reconnect
// state when the provider refuses the refresh token, and revocation.
// Tokens are stored in the credential's encrypted values, like any secret.
type OAuth struct {
	cfg OAuthConfig
	st  OAuthStore
	kr  *secrets.Keyring
	reg *connectors.Registry
	sf  singleflight.Group
}

// NewOAuth returns an OAuth over st, sealing with kr, for reg's connectors.
func NewOAuth(cfg OAuthConfig, st OAuthStore, kr *secrets.Keyring, reg *connectors.Registry) *OAuth {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefreshBefore <= 0 {
		cfg.RefreshBefore = DefaultRefreshBefore
	}
	if cfg.StateTTL <= 0 {
		cfg.StateTTL = DefaultStateTTL
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultRefreshLease
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 100 * time.Millisecond
	}
	return &OAuth{cfg: cfg, st: st, kr: kr, reg: reg}
}

// Enabled reports whether connector declares OAuth and has a client.
func (o *OAuth) Enabled(connector string) bool {
	_, _, err := o.config(connector)
	return err == nil
}

// config builds the x/oauth2 config of a connector.
func (o *OAuth) config(connector string) (*oauth2.Config, *connectors.OAuth, error) {
	spec, ok := o.reg.Connector(connector)
	if !ok || spec.OAuth == nil {
		return nil, nil, fmt.Errorf("connector %q has no OAuth connection", connector)
	}
	decl := *spec.OAuth
	if ep, ok := o.cfg.Endpoints[connector]; ok {
		decl.AuthURL, decl.TokenURL, decl.RevokeURL = ep.AuthURL, ep.TokenURL, ep.RevokeURL
	}
	client, ok := o.cfg.Clients[connector]
	if !ok {
		return nil, nil, fmt.Errorf("%s: %w (an admin sets --oauth-clients %s=CLIENT_ID:CLIENT_SECRET)", spec.Title, ErrOAuthNotConfigured, connector)
	}
	// One explicit style: x/oauth2's auto-detection would retry a refused
	// refresh in the other style, spending a rotated refresh token twice.
	style := oauth2.AuthStyleInHeader
	if decl.ClientAuthInBody {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID: client.ID, ClientSecret: client.Secret, RedirectURL: o.cfg.RedirectURL, Scopes: decl.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: decl.AuthURL, TokenURL: decl.TokenURL, AuthStyle: style},
	}, &decl, nil
}

func (o *OAuth) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, o.cfg.HTTPClient)
}

// state is what the opaque state parameter carries, sealed with the
// keyring (authenticated encryption), so it cannot be read or forged.
type state struct {
	Connector string `json:"c"`
	Name      string `json:"n"`
	Verifier  string `json:"v"`
	// Session is the SHA-256 of the nonce in the browser's cookie: the
	// callback must come from the browser that started the flow.
	Session string `json:"s"`
	Expires int64  `json:"e"`
}

// Authorization is the start of a connection.
type Authorization struct {
	// URL is where to send the user's browser.
	URL string
	// Session is the nonce to set as the browser's session cookie
	// (HttpOnly); Callback needs it back.
	Session string
}

// Authorize starts connecting an account for connector, to be saved as
// the credential named name (created, or reconnected when it exists).
func (o *OAuth) Authorize(ctx context.Context, connector, name string) (*Authorization, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("name: required")
	}
	cfg, decl, err := o.config(connector)
	if err != nil {
		return nil, err
	}
	if c, err := Resolve(ctx, o.st, name); err == nil && c.Connector != connector {
		return nil, fmt.Errorf("name: credential %q belongs to connector %q, not %q", name, c.Connector, connector)
	}
	nonce := randomString()
	verifier := oauth2.GenerateVerifier()
	sum := sha256.Sum256([]byte(nonce))
	st := state{Connector: connector, Name: name, Verifier: verifier, Session: base64.RawURLEncoding.EncodeToString(sum[:]),
		Expires: o.cfg.Now().Add(o.cfg.StateTTL).Unix()}
	plain, _ := json.Marshal(st)
	sealed, err := o.kr.Encrypt(plain)
	if err != nil {
		return nil, fmt.Errorf("sealing OAuth state: %w", err)
	}
	opts := []oauth2.AuthCodeOption{}
	if decl.PKCE {
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	for k, v := range decl.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	return &Authorization{URL: cfg.AuthCodeURL(base64.RawURLEncoding.EncodeToString(sealed), opts...), Session: nonce}, nil
}

// ErrBadState means the callback's state is forged, expired, or from
// another browser session.
var ErrBadState = errors.New("the OAuth state is invalid or expired; start connecting again")

// Callback finishes a connection: it checks state against the session
// cookie and the clock, exchanges code for tokens with the PKCE verifier,
// and saves them in the credential the flow was started for.
func (o *OAuth) Callback(ctx context.Context, rawState, code, session string) (store.Credential, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(rawState)
	if err != nil {
		return store.Credential{}, ErrBadState
	}
	plain, err := o.kr.Decrypt(sealed)
	if err != nil {
		return store.Credential{}, ErrBadState
	}
	var st state
	if json.Unmarshal(plain, &st) != nil {
		return store.Credential{}, ErrBadState
	}
	sum := sha256.Sum256([]byte(session))
	if session == "" || subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(st.Session)) != 1 ||
		o.cfg.Now().Unix() > st.Expires {
		return store.Credential{}, ErrBadState
	}
	if code == "" {
		return store.Credential{}, errors.New("the provider sent no authorization code")
	}
	cfg, decl, err := o.config(st.Connector)
	if err != nil {
		return store.Credential{}, err
	}
	var opts []oauth2.AuthCodeOption
	if decl.PKCE {
		opts = append(opts, oauth2.VerifierOption(st.Verifier))
	}
	tok, err := cfg.Exchange(o.ctx(ctx), code, opts...)
	if err != nil {
		return store.Credential{}, fmt.Errorf("exchanging the authorization code: %w", err)
	}
	o.stamp(tok)
	values := tokenValues(decl, nil, tok)
	cur, err := Resolve(ctx, o.st, st.Name)
	switch {
	case err == nil:
		// Reconnecting: keep the fields the user typed (a webhook
		// secret), replace the tokens.
		_, old, err := Open(ctx, o.st, o.kr, cur.ID)
		if err != nil {
			return store.Credential{}, err
		}
		return o.write(ctx, cur, tokenValues(decl, old, tok), store.CredentialConnected)
	case errors.Is(err, store.ErrNotFound):
		sealed, hint, err := o.seal(values, tok)
		if err != nil {
			return store.Credential{}, err
		}
		return o.st.CreateCredential(ctx, store.Credential{Name: st.Name, Connector: st.Connector, Ciphertext: sealed,
			KeyID: o.kr.CurrentKeyID(), Hint: hint, Status: store.CredentialConnected})
	default:
		return store.Credential{}, err
	}
}

// stamp sets tok's expiry from its expires_in on this OAuth's clock
// (x/oauth2 stamps it with the wall clock), so every expiry decision uses
// one clock.
func (o *OAuth) stamp(tok *oauth2.Token) {
	if tok.ExpiresIn > 0 {
		tok.Expiry = o.cfg.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
}

// tokenValues returns base (copied) with tok's fields set.
func tokenValues(decl *connectors.OAuth, base connectors.Values, tok *oauth2.Token) connectors.Values {
	out := connectors.Values{}
	for k, v := range base {
		out[k] = v
	}
	out[decl.AccessTokenField()] = tok.AccessToken
	if tok.RefreshToken != "" {
		out[FieldRefreshToken] = tok.RefreshToken
	}
	delete(out, FieldExpiry)
	if !tok.Expiry.IsZero() {
		out[FieldExpiry] = tok.Expiry.UTC().Format(time.RFC3339Nano)
	}
	if tok.TokenType != "" {
		out[FieldTokenType] = tok.TokenType
	}
	for member, field := range decl.ExtraFields {
		// A response without the member keeps the stored value; a
		// non-string one is not what the connector declared, so it is
		// left out rather than stored as something else.
		if v, ok := tok.Extra(member).(string); ok && v != "" {
			out[field] = v
		}
	}
	return out
}

func (o *OAuth) seal(values connectors.Values, tok *oauth2.Token) ([]byte, json.RawMessage, error) {
	plain, err := json.Marshal(values)
	if err != nil {
		return nil, nil, err
	}
	sealed, err := o.kr.Encrypt(plain)
	clear(plain)
	if err != nil {
		return nil, nil, err
	}
	hint := map[string]any{"oauth": "connected"}
	if tok != nil && !tok.Expiry.IsZero() {
		hint["expires_at"] = tok.Expiry.UTC().Format(time.RFC3339)
	}
	h, _ := json.Marshal(hint)
	return sealed, h, nil
}

// write swaps a credential's values on its version.
func (o *OAuth) write(ctx context.Context, c store.Credential, values connectors.Values, status string) (store.Credential, error) {
	var tok *oauth2.Token
	if exp, err := time.Parse(time.RFC3339Nano, values.String(FieldExpiry)); err == nil {
		tok = &oauth2.Token{Expiry: exp}
	}
	sealed, hint, err := o.seal(values, tok)
	if err != nil {
		return store.Credential{}, err
	}
	if status != store.CredentialConnected {
		hint, _ = json.Marshal(map[string]any{"oauth": status})
	}
	return o.st.SwapCredentialSecret(ctx, c.ID, c.Version, sealed, o.kr.CurrentKeyID(), hint, status)
}

// IsOAuth reports whether the stored credential c is an OAuth connection.
func IsOAuth(c store.Credential) bool { return c.Status != "" }

// Token returns the values an action gets for the OAuth credential ref:
// the connector's fields with a fresh access token (refreshed first when
// it expires within RefreshBefore), without the refresh token and expiry.
// A credential that needs reconnecting gives a permanent error wrapping
// ErrReconnect that says "reconnect <app>".
func (o *OAuth) Token(ctx context.Context, ref string) (connectors.Values, error) {
	c, v, err := Open(ctx, o.st, o.kr, ref)
	if err != nil {
		return nil, err
	}
	if err := o.usable(c); err != nil {
		return nil, err
	}
	if exp, err := time.Parse(time.RFC3339Nano, v.String(FieldExpiry)); err == nil && !o.cfg.Now().Before(exp.Add(-o.cfg.RefreshBefore)) {
		_, decl, err := o.config(c.Connector)
		if err != nil {
			return nil, connectors.Permanent(err)
		}
		if v, err = o.refresh(ctx, c.ID, v.String(decl.AccessTokenField())); err != nil {
			return nil, err
		}
	}
	return actionValues(v), nil
}

// Refresh gets a new access token for ref after the provider refused
// stale with 401, and returns the action's values. When another caller
// already replaced stale, its token is returned without a new refresh, so
// a burst of 401s refreshes once.
func (o *OAuth) Refresh(ctx context.Context, ref, stale string) (connectors.Values, error) {
	c, err := Resolve(ctx, o.st, ref)
	if err != nil {
		return nil, err
	}
	if err := o.usable(c); err != nil {
		return nil, err
	}
	v, err := o.refresh(ctx, c.ID, stale)
	if err != nil {
		return nil, err
	}
	return actionValues(v), nil
}

func (o *OAuth) usable(c store.Credential) error {
	if c.Status == store.CredentialReconnect || c.Status == store.CredentialDisconnected {
		title := c.Connector
		if s, ok := o.reg.Connector(c.Connector); ok {
			title = s.Title
		}
		return connectors.Permanent(fmt.Errorf("reconnect %s: credential %q is %s; open Credentials and click Reconnect: %w",
			title, c.Name, map[string]string{store.CredentialReconnect: "no longer accepted by " + title,
				store.CredentialDisconnected: "disconnected"}[c.Status], ErrReconnect))
	}
	return nil
}

// actionValues drops the OAuth bookkeeping fields.
func actionValues(v connectors.Values) connectors.Values {
	out := make(connectors.Values, len(v))
	for k, x := range v {
		if k != FieldRefreshToken && k != FieldExpiry && k != FieldTokenType {
			out[k] = x
		}
	}
	return out
}

// refresh replaces the access token stale of credential id, once: callers
// in this process share one flight, and processes share the store's
// lease. It returns the credential's values after the refresh (or after
// whoever refreshed first).
func (o *OAuth) refresh(ctx context.Context, id, stale string) (connectors.Values, error) {
	ch := o.sf.DoChan(id, func() (any, error) {
		// The flight outlives any one caller's cancellation.
		return o.refreshOnce(context.WithoutCancel(ctx), id, stale)
	})
	select {
	case <-ctx.Done():
		return nil, connectors.Retryable(ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(connectors.Values), nil
	}
}

func (o *OAuth) refreshOnce(ctx context.Context, id, stale string) (connectors.Values, error) {
	deadline := o.cfg.Now().Add(2 * o.cfg.Lease)
	for {
		c, v, err := Open(ctx, o.st, o.kr, id)
		if err != nil {
			return nil, err
		}
		if err := o.usable(c); err != nil {
			return nil, err
		}
		cfg, decl, err := o.config(c.Connector)
		if err != nil {
			return nil, connectors.Permanent(err)
		}
		if cur := v.String(decl.AccessTokenField()); cur != stale && !o.expiring(v) {
			return v, nil // refreshed by someone else meanwhile
		}
		now := o.cfg.Now()
		claimed, err := o.st.ClaimCredentialRefresh(ctx, c.ID, c.Version, now, now.Add(o.cfg.Lease))
		if errors.Is(err, store.ErrConflict) {
			// Another process refreshes (or the user edited): wait for its
			// write, then read again.
			if o.cfg.Now().After(deadline) {
				return nil, connectors.Retryable(fmt.Errorf("waiting for another process to refresh credential %q", c.Name))
			}
			select {
			case <-ctx.Done():
				return nil, connectors.Retryable(ctx.Err())
			case <-time.After(o.cfg.Poll):
			}
			continue
		}
		if err != nil {
			return nil, connectors.Retryable(err)
		}
		refresh := v.String(FieldRefreshToken)
		if refresh == "" {
			_, err := o.write(ctx, claimed, v, store.CredentialReconnect)
			if err != nil {
				return nil, connectors.Retryable(err)
			}
			return nil, o.usable(store.Credential{Name: c.Name, Connector: c.Connector, Status: store.CredentialReconnect})
		}
		tok, err := cfg.TokenSource(o.ctx(ctx), &oauth2.Token{RefreshToken: refresh, Expiry: time.Unix(1, 0)}).Token()
		if err != nil {
			var re *oauth2.RetrieveError
			if errors.As(err, &re) && (re.ErrorCode == "invalid_grant" || re.ErrorCode == "unauthorized_client") {
				if _, werr := o.write(ctx, claimed, v, store.CredentialReconnect); werr != nil {
					return nil, connectors.Retryable(werr)
				}
				return nil, o.usable(store.Credential{Name: c.Name, Connector: c.Connector, Status: store.CredentialReconnect})
			}
			// A network failure or 5xx: give the lease back and retry later.
			_, _ = o.write(ctx, claimed, v, store.CredentialConnected)
			return nil, connectors.Retryable(fmt.Errorf("refreshing the %s token: %w", c.Connector, err))
		}
		o.stamp(tok)
		nv := tokenValues(decl, v, tok)
		if _, err := o.write(ctx, claimed, nv, store.CredentialConnected); err != nil {
			return nil, connectors.Retryable(err)
		}
		return nv, nil
	}
}

func (o *OAuth) expiring(v connectors.Values) bool {
	exp, err := time.Parse(time.RFC3339Nano, v.String(FieldExpiry))
	return err == nil && !o.cfg.Now().Before(exp.Add(-o.cfg.RefreshBefore))
}

// Revoke disconnects the OAuth credential ref: it asks the provider to
// revoke the refresh token (or the access token) where the connector
// declares an RFC 7009 revocation endpoint, then deletes the tokens from
// the credential, whose status becomes disconnected. The tokens are
// deleted even when the provider's endpoint fails; that error is returned.
func (o *OAuth) Revoke(ctx context.Context, ref string) (store.Credential, error) {
	c, v, err := Open(ctx, o.st, o.kr, ref)
	if err != nil {
		return store.Credential{}, err
	}
	if !IsOAuth(c) {
		return store.Credential{}, fmt.Errorf("credential %q is not an OAuth connection", c.Name)
	}
	cfg, decl, cfgErr := o.config(c.Connector)
	var revokeErr error
	if cfgErr == nil && decl.RevokeURL != "" {
		token, hint := v.String(FieldRefreshToken), "refresh_token"
		if token == "" {
			token, hint = v.String(decl.AccessTokenField()), "access_token"
		}
		if token != "" {
			revokeErr = o.revoke(ctx, cfg, decl.RevokeURL, token, hint)
		}
	}
	kept := connectors.Values{}
	for k, x := range v {
		if k != FieldRefreshToken && k != FieldExpiry && k != FieldTokenType && (decl == nil || k != decl.AccessTokenField()) {
			kept[k] = x
		}
	}
	out, err := o.write(ctx, c, kept, store.CredentialDisconnected)
	if err != nil {
		return store.Credential{}, err
	}
	return out, revokeErr
}

func (o *OAuth) revoke(ctx context.Context, cfg *oauth2.Config, endpoint, token, hint string) error {
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	inBody := cfg.Endpoint.AuthStyle == oauth2.AuthStyleInParams
	if inBody {
		form.Set("client_id", cfg.ClientID)
		form.Set("client_secret", cfg.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !inBody {
		req.SetBasicAuth(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
	}
	resp, err := o.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("revoking the token: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("revoking the token: the provider answered HTTP %d", resp.StatusCode)
	}
	return nil
}

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
