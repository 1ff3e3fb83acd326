package gitlab

import (
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialWebhookToken is the credential field holding the webhook's
// secret token.
const CredentialWebhookToken = "webhook_token"

// The headers GitLab sends with every webhook.
const (
	HeaderToken          = "X-Gitlab-Token"
	HeaderEvent          = "X-Gitlab-Event"
	HeaderEventUUID      = "X-Gitlab-Event-UUID"
	HeaderWebhookUUID    = "X-Gitlab-Webhook-UUID"
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderInstance       = "X-Gitlab-Instance"
)

// verifier checks X-Gitlab-Token, the secret token set on the webhook,
// which GitLab sends as it is, compared in constant time. GitLab signs
// nothing: the token authenticates the sender but not the body, and
// replays are caught by dedupe (event.go).
var verifier = signature.Keyed{Field: CredentialWebhookToken, Scheme: signature.Token{Header: HeaderToken}}
