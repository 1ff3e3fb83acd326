package woocommerce

import (
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialSecret is the credential field holding the webhook's secret
// (WooCommerce → Settings → Advanced → Webhooks → the webhook → Secret).
const CredentialSecret = "secret"

// The headers WooCommerce sends with every delivery (WC_Webhook::deliver).
const (
	HeaderSignature  = "X-WC-Webhook-Signature"
	HeaderTopic      = "X-WC-Webhook-Topic"
	HeaderResource   = "X-WC-Webhook-Resource"
	HeaderEvent      = "X-WC-Webhook-Event"
	HeaderSource     = "X-WC-Webhook-Source"
	HeaderWebhookID  = "X-WC-Webhook-ID"
	HeaderDeliveryID = "X-WC-Webhook-Delivery-ID"
)

// verifier checks X-WC-Webhook-Signature: base64 HMAC-SHA256 of the raw
// body keyed by the webhook's secret, as WC_Webhook::generate_signature
// computes it. WooCommerce signs no timestamp, so replays are caught by
// dedupe on the delivery id, not by the clock.
var verifier = signature.Keyed{Field: CredentialSecret,
	Scheme: signature.HMAC{Header: HeaderSignature, Algorithm: signature.SHA256, Encoding: signature.Base64}}
