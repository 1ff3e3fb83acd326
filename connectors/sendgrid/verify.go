package sendgrid

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialVerificationKey is the credential field holding the Event
// Webhook's verification key: a base64 DER (SubjectPublicKeyInfo) P-256
// public key, as Mail Settings → Event Webhook shows it.
const CredentialVerificationKey = "verification_key"

// The headers of a signed Event Webhook delivery.
const (
	HeaderSignature = "X-Twilio-Email-Event-Webhook-Signature"
	HeaderTimestamp = "X-Twilio-Email-Event-Webhook-Timestamp"
)

// Tolerance is how far the signed timestamp may be from the clock.
const Tolerance = signature.DefaultTolerance

// Verifier checks SendGrid's Signed Event Webhook: the signature header is
// a base64 ASN.1 DER ECDSA signature, by the account's P-256 key, of
// SHA-256(timestamp header + raw body). This is the algorithm of
// SendGrid's own helpers (eventwebhook.VerifySignature in sendgrid-go):
// the timestamp is prepended as the header's text, the body is not
// re-encoded. The signed timestamp must be within Tolerance of the clock.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, now time.Time) error {
	raw := credential.String(CredentialVerificationKey)
	if raw == "" {
		return signature.MissingSecret(CredentialVerificationKey)
	}
	key, err := ParsePublicKey(raw)
	if err != nil {
		return connectors.Reject("credential " + CredentialVerificationKey + " " + err.Error())
	}
	sig := strings.TrimSpace(r.Header.Get(HeaderSignature))
	if sig == "" {
		return signature.MissingHeader(HeaderSignature)
	}
	ts := strings.TrimSpace(r.Header.Get(HeaderTimestamp))
	if ts == "" {
		return signature.MissingHeader(HeaderTimestamp)
	}
	at, ok := signature.ParseUnix(ts, time.Second)
	if !ok {
		return signature.MalformedHeader(HeaderTimestamp)
	}
	der, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return signature.MalformedHeader(HeaderSignature)
	}
	h := sha256.New()
	h.Write([]byte(ts))
	h.Write(r.Body)
	if !ecdsa.VerifyASN1(key, h.Sum(nil), der) {
		return signature.BadSignature()
	}
	return signature.CheckTimestamp(at, now, Tolerance)
}

// keyError is a problem with a verification key, worded to follow the
// field name in a rejection reason or a validation message.
type keyError string

func (e keyError) Error() string { return string(e) }

// ParsePublicKey reads a verification key as SendGrid shows it: base64 of
// a DER SubjectPublicKeyInfo holding a P-256 ECDSA key. A PEM block
// ("-----BEGIN PUBLIC KEY-----") is accepted too, since that is how some
// users save it.
func ParsePublicKey(s string) (*ecdsa.PublicKey, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "-----BEGIN PUBLIC KEY-----")
	s = strings.TrimSuffix(s, "-----END PUBLIC KEY-----")
	s = strings.Join(strings.Fields(s), "")
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, keyError("is not base64")
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, keyError("is not a DER public key")
	}
	key, ok := pub.(*ecdsa.PublicKey)
	if !ok || key.Curve != elliptic.P256() {
		return nil, keyError("is not a P-256 ECDSA public key")
	}
	return key, nil
}
