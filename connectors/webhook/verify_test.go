package webhook

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// The published Standard Webhooks test vector.
const (
	swSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	swID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	swTS     = "1614265330"
	swBody   = `{"test": 2432232314}`
	swSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func mac(h func() hash.Hash, key, msg string) []byte {
	m := hmac.New(h, []byte(key))
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func TestVerify(t *testing.T) {
	body, err := os.ReadFile("testdata/incoming_order.json")
	if err != nil {
		t.Fatal(err)
	}
	swAt := time.Unix(1614265330, 0)
	now := time.Unix(1718000000, 0)
	nowTS := strconv.FormatInt(now.Unix(), 10)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	hexSHA256 := hex.EncodeToString(mac(sha256.New, "s3cret", string(body)))
	b64SHA512 := base64.StdEncoding.EncodeToString(mac(sha512.New, "s3cret", string(body)))
	hexSHA1 := hex.EncodeToString(mac(sha1.New, "s3cret", string(body)))
	tsSig := hex.EncodeToString(mac(sha256.New, "s3cret", nowTS+"."+string(body)))
	hmacCred := connectors.Values{"auth": "hmac", "secret": "s3cret", "header": "X-Hub-Signature-256", "prefix": "sha256="}
	basicAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("zapier:hunter2"))
	cases := []struct {
		name string
		cred connectors.Values
		hdr  http.Header
		body string
		now  time.Time
		want string
	}{
		{"hmac sha256 hex with prefix", hmacCred, h("X-Hub-Signature-256", "sha256="+hexSHA256), string(body), now, ""},
		{"hmac wrong secret", connectors.Values{"auth": "hmac", "secret": "other", "header": "X-Hub-Signature-256", "prefix": "sha256="}, h("X-Hub-Signature-256", "sha256="+hexSHA256), string(body), now, "bad signature"},
		{"hmac previous secret still accepted", connectors.Values{"auth": "hmac", "secret": "new", "previous_secret": "s3cret", "header": "X-Hub-Signature-256", "prefix": "sha256="}, h("X-Hub-Signature-256", "sha256="+hexSHA256), string(body), now, ""},
		{"hmac tampered body", hmacCred, h("X-Hub-Signature-256", "sha256="+hexSHA256), string(body) + " ", now, "bad signature"},
		{"hmac missing header", hmacCred, h(), string(body), now, "missing header X-Hub-Signature-256"},
		{"hmac sha512 base64 default header", connectors.Values{"auth": "hmac", "secret": "s3cret", "algorithm": "sha512", "encoding": "base64"}, h("X-Signature", b64SHA512), string(body), now, ""},
		{"hmac sha1 hex", connectors.Values{"auth": "hmac", "secret": "s3cret", "algorithm": "sha1", "header": "X-Sig"}, h("X-Sig", hexSHA1), string(body), now, ""},
		{"hmac with timestamp", connectors.Values{"auth": "hmac", "secret": "s3cret", "timestamp_header": "X-Timestamp", "signed_payload": "{timestamp}.{body}"}, h("X-Signature", tsSig, "X-Timestamp", nowTS), string(body), now, ""},
		{"hmac stale timestamp", connectors.Values{"auth": "hmac", "secret": "s3cret", "timestamp_header": "X-Timestamp", "signed_payload": "{timestamp}.{body}"}, h("X-Signature", tsSig, "X-Timestamp", nowTS), string(body), now.Add(6 * time.Minute), "stale timestamp"},
		{"hmac no secret", connectors.Values{"auth": "hmac"}, h("X-Signature", hexSHA256), string(body), now, "credential has no secret"},
		{"hmac unknown algorithm", connectors.Values{"auth": "hmac", "secret": "s3cret", "algorithm": "md5"}, h("X-Signature", hexSHA256), string(body), now, `unknown HMAC algorithm "md5" (want sha1, sha256 or sha512)`},
		{"standard published vector", connectors.Values{"auth": "standard", "secret": swSecret}, h("webhook-id", swID, "webhook-timestamp", swTS, "webhook-signature", swSig), swBody, swAt, ""},
		{"standard inferred from secret", connectors.Values{"secret": swSecret}, h("webhook-id", swID, "webhook-timestamp", swTS, "webhook-signature", swSig), swBody, swAt, ""},
		{"standard previous secret", connectors.Values{"secret": "whsec_" + base64.StdEncoding.EncodeToString([]byte("new key")), "previous_secret": swSecret}, h("webhook-id", swID, "webhook-timestamp", swTS, "webhook-signature", swSig), swBody, swAt, ""},
		{"basic ok", connectors.Values{"auth": "basic", "username": "zapier", "password": "hunter2"}, h("Authorization", basicAuth), string(body), now, ""},
		{"basic inferred", connectors.Values{"username": "zapier", "password": "hunter2"}, h("Authorization", basicAuth), string(body), now, ""},
		{"basic wrong password", connectors.Values{"auth": "basic", "username": "zapier", "password": "hunter3"}, h("Authorization", basicAuth), string(body), now, "bad credentials"},
		{"basic missing header", connectors.Values{"auth": "basic", "username": "zapier", "password": "hunter2"}, h(), string(body), now, "missing header Authorization"},
		{"bearer ok", connectors.Values{"auth": "bearer", "token": "tok_9f8e"}, h("Authorization", "Bearer tok_9f8e"), string(body), now, ""},
		{"bearer wrong", connectors.Values{"token": "tok_9f8e"}, h("Authorization", "Bearer tok_9f8f"), string(body), now, "bad credentials"},
		{"none", connectors.Values{"auth": "none"}, h(), string(body), now, ""},
		{"nothing configured is none", nil, h(), string(body), now, ""},
		{"unknown mode", connectors.Values{"auth": "oauth"}, h(), string(body), now, `credential auth "oauth" is not one of hmac, standard, basic, bearer, none`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &connectors.Request{Method: "POST", Header: tc.hdr, Body: []byte(tc.body)}
			if got := connectortest.Reason(t, Verifier{}.Verify(r, tc.cred, tc.now)); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}
