package github

import (
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialWebhookSecret is the credential field holding the secret typed
// into the webhook's settings on GitHub.
const CredentialWebhookSecret = "webhook_secret"

// The headers GitHub sends with every delivery.
const (
	HeaderSignature256  = "X-Hub-Signature-256"
	HeaderSignatureSHA1 = "X-Hub-Signature"
	HeaderEvent         = "X-GitHub-Event"
	HeaderDelivery      = "X-GitHub-Delivery"
	HeaderHookID        = "X-GitHub-Hook-ID"
)

// verifier checks X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256
// of the raw body under the webhook secret, as GitHub's "Validating webhook
// deliveries" documents (and as its Ruby and JavaScript examples compute).
// The legacy SHA-1 X-Hub-Signature is not accepted: GitHub sends the
// SHA-256 header with every signed delivery. GitHub signs no timestamp, so
// replays are caught by dedupe on X-GitHub-Delivery.
var verifier = signature.Keyed{Field: CredentialWebhookSecret,
	Scheme: signature.HMAC{Header: HeaderSignature256, Prefix: "sha256=", Algorithm: signature.SHA256, Encoding: signature.Hex}}
