package paypal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/hookflow/hookflow/connectors"
)

// maxTokenSources bounds the cached token sources (one per API host,
// client id and secret).
const maxTokenSources = 256

// tokens caches PayPal access tokens across calls: a token lives about
// nine hours and PayPal rate-limits /v1/oauth2/token, so asking for one
// per action call would be both slow and throttled.
var tokens = &tokenCache{sources: map[string]*tokenSource{}}

type tokenCache struct {
	mu      sync.Mutex
	sources map[string]*tokenSource
	order   []string
}

// tokenSource is one app's cached client-credentials token.
type tokenSource struct {
	mu  sync.Mutex
	cfg clientcredentials.Config
	hc  *connectors.Client
	src oauth2.TokenSource // reuses the token until shortly before it expires
}

// get returns the token source for an app at base, creating it on first
// use. The key hashes the secret, so a changed secret gets a new token
// and the cache never holds the secret in a key.
func (c *tokenCache) get(hc *connectors.Client, base, id, secret string) *tokenSource {
	sum := sha256.Sum256([]byte(base + "\x00" + id + "\x00" + secret))
	key := hex.EncodeToString(sum[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	if ts, ok := c.sources[key]; ok {
		return ts
	}
	if len(c.order) >= maxTokenSources {
		delete(c.sources, c.order[0])
		c.order = c.order[1:]
	}
	ts := &tokenSource{hc: hc, cfg: clientcredentials.Config{ClientID: id, ClientSecret: secret,
		TokenURL: base + "/v1/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	c.sources[key] = ts
	c.order = append(c.order, key)
	return ts
}

// get returns a valid access token, fetching one when none is cached or
// the cached one is about to expire.
func (t *tokenSource) get(ctx context.Context) (string, error) {
	t.mu.Lock()
	if t.src == nil {
		// The token source keeps this context for later refreshes, so it
		// must outlive the call; the shared client bounds each fetch.
		base := context.WithValue(context.Background(), oauth2.HTTPClient, t.hc.HTTPClient())
		t.src = t.cfg.TokenSource(base)
	}
	src := t.src
	t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", connectors.Retryable(err)
	}
	tok, err := src.Token()
	if err != nil {
		return "", tokenError(err)
	}
	return tok.AccessToken, nil
}

// invalidate drops the cached token after PayPal refused it, so the next
// get fetches a new one.
func (t *tokenSource) invalidate() {
	t.mu.Lock()
	t.src = nil
	t.mu.Unlock()
}

// tokenError classifies a failed token request like any PayPal response:
// 401 invalid_client (a wrong id or secret) is permanent, 429 waits, 5xx
// and network failures are retried.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		ce := connectors.AsError(connectors.ClassifyResponse(re.Response.StatusCode, re.Response.Header, re.Body, time.Now()))
		if ce != nil {
			if re.ErrorCode != "" {
				ce.Annotate("error " + re.ErrorCode)
			}
			return fmt.Errorf("getting PayPal access token: %w", ce)
		}
	}
	if connectors.AsError(err) != nil {
		return fmt.Errorf("getting PayPal access token: %w", err)
	}
	return connectors.Retryable(fmt.Errorf("getting PayPal access token: %w", err))
}
