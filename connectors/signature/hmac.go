package signature

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// Algorithm names the hash function under an HMAC.
type Algorithm string

// The supported HMAC hash functions. SHA-1 is here only because providers
// (Twilio, older GitHub-style senders) still sign with it.
const (
	SHA1   Algorithm = "sha1"
	SHA256 Algorithm = "sha256"
	SHA512 Algorithm = "sha512"
)

// Encoding names how a signature is written as text in a header.
type Encoding string

// The supported signature encodings.
const (
	Hex    Encoding = "hex"
	Base64 Encoding = "base64"
)

// hashFunc returns the constructor for alg.
func (alg Algorithm) hashFunc() (func() hash.Hash, error) {
	switch Algorithm(strings.ToLower(string(alg))) {
	case SHA1:
		return sha1.New, nil
	case SHA256, "":
		return sha256.New, nil
	case SHA512:
		return sha512.New, nil
	}
	return nil, fmt.Errorf("unknown HMAC algorithm %q (want sha1, sha256 or sha512)", string(alg))
}

// MAC returns HMAC-alg(key, parts...) where parts are hashed in order as if
// concatenated. Passing the pieces separately lets callers sign
// "timestamp.body" without copying the body.
func MAC(alg Algorithm, key []byte, parts ...[]byte) ([]byte, error) {
	newHash, err := alg.hashFunc()
	if err != nil {
		return nil, err
	}
	m := hmac.New(newHash, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil), nil
}

// Encode writes sum as text in the given encoding.
func Encode(enc Encoding, sum []byte) (string, error) {
	switch Encoding(strings.ToLower(string(enc))) {
	case Hex, "":
		return hex.EncodeToString(sum), nil
	case Base64:
		return base64.StdEncoding.EncodeToString(sum), nil
	}
	return "", fmt.Errorf("unknown signature encoding %q (want hex or base64)", string(enc))
}

// Decode reads a signature written in the given encoding. Hex is accepted
// in either case; base64 in the standard or URL alphabet, padded or not,
// because senders differ and the bytes are what is compared.
func Decode(enc Encoding, sig string) ([]byte, error) {
	sig = strings.TrimSpace(sig)
	switch Encoding(strings.ToLower(string(enc))) {
	case Hex, "":
		return hex.DecodeString(sig)
	case Base64:
		return decodeBase64(sig)
	}
	return nil, fmt.Errorf("unknown signature encoding %q (want hex or base64)", string(enc))
}

func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	if b, err := base64.URLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// Valid reports whether sig, written in enc, is HMAC-alg(key, parts...).
// The comparison is constant time; a signature that does not decode is
// simply invalid.
func Valid(alg Algorithm, enc Encoding, key []byte, sig string, parts ...[]byte) bool {
	got, err := Decode(enc, sig)
	if err != nil || len(got) == 0 {
		return false
	}
	want, err := MAC(alg, key, parts...)
	if err != nil {
		return false
	}
	return hmac.Equal(got, want)
}

// Equal compares two secrets or tokens in constant time (with respect to
// their contents; the length of the expected value may leak, which reveals
// nothing an attacker can use to forge it).
func Equal(a, b string) bool {
	return hmac.Equal([]byte(a), []byte(b))
}
