package sendgrid

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strconv"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

// The vector every SendGrid SDK tests its Event Webhook helper with
// (sendgrid-go helpers/eventwebhook, sendgrid-nodejs, sendgrid-python…):
// the signature covers the timestamp header's text followed by the body.
const (
	sdkPublicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA=="
	sdkOtherKey  = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA=="
	sdkSignature = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0="
	sdkTimestamp = "1588788367"
	sdkPayload   = `{"category":"example_payload","event":"test_event","message_id":"message_id"}`
)

func TestVerifySDKVector(t *testing.T) {
	at := time.Unix(1588788367, 0)
	req := func(body, sig, ts string) *connectors.Request {
		return connectortest.NewRequest(body, HeaderSignature, sig, HeaderTimestamp, ts)
	}
	cred := connectors.Values{CredentialVerificationKey: sdkPublicKey}
	connectortest.RunVerify(t, Verifier{}, []connectortest.VerifyCase{
		{Name: "sdk_vector", Request: req(sdkPayload, sdkSignature, sdkTimestamp), Credential: cred, Now: at},
		{Name: "sdk_vector_key_as_pem", Request: req(sdkPayload, sdkSignature, sdkTimestamp), Now: at,
			Credential: connectors.Values{CredentialVerificationKey: "-----BEGIN PUBLIC KEY-----\n" + sdkPublicKey[:64] + "\n" + sdkPublicKey[64:] + "\n-----END PUBLIC KEY-----\n"}},
		{Name: "sdk_bad_key", Request: req(sdkPayload, sdkSignature, sdkTimestamp), Now: at,
			Credential: connectors.Values{CredentialVerificationKey: sdkOtherKey}, Want: signature.ReasonBadSignature},
		{Name: "sdk_bad_payload", Request: req("payload", sdkSignature, sdkTimestamp), Credential: cred, Now: at, Want: signature.ReasonBadSignature},
		{Name: "sdk_bad_timestamp", Request: req(sdkPayload, sdkSignature, "1388788367"), Credential: cred, Now: at, Want: signature.ReasonBadSignature},
		{Name: "sdk_vector_replayed_a_day_later", Request: req(sdkPayload, sdkSignature, sdkTimestamp), Credential: cred,
			Now: at.Add(24 * time.Hour), Want: signature.ReasonStaleTimestamp},
		{Name: "signature_not_base64", Request: req(sdkPayload, "%%%", sdkTimestamp), Credential: cred, Now: at,
			Want: "malformed header X-Twilio-Email-Event-Webhook-Signature"},
		{Name: "timestamp_not_a_number", Request: req(sdkPayload, sdkSignature, "yesterday"), Credential: cred, Now: at,
			Want: "malformed header X-Twilio-Email-Event-Webhook-Timestamp"},
		{Name: "key_not_base64", Request: req(sdkPayload, sdkSignature, sdkTimestamp), Now: at,
			Credential: connectors.Values{CredentialVerificationKey: "not a key!"}, Want: "credential verification_key is not base64"},
	})
}

// TestVerifyGeneratedKey signs with a P-256 key pair made for the test,
// the way SendGrid signs, and checks the verifier accepts exactly that.
func TestVerifyGeneratedKey(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	cred := connectors.Values{CredentialVerificationKey: base64.StdEncoding.EncodeToString(der)}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := `[{"email":"ada@example.com","event":"delivered","sg_event_id":"e1","timestamp":` + ts + `}]`
	sum := sha256.Sum256([]byte(ts + body))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	req := connectortest.NewRequest(body, HeaderSignature, base64.StdEncoding.EncodeToString(sig), HeaderTimestamp, ts)
	if got := connectortest.Reason(t, Verifier{}.Verify(req, cred, now.Add(Tolerance-time.Second))); got != "" {
		t.Fatalf("refused: %s", got)
	}
	if got := connectortest.Reason(t, Verifier{}.Verify(req, cred, now.Add(Tolerance+time.Second))); got != signature.ReasonStaleTimestamp {
		t.Fatalf("reason = %q, want stale", got)
	}
	// A P-384 key is not what SendGrid uses, and is refused as such.
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der384, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	got := connectortest.Reason(t, Verifier{}.Verify(req, connectors.Values{CredentialVerificationKey: base64.StdEncoding.EncodeToString(der384)}, now))
	if got != "credential verification_key is not a P-256 ECDSA public key" {
		t.Fatalf("P-384 key: reason = %q", got)
	}
	// A PEM private key pasted by mistake is not a public key.
	privDER, _ := x509.MarshalECPrivateKey(priv)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: privDER}))
	if _, err := ParsePublicKey(pemText); err == nil {
		t.Fatal("a private key was taken for the verification key")
	}
}
