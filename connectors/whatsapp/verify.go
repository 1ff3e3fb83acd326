package whatsapp

import (
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

// verifier checks X-Hub-Signature-256 under the app secret. Meta sends no
// timestamp; replays are caught by dedupe on the message id.
var verifier = signature.Keyed{Field: CredentialAppSecret,
	Scheme: signature.HMAC{Header: HeaderSignature, Prefix: "sha256="}}
