package shopify

import (
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

// verifier checks X-Shopify-Hmac-Sha256, Shopify's signature: base64
// HMAC-SHA256 of the raw body under the client secret. It carries no
// timestamp, so replays are caught by dedupe, not by the clock.
var verifier = signature.Keyed{Field: CredentialClientSecret,
	Scheme: signature.HMAC{Header: HeaderHmac, Algorithm: signature.SHA256, Encoding: signature.Base64}}
