// Package secrets encrypts credential values at rest with AES-256-GCM.
//
// A record is self-describing text, "hfsec1:<key id>:<base64 nonce+sealed>",
// so the store can keep it in a TEXT column on SQLite and PostgreSQL alike
// and so rotation works: the key id names which key of the keyring sealed
// it. A Keyring has one current key, which encrypts, and any number of old
// keys, which still decrypt; NeedsRotation and Rotate re-encrypt old
// records under the current key. Key ids are a fingerprint of the key, so
// the operator configures only the keys themselves.
//
// Keys come from HOOKFLOW_SECRET_KEY ("current,old,…", each the base64 of
// 32 bytes), or for `hookflow dev` from a key file generated in the data
// folder (LoadOrCreateKeyFile).
package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvVar is the environment variable keys are read from.
const EnvVar = "HOOKFLOW_SECRET_KEY"

// KeySize is the AES-256 key length in bytes.
const KeySize = 32

// KeyFileName is the key file LoadOrCreateKeyFile keeps in the data folder.
const KeyFileName = "secret.key"

const prefix = "hfsec1:"

// Key is one AES-256 key and its id.
type Key struct {
	// ID is the first 8 hex digits of the key's SHA-256; it is stored in
	// each record and reveals nothing usable about the key.
	ID    string
	bytes [KeySize]byte
}

// NewKey wraps 32 key bytes.
func NewKey(b []byte) (Key, error) {
	if len(b) != KeySize {
		return Key{}, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(b))
	}
	var k Key
	copy(k.bytes[:], b)
	sum := sha256.Sum256(b)
	k.ID = hex.EncodeToString(sum[:4])
	return k, nil
}

// GenerateKey returns a new random key.
func GenerateKey() (Key, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return Key{}, fmt.Errorf("generating secret key: %w", err)
	}
	return NewKey(b)
}

// Encode returns the key as base64, the form HOOKFLOW_SECRET_KEY takes.
func (k Key) Encode() string { return base64.StdEncoding.EncodeToString(k.bytes[:]) }

// ParseKey decodes one base64 key (standard or URL alphabet, padded or not).
// The error never contains the input.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return Key{}, fmt.Errorf("secret key must decode to %d bytes, got %d (generate one with: openssl rand -base64 32)", KeySize, len(b))
			}
			return NewKey(b)
		}
	}
	return Key{}, errors.New("secret key is not valid base64 (generate one with: openssl rand -base64 32)")
}

// ParseKeys parses a comma-separated key list, current key first, as
// HOOKFLOW_SECRET_KEY holds it.
func ParseKeys(list string) (*Keyring, error) {
	var keys []Key
	for i, part := range strings.Split(list, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, err := ParseKey(part)
		if err != nil {
			return nil, fmt.Errorf("parsing %s entry %d: %w", EnvVar, i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("parsing %s: no key given", EnvVar)
	}
	return NewKeyring(keys[0], keys[1:]...), nil
}

// LoadOrCreateKeyFile reads dataDir/secret.key, creating it with a new
// random key (mode 0600) when it does not exist. It is for `hookflow dev`;
// production sets HOOKFLOW_SECRET_KEY.
func LoadOrCreateKeyFile(dataDir string) (*Keyring, error) {
	path := filepath.Join(dataDir, KeyFileName)
	data, err := os.ReadFile(path)
	if err == nil {
		kr, err := ParseKeys(string(bytes.TrimSpace(data)))
		if err != nil {
			return nil, fmt.Errorf("reading key file %s: %w", path, err)
		}
		return kr, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading key file: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data folder: %w", err)
	}
	k, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	// O_EXCL: if another process created the file meanwhile, use theirs.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKeyFile(dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("creating key file: %w", err)
	}
	if _, err := f.WriteString(k.Encode() + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("writing key file: %w", err)
	}
	return NewKeyring(k), nil
}

// Keyring encrypts with its current key and decrypts with any of its keys.
// It is safe for concurrent use.
type Keyring struct {
	current Key
	aeads   map[string]cipher.AEAD
	// macs are MAC keys derived from each key, current first (see MAC).
	macs [][]byte
}

// NewKeyring builds a keyring; old keys only decrypt.
func NewKeyring(current Key, old ...Key) *Keyring {
	kr := &Keyring{current: current, aeads: map[string]cipher.AEAD{}}
	for _, k := range append([]Key{current}, old...) {
		if _, ok := kr.aeads[k.ID]; ok {
			continue
		}
		block, err := aes.NewCipher(k.bytes[:])
		if err != nil {
			panic(err) // unreachable: the key is always 32 bytes
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			panic(err) // unreachable: AES always supports GCM
		}
		kr.aeads[k.ID] = gcm
		// A separate key for MACs, so a MAC never uses the encryption
		// key itself.
		m := hmac.New(sha256.New, k.bytes[:])
		m.Write([]byte("hookflow mac key"))
		kr.macs = append(kr.macs, m.Sum(nil))
	}
	return kr
}

// MAC signs msg for one purpose (such as "approval-link") with a key
// derived from the current key: tokens of one purpose never verify for
// another. The result is 32 bytes.
func (kr *Keyring) MAC(purpose string, msg []byte) []byte {
	return macWith(kr.macs[0], purpose, msg)
}

// VerifyMAC reports, in constant time, whether mac is MAC(purpose, msg)
// under the current key or an old one (so tokens signed before a key
// rotation stay valid until they expire).
func (kr *Keyring) VerifyMAC(purpose string, msg, mac []byte) bool {
	ok := false
	for _, k := range kr.macs {
		if hmac.Equal(macWith(k, purpose, msg), mac) {
			ok = true
		}
	}
	return ok
}

func macWith(key []byte, purpose string, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(msg)
	return m.Sum(nil)
}

// CurrentKeyID is the id of the key that encrypts.
func (kr *Keyring) CurrentKeyID() string { return kr.current.ID }

// Encrypt seals plaintext under the current key with a fresh random nonce.
// The key id is authenticated too, so a record cannot be relabelled.
func (kr *Keyring) Encrypt(plaintext []byte) ([]byte, error) {
	gcm := kr.aeads[kr.current.ID]
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("encrypting credential: reading nonce: %w", err)
	}
	head := prefix + kr.current.ID + ":"
	sealed := gcm.Seal(nonce, nonce, plaintext, []byte(head))
	out := make([]byte, 0, len(head)+base64.StdEncoding.EncodedLen(len(sealed)))
	out = append(out, head...)
	return base64.StdEncoding.AppendEncode(out, sealed), nil
}

// ErrNotEncrypted says a value is not a record this package wrote.
var ErrNotEncrypted = errors.New("decrypting credential: value is not an encrypted hookflow record")

func split(record []byte) (keyID string, sealed []byte, err error) {
	rest, ok := bytes.CutPrefix(record, []byte(prefix))
	if !ok {
		return "", nil, ErrNotEncrypted
	}
	id, body, ok := bytes.Cut(rest, []byte(":"))
	if !ok {
		return "", nil, ErrNotEncrypted
	}
	sealed, err = base64.StdEncoding.AppendDecode(nil, body)
	if err != nil {
		return "", nil, fmt.Errorf("decrypting credential: record is corrupt: %w", err)
	}
	return string(id), sealed, nil
}

// Decrypt opens a record sealed under any key of the keyring. A record
// sealed under a key the keyring lacks, or one that fails authentication
// (wrong key, tampering), gives a clear error, never garbage.
func (kr *Keyring) Decrypt(record []byte) ([]byte, error) {
	id, sealed, err := split(record)
	if err != nil {
		return nil, err
	}
	gcm, ok := kr.aeads[id]
	if !ok {
		return nil, fmt.Errorf("decrypting credential: record was encrypted with key %s, which is not in %s (current key is %s; list old keys after the current one, comma-separated)", id, EnvVar, kr.current.ID)
	}
	if len(sealed) < gcm.NonceSize()+gcm.Overhead() {
		return nil, errors.New("decrypting credential: record is truncated")
	}
	nonce, box := sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():]
	plain, err := gcm.Open(nil, nonce, box, []byte(prefix+id+":"))
	if err != nil {
		return nil, fmt.Errorf("decrypting credential: key %s cannot open this record (wrong %s, or the record was altered)", id, EnvVar)
	}
	return plain, nil
}

// NeedsRotation reports whether a record was sealed under a key other than
// the current one. Unreadable records report false: Decrypt explains them.
func (kr *Keyring) NeedsRotation(record []byte) bool {
	id, _, err := split(record)
	return err == nil && id != kr.current.ID
}

// Rotate re-encrypts a record under the current key when it needs it, and
// reports whether it did. Callers store the new record in place of the old.
func (kr *Keyring) Rotate(record []byte) ([]byte, bool, error) {
	if !kr.NeedsRotation(record) {
		return record, false, nil
	}
	plain, err := kr.Decrypt(record)
	if err != nil {
		return nil, false, err
	}
	out, err := kr.Encrypt(plain)
	clear(plain)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// publicPrefixes are vendor prefixes that say what kind of secret a value
// is and are printed in the vendors' own documentation, so showing them
// gives nothing away. Longer prefixes come first, so "sk_live_" wins over
// a shorter match.
var publicPrefixes = []string{
	"github_pat_",
	"sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", // Stripe
	"pat-na1-", "pat-eu1-", // HubSpot private apps
	"shpat_", "shpca_", "shppa_", "shpss_", "shpua_", // Shopify
	"whsec_",                                    // Stripe and Standard Webhooks signing secrets
	"xoxb-", "xoxp-", "xoxa-", "xoxe-", "xapp-", // Slack
	"ghp_", "gho_", "ghs_", // GitHub
}

// MaskMinLength is how many characters must follow the prefix before Mask
// shows the last four: with fewer, four would be a third or more of the
// secret.
const MaskMinLength = 12

// Mask returns a display hint for a secret: at most a known public vendor
// prefix (publicPrefixes, such as "sk_live_" or "xoxb-") and, when at least
// MaskMinLength characters follow it, an ellipsis and the last four, like
// "sk_live_…1234". Nothing else is shown: no other prefix, however
// harmless it looks, since "ACME_PROD_" may be part of the secret. Shorter
// secrets show only the prefix and "…".
func Mask(secret string) string {
	prefix := ""
	for _, p := range publicPrefixes {
		if strings.HasPrefix(secret, p) && len(p) > len(prefix) {
			prefix = p
		}
	}
	rest := []rune(secret[len(prefix):])
	if len(rest) < MaskMinLength {
		return prefix + "…"
	}
	return prefix + "…" + string(rest[len(rest)-4:])
}
