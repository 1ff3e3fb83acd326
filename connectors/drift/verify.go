package drift

import (
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Credential fields the trigger reads.
const (
	// CredentialVerificationToken is the app's verification token, which
	// Drift puts in every webhook body as "token".
	CredentialVerificationToken = "verification_token"
	// CredentialClientSecret is the app's client secret, which keys
	// x-drift-signature.
	CredentialClientSecret = "client_secret"
)

// The headers Drift signs with.
const (
	HeaderSignature = "X-Drift-Signature"
	HeaderTimestamp = "X-Drift-Request-Timestamp"
)

// ReasonBadToken is the refusal of a body whose token is missing or wrong.
const ReasonBadToken = signature.ReasonBadCredentials

// scheme checks x-drift-signature: hex HMAC-SHA1 under the client secret
// of the x-drift-request-timestamp value followed by the raw body, within
// the usual five minutes of the clock. Drift's timestamps elsewhere are
// milliseconds; one of 13 or more digits is read as milliseconds and a
// shorter one as seconds, so either form is checked against the clock.
type scheme struct{}

func (scheme) Check(r *connectors.Request, secret string, now time.Time) error {
	unit := time.Second
	if len(strings.TrimSpace(r.Header.Get(HeaderTimestamp))) >= 13 {
		unit = time.Millisecond
	}
	return signature.HMAC{Header: HeaderSignature, Algorithm: signature.SHA1, Encoding: signature.Hex,
		TimestampHeader: HeaderTimestamp, TimestampUnit: unit, Payload: "{timestamp}{body}"}.Verify(r, []byte(secret), now)
}

// Verifier accepts a delivery only when both of Drift's checks pass: the
// signature (scheme) and the verification token in the body, compared in
// constant time. The signature is checked first, on the raw bytes, so a
// body is read only once it is known to be Drift's.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, now time.Time) error {
	token := credential.String(CredentialVerificationToken)
	if token == "" {
		return signature.MissingSecret(CredentialVerificationToken)
	}
	if err := (signature.Keyed{Field: CredentialClientSecret, Scheme: scheme{}}).Verify(r, credential, now); err != nil {
		return err
	}
	got := gjson.GetBytes(r.Body, "token")
	if got.Type != gjson.String || !signature.Equal(got.Str, token) {
		return connectors.Reject(ReasonBadToken)
	}
	return nil
}
