package hubspot

import (
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialClientSecret is the credential field holding the HubSpot app's
// client secret, which signs its webhooks.
const CredentialClientSecret = "client_secret"

// The headers of HubSpot's v3 request signature.
const (
	HeaderSignatureV3 = "X-HubSpot-Signature-v3"
	HeaderTimestamp   = "X-HubSpot-Request-Timestamp"
)

// DefaultTolerance is the window HubSpot documents for v3 timestamps.
const DefaultTolerance = 5 * time.Minute

// Verifier checks HubSpot's v3 signature: base64 HMAC-SHA256 under the
// client secret of method + URI + body + timestamp, where the timestamp is
// X-HubSpot-Request-Timestamp in milliseconds. v3 is used, not v1/v2,
// because only v3 signs the timestamp and so resists replays. The URI is
// the public URL HubSpot called (connectors.Request.URL, built from the
// configured public base URL), with the characters HubSpot decodes before
// signing decoded the same way.
type Verifier struct {
	// Tolerance overrides DefaultTolerance when positive.
	Tolerance time.Duration
}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (v Verifier) Verify(r *connectors.Request, credential connectors.Values, now time.Time) error {
	secret := credential.String(CredentialClientSecret)
	if secret == "" {
		return signature.MissingSecret(CredentialClientSecret)
	}
	sig := r.Header.Get(HeaderSignatureV3)
	if sig == "" {
		return signature.MissingHeader(HeaderSignatureV3)
	}
	ts := strings.TrimSpace(r.Header.Get(HeaderTimestamp))
	if ts == "" {
		return signature.MissingHeader(HeaderTimestamp)
	}
	at, ok := signature.ParseUnix(ts, time.Millisecond)
	if !ok {
		return signature.MalformedHeader(HeaderTimestamp)
	}
	if _, err := signature.Decode(signature.Base64, sig); err != nil {
		return signature.MalformedHeader(HeaderSignatureV3)
	}
	uri := ""
	if r.URL != nil {
		uri = signedURI(r.URL.String())
	}
	if !signature.Valid(signature.SHA256, signature.Base64, []byte(secret), sig,
		[]byte(r.Method), []byte(uri), r.Body, []byte(ts)) {
		return signature.BadSignature()
	}
	tolerance := v.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	return signature.CheckTimestamp(at, now, tolerance)
}

// uriDecoder undoes the percent-encodings HubSpot's documentation lists as
// decoded before the URI is signed; all others stay encoded.
var uriDecoder = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";",
)

func signedURI(u string) string { return uriDecoder.Replace(u) }
