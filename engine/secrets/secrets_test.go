package secrets

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustKey(t *testing.T) Key {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestEncryptNeverStoresPlaintext(t *testing.T) {
	kr := NewKeyring(mustKey(t))
	plain := []byte(`{"secret_key":"sk_live_51HxyzVerySecret","account":"acct_1"}`)
	rec, err := kr.Encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, needle := range [][]byte{plain, []byte("sk_live_51HxyzVerySecret"), []byte("VerySecret"), []byte(base64.StdEncoding.EncodeToString(plain))} {
		if bytes.Contains(rec, needle) {
			t.Fatalf("record %q contains plaintext %q", rec, needle)
		}
	}
	rec2, err := kr.Encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(rec, rec2) {
		t.Fatal("two encryptions of the same value are identical: nonce reused")
	}
	got, err := kr.Decrypt(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("round trip = %q", got)
	}
	if !strings.HasPrefix(string(rec), "hfsec1:"+kr.CurrentKeyID()+":") {
		t.Fatalf("record %q lacks the key id prefix", rec)
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := mustKey(t), mustKey(t)
	before := NewKeyring(oldKey)
	rec, err := before.Encrypt([]byte("token-123"))
	if err != nil {
		t.Fatal(err)
	}
	after := NewKeyring(newKey, oldKey)
	if !after.NeedsRotation(rec) {
		t.Fatal("record under the old key should need rotation")
	}
	got, err := after.Decrypt(rec)
	if err != nil || string(got) != "token-123" {
		t.Fatalf("old key no longer decrypts: %q, %v", got, err)
	}
	rotated, changed, err := after.Rotate(rec)
	if err != nil || !changed {
		t.Fatalf("Rotate = %v, %v", changed, err)
	}
	if after.NeedsRotation(rotated) {
		t.Fatal("rotated record still needs rotation")
	}
	if _, err := NewKeyring(newKey).Decrypt(rotated); err != nil {
		t.Fatalf("rotated record needs the old key: %v", err)
	}
	same, changed, err := after.Rotate(rotated)
	if err != nil || changed || !bytes.Equal(same, rotated) {
		t.Fatalf("second Rotate changed the record: %v %v", changed, err)
	}
}

func TestDecryptErrors(t *testing.T) {
	k1, k2 := mustKey(t), mustKey(t)
	rec, err := NewKeyring(k1).Encrypt([]byte("hunter2-secret"))
	if err != nil {
		t.Fatal(err)
	}
	// The same key id but other key bytes: what a wrong HOOKFLOW_SECRET_KEY
	// looks like after a record's id has been relabelled.
	forged := bytes.Replace(rec, []byte(k1.ID), []byte(k2.ID), 1)
	// Flip one bit of the sealed bytes, not of their base64 text: a flipped
	// character can stop being base64 at all, which is another error.
	cut := bytes.LastIndexByte(rec, ':') + 1
	sealed, err := base64.StdEncoding.DecodeString(string(rec[cut:]))
	if err != nil {
		t.Fatal(err)
	}
	sealed[len(sealed)-1] ^= 1
	tampered := append(append([]byte(nil), rec[:cut]...), base64.StdEncoding.EncodeToString(sealed)...)
	tests := []struct {
		name   string
		kr     *Keyring
		record []byte
		want   string
	}{
		{name: "key not in keyring", kr: NewKeyring(k2), record: rec, want: "record was encrypted with key " + k1.ID + ", which is not in HOOKFLOW_SECRET_KEY"},
		{name: "wrong key bytes", kr: NewKeyring(k2), record: forged, want: "key " + k2.ID + " cannot open this record (wrong HOOKFLOW_SECRET_KEY"},
		{name: "tampered", kr: NewKeyring(k1), record: tampered, want: "cannot open this record"},
		{name: "plaintext value", kr: NewKeyring(k1), record: []byte(`{"token":"x"}`), want: "not an encrypted hookflow record"},
		{name: "truncated", kr: NewKeyring(k1), record: []byte("hfsec1:" + k1.ID + ":AAAA"), want: "truncated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.kr.Decrypt(tc.record)
			if err == nil {
				t.Fatalf("Decrypt returned %q, want error", got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatal("error leaks the plaintext")
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	k1, k2 := mustKey(t), mustKey(t)
	kr, err := ParseKeys(" " + k1.Encode() + " , " + k2.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if kr.CurrentKeyID() != k1.ID {
		t.Fatalf("current key = %s, want first entry %s", kr.CurrentKeyID(), k1.ID)
	}
	rec, _ := NewKeyring(k2).Encrypt([]byte("x"))
	if _, err := kr.Decrypt(rec); err != nil {
		t.Fatalf("second entry should decrypt: %v", err)
	}
	bad := []struct {
		name, in, want string
	}{
		{name: "empty", in: " ", want: "no key given"},
		{name: "short", in: base64.StdEncoding.EncodeToString([]byte("short")), want: "must decode to 32 bytes, got 5"},
		{name: "not base64", in: k1.Encode() + ",***", want: "entry 2: secret key is not valid base64"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKeys(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	kr1, err := LoadOrCreateKeyFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode = %o, want 600", perm)
	}
	rec, _ := kr1.Encrypt([]byte("survives restart"))
	kr2, err := LoadOrCreateKeyFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := kr2.Decrypt(rec)
	if err != nil || string(got) != "survives restart" {
		t.Fatalf("reloaded key cannot decrypt: %q %v", got, err)
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "underscore is not a prefix", in: "APIKEYVALUE_123456789", want: "…6789"},
		{name: "words before underscores stay hidden", in: "acme_prod_secret_value_9876", want: "…9876"},
		{name: "stripe live key", in: "sk_live_51H8xYzAbCdEf1234", want: "sk_live_…1234"},
		{name: "stripe short key shows no tail", in: "sk_live_abcd1234", want: "sk_live_…"},
		{name: "restricted key", in: "rk_test_4eC39HqLyjWDarjtT1zdp7dc", want: "rk_test_…p7dc"},
		{name: "webhook secret", in: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", want: "whsec_…LaSw"},
		{name: "slack bot token", in: "xoxb-1111-2222-fakefakefake", want: "xoxb-…fake"},
		{name: "shopify token", in: "shpat_0123456789abcdef0123", want: "shpat_…0123"},
		{name: "hubspot token", in: "pat-na1-11111111-2222-3333-4444-555555555555", want: "pat-na1-…5555"},
		{name: "lookalike without the separator", in: "xoxbnoprefixtoken9876", want: "…9876"},
		{name: "prefix only", in: "sk_live_", want: "sk_live_…"},
		{name: "eleven characters", in: "abcdefgh123", want: "…"},
		{name: "twelve characters", in: "abcdefgh1234", want: "…1234"},
		{name: "short", in: "abc123", want: "…"},
		{name: "multibyte", in: "ключ-секрет-значение-1234", want: "…1234"},
		{name: "empty", in: "", want: "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Mask(tc.in); got != tc.want {
				t.Fatalf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
