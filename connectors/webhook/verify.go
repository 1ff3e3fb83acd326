package webhook

import (
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Credential fields read by the incoming webhook trigger's verifier, in
// addition to CredentialSecret and CredentialPreviousSecret. The verifier
// is handed only the credential (connectors.Verifier), so how a sender
// authenticates is part of the credential, not of the trigger options.
const (
	CredentialAuth            = "auth"             // hmac | standard | basic | bearer | none
	CredentialHeader          = "header"           // hmac: the signature header
	CredentialAlgorithm       = "algorithm"        // hmac: sha1 | sha256 | sha512
	CredentialEncoding        = "encoding"         // hmac: hex | base64
	CredentialPrefix          = "prefix"           // hmac: e.g. "sha256="
	CredentialTimestampHeader = "timestamp_header" // hmac: optional signed timestamp (Unix seconds)
	CredentialSignedPayload   = "signed_payload"   // hmac: template, default "{body}"
	CredentialUsername        = "username"         // basic
	CredentialPassword        = "password"         // basic
	CredentialToken           = "token"            // bearer
)

// The authentication modes of the incoming webhook trigger.
const (
	AuthHMAC     = "hmac"
	AuthStandard = "standard"
	AuthBasic    = "basic"
	AuthBearer   = "bearer"
	AuthNone     = "none"
)

// DefaultHMACHeader is the signature header when hmac mode names none.
const DefaultHMACHeader = "X-Signature"

// Verifier authenticates a generic incoming webhook as its credential says.
// Credentials saved now always carry "auth" (it defaults to standard, and
// only the chosen mode's fields are stored). For one saved before the mode
// was explicit, "auth" is empty and the mode is inferred from what it holds:
// a secret means Standard Webhooks (this connector's own signing scheme),
// a username Basic, a token Bearer, nothing at all none. With hmac and
// standard, a previous_secret is also accepted, so secrets can be rotated
// without dropping deliveries.
type Verifier struct{}

var (
	_ connectors.Verifier      = Verifier{}
	_ connectors.Authenticator = Verifier{}
)

// Authenticates implements connectors.Authenticator: auth "none" (or a
// credential that holds nothing to check) accepts anyone.
func (Verifier) Authenticates(c connectors.Values) bool { return authMode(c) != AuthNone }

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, c connectors.Values, now time.Time) error {
	switch mode := authMode(c); mode {
	case AuthNone:
		return nil
	case AuthBasic:
		return signature.VerifyBasic(r.Header, c.String(CredentialUsername), c.String(CredentialPassword))
	case AuthBearer:
		return signature.VerifyBearer(r.Header, c.String(CredentialToken))
	case AuthStandard:
		return anySecret(c, func(secret string) error {
			return signature.VerifyStandard(secret, r.Header, r.Body, now, signature.StandardTolerance)
		})
	case AuthHMAC:
		scheme := signature.HMAC{
			Header:          c.String(CredentialHeader),
			Algorithm:       signature.Algorithm(c.String(CredentialAlgorithm)),
			Encoding:        signature.Encoding(c.String(CredentialEncoding)),
			Prefix:          c.String(CredentialPrefix),
			TimestampHeader: c.String(CredentialTimestampHeader),
			Payload:         c.String(CredentialSignedPayload),
		}
		if scheme.Header == "" {
			scheme.Header = DefaultHMACHeader
		}
		return anySecret(c, func(secret string) error { return scheme.Verify(r, []byte(secret), now) })
	default:
		return connectors.Reject("credential auth " + quote(mode) + " is not one of hmac, standard, basic, bearer, none")
	}
}

func authMode(c connectors.Values) string {
	if m := strings.ToLower(strings.TrimSpace(c.String(CredentialAuth))); m != "" {
		return m
	}
	switch {
	case c.String(CredentialSecret) != "":
		return AuthStandard
	case c.String(CredentialUsername) != "":
		return AuthBasic
	case c.String(CredentialToken) != "":
		return AuthBearer
	}
	return AuthNone
}

// anySecret runs check with the current secret, then, if that fails with
// a bad signature, with the previous one. The first error is the one
// reported, since it concerns the secret in use.
func anySecret(c connectors.Values, check func(secret string) error) error {
	secret := c.String(CredentialSecret)
	if secret == "" {
		return signature.MissingSecret(CredentialSecret)
	}
	err := check(secret)
	if err == nil {
		return nil
	}
	if prev := c.String(CredentialPreviousSecret); prev != "" && err.Error() == signature.BadSignature().Error() {
		if check(prev) == nil {
			return nil
		}
	}
	return err
}

func quote(s string) string { return `"` + s + `"` }
