package paypal

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"hash/crc32"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialWebhookID is the credential field holding the id PayPal gave
// the webhook (Developer Dashboard → your app → Webhooks). It is part of
// the signed string, so a delivery made for another webhook, even one of
// the same account, does not verify.
const CredentialWebhookID = "webhook_id"

// The headers of a PayPal webhook delivery.
const (
	HeaderTransmissionID   = "Paypal-Transmission-Id"
	HeaderTransmissionTime = "Paypal-Transmission-Time"
	HeaderTransmissionSig  = "Paypal-Transmission-Sig"
	HeaderCertURL          = "Paypal-Cert-Url"
	HeaderAuthAlgo         = "Paypal-Auth-Algo"
)

// AuthAlgo is the only signature algorithm PayPal uses.
const AuthAlgo = "SHA256withRSA"

// Tolerance is how far PAYPAL-TRANSMISSION-TIME may be from the clock.
// Each delivery attempt, retries included, is a new transmission with its
// own time and signature, so a tight window costs nothing.
const Tolerance = signature.DefaultTolerance

// Verifier checks PayPal's certificate-based webhook signature, the
// algorithm of PayPal's SDKs (WebhookEvent.validateReceivedEvent in the
// Java and .NET SDKs): the signed string is
//
//	<transmission id>|<transmission time>|<webhook id>|<CRC32 of the raw body, unsigned decimal>
//
// and PAYPAL-TRANSMISSION-SIG is its base64 SHA256withRSA signature by
// the certificate at PAYPAL-CERT-URL, which must be one of PayPal's (see
// certSource). The transmission time must be within Tolerance.
type Verifier struct {
	certs *certSource
}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (v Verifier) Verify(r *connectors.Request, credential connectors.Values, now time.Time) error {
	webhookID := credential.String(CredentialWebhookID)
	if webhookID == "" {
		return signature.MissingSecret(CredentialWebhookID)
	}
	get := func(name string) string { return strings.TrimSpace(r.Header.Get(name)) }
	sig := get(HeaderTransmissionSig)
	if sig == "" {
		return signature.MissingHeader(HeaderTransmissionSig)
	}
	values := map[string]string{}
	for _, h := range []string{HeaderTransmissionID, HeaderTransmissionTime, HeaderCertURL, HeaderAuthAlgo} {
		if values[h] = get(h); values[h] == "" {
			return signature.MissingHeader(h)
		}
	}
	if !strings.EqualFold(values[HeaderAuthAlgo], AuthAlgo) {
		return signature.MalformedHeader(HeaderAuthAlgo)
	}
	ts := values[HeaderTransmissionTime]
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return signature.MalformedHeader(HeaderTransmissionTime)
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return signature.MalformedHeader(HeaderTransmissionSig)
	}
	// The clock is checked before the certificate is fetched, so a
	// replayed delivery costs no download.
	if err := signature.CheckTimestamp(at, now, Tolerance); err != nil {
		return err
	}
	certs := v.certs
	if certs == nil {
		certs = defaultCertSource
	}
	leaf, err := certs.leaf(context.Background(), values[HeaderCertURL], now)
	if err != nil {
		return connectors.Reject(err.Error())
	}
	pub, ok := leaf.PublicKey.(*rsa.PublicKey)
	if !ok {
		return connectors.Reject("certificate does not hold an RSA key")
	}
	sum := sha256.Sum256([]byte(SignedString(values[HeaderTransmissionID], ts, webhookID, r.Body)))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], raw) != nil {
		return signature.BadSignature()
	}
	return nil
}

// SignedString is the text PayPal signs for a delivery of body.
func SignedString(transmissionID, transmissionTime, webhookID string, body []byte) string {
	return transmissionID + "|" + transmissionTime + "|" + webhookID + "|" + strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)
}
