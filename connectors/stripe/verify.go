package stripe

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialWebhookSecret is the credential field holding the endpoint's
// signing secret (whsec_…), from the Stripe Dashboard's webhook page.
const CredentialWebhookSecret = "webhook_secret"

// HeaderSignature carries Stripe's signature: "t=<unix>,v1=<hex>[,v1=…]".
const HeaderSignature = "Stripe-Signature"

// DefaultTolerance is the timestamp tolerance Stripe's own libraries use.
const DefaultTolerance = 300 * time.Second

// Verifier checks Stripe-Signature: HMAC-SHA256 under the signing secret of
// "<t>.<raw body>", hex, in any v1 entry. While a secret is being rolled
// Stripe sends one v1 per active secret, so a match with any of them is
// enough. Other schemes (v0, the test-mode legacy scheme) are ignored.
type Verifier struct {
	// Tolerance overrides DefaultTolerance when positive.
	Tolerance time.Duration
}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (v Verifier) Verify(r *connectors.Request, credential connectors.Values, now time.Time) error {
	secret := credential.String(CredentialWebhookSecret)
	if secret == "" {
		return signature.MissingSecret(CredentialWebhookSecret)
	}
	header := r.Header.Get(HeaderSignature)
	if header == "" {
		return signature.MissingHeader(HeaderSignature)
	}
	ts, sigs := parseHeader(header)
	at, ok := signature.ParseUnix(ts, time.Second)
	if !ok || len(sigs) == 0 {
		return signature.MalformedHeader(HeaderSignature)
	}
	want, err := signature.MAC(signature.SHA256, []byte(secret), []byte(ts), []byte{'.'}, r.Body)
	if err != nil {
		return connectors.Reject(err.Error())
	}
	matched := false
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		// Every entry is compared, so the time taken does not reveal which
		// one matched.
		if err == nil && signature.Equal(string(got), string(want)) {
			matched = true
		}
	}
	if !matched {
		return signature.BadSignature()
	}
	tolerance := v.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	return signature.CheckTimestamp(at, now, tolerance)
}

// parseHeader splits "t=…,v1=…,v1=…,v0=…" into the timestamp and the v1
// signatures. A repeated t keeps the first, as Stripe's libraries do.
func parseHeader(h string) (ts string, v1 []string) {
	for _, item := range strings.Split(h, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			if ts == "" {
				ts = val
			}
		case "v1":
			v1 = append(v1, val)
		}
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		ts = ""
	}
	return ts, v1
}
