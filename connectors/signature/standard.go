package signature

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// The Standard Webhooks headers (https://www.standardwebhooks.com). Svix,
// Resend, Clerk and others send them; hookflow's outgoing webhook connector
// signs with them too.
const (
	HeaderWebhookID        = "Webhook-Id"
	HeaderWebhookTimestamp = "Webhook-Timestamp"
	HeaderWebhookSignature = "Webhook-Signature"
)

// StandardSecretPrefix marks a Standard Webhooks secret; what follows it is
// the base64 of the key bytes.
const StandardSecretPrefix = "whsec_"

// StandardTolerance is the timestamp tolerance the specification recommends.
const StandardTolerance = 5 * time.Minute

// DecodeStandardSecret returns the key bytes of a Standard Webhooks secret,
// "whsec_" followed by base64. A secret without the prefix is read as bare
// base64, since some dashboards show it that way.
func DecodeStandardSecret(secret string) ([]byte, error) {
	s := strings.TrimPrefix(strings.TrimSpace(secret), StandardSecretPrefix)
	if s == "" {
		return nil, fmt.Errorf("decoding webhook secret: it is empty")
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("decoding webhook secret: it should be whsec_ followed by base64: %w", err)
	}
	return key, nil
}

// SignStandard returns the webhook-signature header value for a message:
// "v1," followed by the base64 HMAC-SHA256 of "id.timestamp.body" under
// the decoded secret.
func SignStandard(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := DecodeStandardSecret(secret)
	if err != nil {
		return "", err
	}
	mac, err := MAC(SHA256, key, []byte(id), []byte{'.'}, []byte(strconv.FormatInt(ts.Unix(), 10)), []byte{'.'}, body)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac), nil
}

// VerifyStandard checks a Standard Webhooks delivery. The signature header
// may hold several space-separated "version,signature" entries (senders
// include one per active secret while rotating); any v1 entry that matches
// is enough, and entries of other versions (v1a, asymmetric) are skipped.
// tolerance <= 0 means StandardTolerance.
func VerifyStandard(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if strings.TrimSpace(secret) == "" {
		return MissingSecret("secret")
	}
	key, err := DecodeStandardSecret(secret)
	if err != nil {
		// The stored credential is broken, not the request; say so without
		// echoing it.
		return connectors.Reject("credential secret is not a whsec_ base64 secret")
	}
	id := h.Get(HeaderWebhookID)
	if id == "" {
		return MissingHeader(HeaderWebhookID)
	}
	tsRaw := h.Get(HeaderWebhookTimestamp)
	if tsRaw == "" {
		return MissingHeader(HeaderWebhookTimestamp)
	}
	ts, ok := ParseUnix(tsRaw, time.Second)
	if !ok {
		return MalformedHeader(HeaderWebhookTimestamp)
	}
	sigs := h.Get(HeaderWebhookSignature)
	if sigs == "" {
		return MissingHeader(HeaderWebhookSignature)
	}
	if tolerance <= 0 {
		tolerance = StandardTolerance
	}
	// The specification checks the timestamp before the signature.
	if err := CheckTimestamp(ts, now, tolerance); err != nil {
		return err
	}
	want, err := MAC(SHA256, key, []byte(id), []byte{'.'}, []byte(strings.TrimSpace(tsRaw)), []byte{'.'}, body)
	if err != nil {
		return connectors.Reject(err.Error())
	}
	sawV1 := false
	for _, entry := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		sawV1 = true
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	if !sawV1 {
		return MalformedHeader(HeaderWebhookSignature)
	}
	return BadSignature()
}
