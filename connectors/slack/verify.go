package slack

import (
	"time"

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

// verifier checks X-Slack-Signature, Slack's v0 signature: "v0=" + hex
// HMAC-SHA256 under the signing secret of "v0:<timestamp>:<raw body>",
// with the 5-minute window Slack documents.
var verifier = signature.Keyed{Field: CredentialSigningSecret, Scheme: signature.HMAC{
	Header:          HeaderSignature,
	Prefix:          "v0=",
	TimestampHeader: HeaderTimestamp,
	Tolerance:       5 * time.Minute,
	Payload:         "v0:{timestamp}:{body}",
}}
