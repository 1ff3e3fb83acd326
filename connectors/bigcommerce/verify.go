package bigcommerce

import (
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialSecret is the credential field holding the random secret the
// user puts in the webhook's custom headers.
const CredentialSecret = "webhook_secret"

// HeaderSecret is the custom header the secret travels in. BigCommerce
// lets a webhook carry any headers; this name is hookflow's, set by the
// user when creating the webhook (see the trigger's Setup).
const HeaderSecret = "X-Hookflow-Secret"

// verifier authenticates a delivery by the secret custom header. It is
// the strongest option BigCommerce offers: the body is not signed, so
// it proves who sent the delivery (anyone who knows the secret) but not
// that the body is unchanged in transit, which TLS covers. Replays are
// caught by dedupe on the payload hash.
var verifier = signature.Keyed{Field: CredentialSecret, Scheme: signature.Token{Header: HeaderSecret}}
