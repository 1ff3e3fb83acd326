package signature

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tidwall/gjson"
)

// The helpers below are shared by the providers' Extractors, which live
// next to their Verifiers and run right after them on the same raw bytes.

// CheckJSON returns nil when body is one valid JSON value, and otherwise an
// error that says what is wrong and at which byte, so the pipeline can
// answer 400 with a message the sender can act on. The fast path is gjson's
// validator; the slow path, taken only for bad input, asks encoding/json
// for the position.
func CheckJSON(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("malformed JSON body: the body is empty")
	}
	if gjson.ValidBytes(body) {
		return nil
	}
	var v json.RawMessage
	err := json.Unmarshal(body, &v)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("malformed JSON body: %s (at byte %d)", syn.Error(), syn.Offset)
	case err != nil:
		return fmt.Errorf("malformed JSON body: %w", err)
	}
	return errors.New("malformed JSON body")
}

// ContentHash is the hex SHA-256 of body: the event id of last resort for
// senders that give none, so an identical retry still dedupes.
func ContentHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// IDString renders a gjson value used as an event id: strings as they are,
// integers exactly as written (never through float64, which would round
// ids above 2^53), and "" for a missing value, null, object or array.
func IDString(r gjson.Result) string {
	switch r.Type {
	case gjson.String:
		return r.Str
	case gjson.Number:
		return r.Raw
	}
	return ""
}

// Kind names the JSON kind of r for error messages: "object", "array",
// "string", "number", "boolean" or "null".
func Kind(r gjson.Result) string {
	switch r.Type {
	case gjson.String:
		return "string"
	case gjson.Number:
		return "number"
	case gjson.True, gjson.False:
		return "boolean"
	case gjson.Null:
		return "null"
	}
	if r.IsArray() {
		return "array"
	}
	return "object"
}
