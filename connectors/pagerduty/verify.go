package pagerduty

import (
	"crypto/hmac"
	"encoding/hex"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialWebhookSecret is the credential field holding the signing
// secret PagerDuty shows once when a webhook subscription is created.
const CredentialWebhookSecret = "webhook_secret"

// The headers PagerDuty sends with every Webhooks v3 delivery.
const (
	HeaderSignature    = "X-PagerDuty-Signature"
	HeaderWebhookID    = "X-Webhook-Id"
	HeaderSubscription = "X-Webhook-Subscription"
)

// Scheme is PagerDuty's Webhooks v3 signature: X-PagerDuty-Signature holds
// one or more comma-separated "v1=<hex HMAC-SHA256 of the raw body>"
// values, several while a secret is being rotated; a delivery is
// authentic when any v1 value matches. PagerDuty signs no timestamp, so
// replays are caught by dedupe on event.id. This is the algorithm of
// PagerDuty's own verifier (go-pagerduty's webhookv3.VerifySignature).
type Scheme struct{}

var _ signature.Scheme = Scheme{}

// Check implements signature.Scheme.
func (Scheme) Check(r *connectors.Request, secret string, _ time.Time) error {
	raw := strings.TrimSpace(r.Header.Get(HeaderSignature))
	if raw == "" {
		return signature.MissingHeader(HeaderSignature)
	}
	want, err := signature.MAC(signature.SHA256, []byte(secret), r.Body)
	if err != nil {
		return connectors.Reject(err.Error())
	}
	sawV1 := false
	for _, entry := range strings.Split(raw, ",") {
		sig, ok := strings.CutPrefix(strings.TrimSpace(entry), "v1=")
		if !ok {
			continue // a future version PagerDuty may add beside v1
		}
		sawV1 = true
		got, err := hex.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	if !sawV1 {
		return signature.MalformedHeader(HeaderSignature)
	}
	return signature.BadSignature()
}

var verifier = signature.Keyed{Field: CredentialWebhookSecret, Scheme: Scheme{}}
