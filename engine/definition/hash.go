package definition

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
)

// Hash returns "sha256:<hex>" of the definition's canonical JSON: the Go
// types' field order, object keys sorted (encoding/json sorts map keys),
// no insignificant whitespace. Two definitions that differ only in
// formatting or key order hash the same, so a run can be pinned to the
// exact version it started with.
func Hash(def *Definition) string {
	b, err := Canonical(def)
	if err != nil {
		// Only values Parse cannot produce (NaN, channels) fail to encode.
		return ""
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Canonical returns the canonical JSON of def (see Hash).
func Canonical(def *Definition) ([]byte, error) { return json.Marshal(def) }

//go:embed schema.json
var schema []byte

// SchemaJSON returns the definition's JSON Schema (draft 2020-12), as
// published at GET /api/v1/schema/workflow.json. Callers must not modify
// the returned slice.
func SchemaJSON() []byte { return schema }
