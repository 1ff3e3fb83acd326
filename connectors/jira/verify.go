package jira

import (
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialWebhookSecret is the credential field holding the secret set
// on the webhook in Jira's admin settings (or in the REST call that
// registered it).
const CredentialWebhookSecret = "webhook_secret"

// The headers Jira Cloud sends with every webhook.
const (
	HeaderSignature  = "X-Hub-Signature"
	HeaderIdentifier = "X-Atlassian-Webhook-Identifier"
	HeaderRetry      = "X-Atlassian-Webhook-Retry"
)

// verifier checks X-Hub-Signature, which Jira Cloud sends for webhooks
// registered with a secret: "sha256=" and the hex HMAC-SHA256 of the raw
// body (the WebSub method=signature form). Jira signs no timestamp; the
// body's "timestamp" is when the event happened, and a retry keeps it, so
// replays are caught by dedupe on X-Atlassian-Webhook-Identifier instead.
var verifier = signature.Keyed{Field: CredentialWebhookSecret,
	Scheme: signature.HMAC{Header: HeaderSignature, Prefix: "sha256=", Algorithm: signature.SHA256, Encoding: signature.Hex}}
