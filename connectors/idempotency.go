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
