package signature

import (
	"fmt"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// HMAC is a configurable HMAC verifier: the shape most providers use, where
// one header carries an HMAC of the body (and sometimes of a timestamp too).
// The zero value of each optional field means "not used".
type HMAC struct {
	// Header carries the signature, e.g. "X-Shopify-Hmac-Sha256".
	Header    string
	Algorithm Algorithm // default SHA256
	Encoding  Encoding  // default Hex
	// Prefix is stripped from the header value before decoding, such as
	// "sha256=" or "v0=". It is matched case-insensitively; a value without
	// it is rejected as malformed.
	Prefix string
	// TimestampHeader, when set, carries the time the sender signed at. It
	// must be present, within Tolerance of the clock, and is usually part
	// of the signed payload (see Payload).
	TimestampHeader string
	// TimestampUnit is the unit of TimestampHeader: time.Second (default)
	// or time.Millisecond.
	TimestampUnit time.Duration
	// Tolerance defaults to DefaultTolerance.
	Tolerance time.Duration
	// Payload is the template of the signed bytes. It may use {body},
	// {timestamp} (the raw header value), {method} and {url}. Default
	// "{body}". Slack, for example, is "v0:{timestamp}:{body}".
	Payload string
}

// Verify checks r against secret at time now. It returns nil or a
// *connectors.VerifyError from connectors.Reject.
func (h HMAC) Verify(r *connectors.Request, secret []byte, now time.Time) error {
	if len(secret) == 0 {
		return connectors.Reject(ReasonMissingSecret + " secret")
	}
	// A misconfigured scheme is reported as such, not as a bad signature,
	// so the event log points at the setting to fix.
	if _, err := h.Algorithm.hashFunc(); err != nil {
		return connectors.Reject(err.Error())
	}
	if _, err := Encode(h.Encoding, nil); err != nil {
		return connectors.Reject(err.Error())
	}
	raw := strings.TrimSpace(r.Header.Get(h.Header))
	if raw == "" {
		return MissingHeader(h.Header)
	}
	if h.Prefix != "" {
		if len(raw) < len(h.Prefix) || !strings.EqualFold(raw[:len(h.Prefix)], h.Prefix) {
			return MalformedHeader(h.Header)
		}
		raw = raw[len(h.Prefix):]
	}
	var ts string
	if h.TimestampHeader != "" {
		ts = strings.TrimSpace(r.Header.Get(h.TimestampHeader))
		if ts == "" {
			return MissingHeader(h.TimestampHeader)
		}
		if _, ok := ParseUnix(ts, h.TimestampUnit); !ok {
			return MalformedHeader(h.TimestampHeader)
		}
	}
	parts, err := h.parts(r, ts)
	if err != nil {
		return connectors.Reject(err.Error())
	}
	if _, err := Decode(h.Encoding, raw); err != nil {
		return MalformedHeader(h.Header)
	}
	if !Valid(h.Algorithm, h.Encoding, secret, raw, parts...) {
		return BadSignature()
	}
	if h.TimestampHeader != "" {
		at, _ := ParseUnix(ts, h.TimestampUnit)
		return CheckTimestamp(at, now, h.Tolerance)
	}
	return nil
}

// parts expands the Payload template into the byte slices to hash, without
// copying the body.
func (h HMAC) parts(r *connectors.Request, ts string) ([][]byte, error) {
	tmpl := h.Payload
	if tmpl == "" {
		return [][]byte{r.Body}, nil
	}
	var parts [][]byte
	for tmpl != "" {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			parts = append(parts, []byte(tmpl))
			break
		}
		if open > 0 {
			parts = append(parts, []byte(tmpl[:open]))
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("signed payload template %q has an unclosed {", h.Payload)
		}
		switch name := tmpl[open+1 : open+end]; name {
		case "body":
			parts = append(parts, r.Body)
		case "timestamp":
			parts = append(parts, []byte(ts))
		case "method":
			parts = append(parts, []byte(r.Method))
		case "url":
			if r.URL != nil {
				parts = append(parts, []byte(r.URL.String()))
			}
		default:
			return nil, fmt.Errorf("signed payload template %q uses unknown placeholder {%s}", h.Payload, name)
		}
		tmpl = tmpl[open+end+1:]
	}
	return parts, nil
}
