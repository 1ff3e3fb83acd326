package datadog

import (
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Credential field names.
const (
	CredentialAuth     = "auth"
	CredentialToken    = "token"
	CredentialUsername = "username"
	CredentialPassword = "password"
)

// The ways the credential can authenticate deliveries.
const (
	AuthHeader = "header"
	AuthBasic  = "basic"
)

// HeaderToken is the custom header the webhook sends the token in. It is
// fixed rather than configurable so the event log always knows to redact
// it (Trigger.SignatureHeaders).
const HeaderToken = "X-Hookflow-Token"

// Verifier authenticates a Datadog delivery by what the credential
// chooses: the token in the X-Hookflow-Token custom header (AuthHeader,
// the default) or HTTP Basic auth (AuthBasic). Both are compared in
// constant time. Neither covers the body: Datadog signs nothing, so a
// replay is caught only by dedupe on the event's id.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, cred connectors.Values, _ time.Time) error {
	switch cred.String(CredentialAuth) {
	case AuthBasic:
		if cred.String(CredentialPassword) == "" {
			return signature.MissingSecret(CredentialPassword)
		}
		return signature.VerifyBasic(r.Header, cred.String(CredentialUsername), cred.String(CredentialPassword))
	case AuthHeader, "":
		token := cred.String(CredentialToken)
		if token == "" {
			return signature.MissingSecret(CredentialToken)
		}
		return signature.VerifyToken(r.Header, HeaderToken, token)
	default:
		return connectors.Reject("credential auth " + cred.String(CredentialAuth) + " is not header or basic")
	}
}
