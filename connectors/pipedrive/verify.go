package pipedrive

import (
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Credential fields the webhook trigger reads: the HTTP Basic credentials
// set on the webhook when it is created (http_auth_user and
// http_auth_password in Pipedrive's API).
const (
	CredentialWebhookUsername = "webhook_username"
	CredentialWebhookPassword = "webhook_password"
)

// Verifier checks the HTTP Basic credentials Pipedrive sends with every
// webhook. Pipedrive signs nothing: Basic auth is the strongest check it
// offers, and it covers neither the body's integrity nor its freshness;
// retries and replays are caught by dedupe. Both halves are compared in
// constant time.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, _ time.Time) error {
	password := credential.String(CredentialWebhookPassword)
	if password == "" {
		return signature.MissingSecret(CredentialWebhookPassword)
	}
	return signature.VerifyBasic(r.Header, credential.String(CredentialWebhookUsername), password)
}
