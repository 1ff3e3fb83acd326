package shopify

import (
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialClientSecret is the credential field holding the app's client
// secret (or, for webhooks created in the store admin, the signing key shown
// under Settings → Notifications → Webhooks).
const CredentialClientSecret = "client_secret"

// The headers Shopify sends with every webhook.
const (
	HeaderHmac      = "X-Shopify-Hmac-Sha256"
	HeaderTopic     = "X-Shopify-Topic"
	HeaderEventID   = "X-Shopify-Event-Id"
	HeaderWebhookID = "X-Shopify-Webhook-Id"
	HeaderShop      = "X-Shopify-Shop-Domain"
)

// scheme is Shopify's signature: base64 HMAC-SHA256 of the raw body. It
// carries no timestamp, so replays are caught by dedupe, not by the clock.
var scheme = signature.HMAC{Header: HeaderHmac, Algorithm: signature.SHA256, Encoding: signature.Base64}

// Verifier checks X-Shopify-Hmac-Sha256.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, now time.Time) error {
	secret := credential.String(CredentialClientSecret)
	if secret == "" {
		return signature.MissingSecret(CredentialClientSecret)
	}
	return scheme.Verify(r, []byte(secret), now)
}
