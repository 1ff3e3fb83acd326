package signature

import (
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Scheme checks a delivery against one secret. HMAC and Token are
// Schemes; Keyed makes one a connectors.Verifier.
type Scheme interface {
	// Check returns nil for an authentic delivery, or a
	// *connectors.VerifyError saying why it is not. secret is not empty.
	Check(r *connectors.Request, secret string, now time.Time) error
}

// Keyed is the connectors.Verifier of a provider whose scheme is keyed by
// one secret credential field: most providers are just this, a field and
// a configuration of HMAC. A credential without the field refuses every
// delivery (MissingSecret), so an endpoint that is not configured yet is
// never an open door.
type Keyed struct {
	// Field is the credential field that holds the secret.
	Field  string
	Scheme Scheme
}

var _ connectors.Verifier = Keyed{}

// Verify implements connectors.Verifier.
func (k Keyed) Verify(r *connectors.Request, credential connectors.Values, now time.Time) error {
	secret := credential.String(k.Field)
	if secret == "" {
		return MissingSecret(k.Field)
	}
	return k.Scheme.Check(r, secret, now)
}

// Check implements Scheme.
func (h HMAC) Check(r *connectors.Request, secret string, now time.Time) error {
	return h.Verify(r, []byte(secret), now)
}

// Token is the Scheme of senders that put the shared secret itself in a
// header of their own, like Telegram's X-Telegram-Bot-Api-Secret-Token.
// It signs nothing; replays are caught by dedupe.
type Token struct {
	Header string
}

// Check implements Scheme.
func (t Token) Check(r *connectors.Request, secret string, _ time.Time) error {
	return VerifyToken(r.Header, t.Header, secret)
}
