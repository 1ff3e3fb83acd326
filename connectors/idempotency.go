package connectors

import (
	"crypto/sha256"
	"encoding/hex"
)

// IdempotencyKey derives a key that is the same for every attempt of one
// step of one run, and different for any other step or run. It is 32 hex
// characters (128 bits of SHA-256), short enough for every provider's limit
// (Stripe allows 255). Steps inside a foreach body should pass a step id
// that includes the iteration index.
func IdempotencyKey(runID, stepID string) string {
	h := sha256.New()
	h.Write([]byte("hookflow-idempotency\x00"))
	h.Write([]byte(runID))
	h.Write([]byte{0})
	h.Write([]byte(stepID))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// IdempotencyMarker is an invisible line (an HTML comment, which the
// Markdown of GitHub, GitLab and most issue trackers does not render) that
// ties a created object to the step attempt that created it. APIs without
// idempotency keys get one this way: the action writes the marker into the
// object's text with WithIdempotencyMarker and, before creating, looks
// for it among the recent objects, so a retry after a lost response finds
// the first attempt's object instead of creating a second.
func IdempotencyMarker(key string) string { return "<!-- hookflow-idempotency-key: " + key + " -->" }

// WithIdempotencyMarker returns text with IdempotencyMarker(key) on a line
// of its own at the end (the marker alone when text is empty).
func WithIdempotencyMarker(text, key string) string {
	if text == "" {
		return IdempotencyMarker(key)
	}
	return text + "\n\n" + IdempotencyMarker(key)
}
