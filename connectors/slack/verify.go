package slack

import (
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialSigningSecret is the credential field holding the Slack app's
// signing secret (Basic Information → App Credentials → Signing Secret).
const CredentialSigningSecret = "signing_secret"

// The headers of Slack's request signature.
const (
	HeaderSignature = "X-Slack-Signature"
	HeaderTimestamp = "X-Slack-Request-Timestamp"
)

// scheme is Slack's v0 signature: "v0=" + hex HMAC-SHA256 of
// "v0:<timestamp>:<raw body>", with the 5-minute window Slack documents.
var scheme = signature.HMAC{
	Header:          HeaderSignature,
	Prefix:          "v0=",
	TimestampHeader: HeaderTimestamp,
	Tolerance:       5 * time.Minute,
	Payload:         "v0:{timestamp}:{body}",
}

// Verifier checks X-Slack-Signature.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, now time.Time) error {
	secret := credential.String(CredentialSigningSecret)
	if secret == "" {
		return signature.MissingSecret(CredentialSigningSecret)
	}
	return scheme.Verify(r, []byte(secret), now)
}
