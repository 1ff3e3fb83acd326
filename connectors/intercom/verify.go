package intercom

import (
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialClientSecret is the app's client secret (Developer Hub → your
// app → Basic information), which signs every notification.
const CredentialClientSecret = "client_secret"

// HeaderSignature carries "sha1=" + hex HMAC-SHA1 of the raw body under
// the client secret.
const HeaderSignature = "X-Hub-Signature"

// verifier checks X-Hub-Signature. Intercom signs no timestamp; a replayed
// notification is caught by dedupe on its id.
var verifier = signature.Keyed{Field: CredentialClientSecret,
	Scheme: signature.HMAC{Header: HeaderSignature, Algorithm: signature.SHA1, Prefix: "sha1="}}
