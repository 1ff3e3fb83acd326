package whatsapp

import (
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Credential fields the webhook trigger reads.
const (
	// CredentialAppSecret is the Meta app's secret (App settings → Basic),
	// which signs every notification.
	CredentialAppSecret = "app_secret"
	// CredentialVerifyToken is the string typed into the "Verify token" box
	// when the callback URL is configured; Meta echoes it in the handshake.
	CredentialVerifyToken = "verify_token"
)

// HeaderSignature carries Meta's signature: "sha256=" + hex HMAC-SHA256 of
// the raw body under the app secret. Messenger and Instagram use the same.
const HeaderSignature = "X-Hub-Signature-256"

var scheme = signature.HMAC{Header: HeaderSignature, Prefix: "sha256="}

// Verifier checks X-Hub-Signature-256. Meta sends no timestamp; replays are
// caught by dedupe on the message id.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, now time.Time) error {
	secret := credential.String(CredentialAppSecret)
	if secret == "" {
		return signature.MissingSecret(CredentialAppSecret)
	}
	return scheme.Verify(r, []byte(secret), now)
}
