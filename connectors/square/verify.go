package square

import (
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Credential fields the trigger reads.
const (
	// CredentialSignatureKey holds the subscription's signature key.
	CredentialSignatureKey = "signature_key"
	// CredentialNotificationURL holds the notification URL exactly as
	// registered in Square, which is part of the signed bytes.
	CredentialNotificationURL = "notification_url"
)

// HeaderSignature carries base64 HMAC-SHA256(signature key, notification
// URL + raw body). Square also sends the older x-square-signature
// (HMAC-SHA1), which is not checked: SHA-256 is the one Square documents
// for new code.
const HeaderSignature = "X-Square-Hmacsha256-Signature"

// Verifier checks Square's signature. The notification URL is part of the
// signed bytes, and it must be the URL exactly as registered in Square:
// behind a proxy or with a different scheme or port, the URL hookflow
// sees differs by a character and every delivery would fail. The
// credential's notification_url therefore wins; without it, the public
// URL of the request (from hookflow's configured public base URL) is
// used. Square signs no timestamp, so replays are caught by dedupe on
// event_id.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, _ time.Time) error {
	key := credential.String(CredentialSignatureKey)
	if key == "" {
		return signature.MissingSecret(CredentialSignatureKey)
	}
	sig := strings.TrimSpace(r.Header.Get(HeaderSignature))
	if sig == "" {
		return signature.MissingHeader(HeaderSignature)
	}
	if _, err := signature.Decode(signature.Base64, sig); err != nil {
		return signature.MalformedHeader(HeaderSignature)
	}
	// The URL is used as the text Square signed, never re-serialized:
	// url.URL.String could escape it differently.
	notificationURL := credential.String(CredentialNotificationURL)
	if notificationURL == "" && r.URL != nil {
		notificationURL = r.URL.String()
	}
	if !signature.Valid(signature.SHA256, signature.Base64, []byte(key), sig, []byte(notificationURL), r.Body) {
		return signature.BadSignature()
	}
	return nil
}
