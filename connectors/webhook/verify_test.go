package webhook

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"reflect"
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
	body := connectortest.ReadFile(t, "testdata/incoming_order.json")
	swAt := time.Unix(1614265330, 0)
	now := time.Unix(1718000000, 0)
	nowTS := strconv.FormatInt(now.Unix(), 10)
	req := connectortest.NewRequest
	hexSHA256 := hex.EncodeToString(mac(sha256.New, "s3cret", string(body)))
	b64SHA512 := base64.StdEncoding.EncodeToString(mac(sha512.New, "s3cret", string(body)))
	hexSHA1 := hex.EncodeToString(mac(sha1.New, "s3cret", string(body)))
	tsSig := hex.EncodeToString(mac(sha256.New, "s3cret", nowTS+"."+string(body)))
	hmacCred := connectors.Values{"auth": "hmac", "secret": "s3cret", "header": "X-Hub-Signature-256", "prefix": "sha256="}
	basicAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("zapier:hunter2"))
	connectortest.RunVerify(t, Verifier{}, []connectortest.VerifyCase{
		{Name: "hmac sha256 hex with prefix", Credential: hmacCred, Request: req(string(body), "X-Hub-Signature-256", "sha256="+hexSHA256), Now: now},
		{Name: "hmac wrong secret", Credential: connectors.Values{"auth": "hmac", "secret": "other", "header": "X-Hub-Signature-256", "prefix": "sha256="}, Request: req(string(body), "X-Hub-Signature-256", "sha256="+hexSHA256), Now: now, Want: "bad signature"},
		{Name: "hmac previous secret still accepted", Credential: connectors.Values{"auth": "hmac", "secret": "new", "previous_secret": "s3cret", "header": "X-Hub-Signature-256", "prefix": "sha256="}, Request: req(string(body), "X-Hub-Signature-256", "sha256="+hexSHA256), Now: now},
		{Name: "hmac tampered body", Credential: hmacCred, Request: req(string(body)+" ", "X-Hub-Signature-256", "sha256="+hexSHA256), Now: now, Want: "bad signature"},
		{Name: "hmac missing header", Credential: hmacCred, Request: req(string(body)), Now: now, Want: "missing header X-Hub-Signature-256"},
		{Name: "hmac sha512 base64 default header", Credential: connectors.Values{"auth": "hmac", "secret": "s3cret", "algorithm": "sha512", "encoding": "base64"}, Request: req(string(body), "X-Signature", b64SHA512), Now: now},
		{Name: "hmac sha1 hex", Credential: connectors.Values{"auth": "hmac", "secret": "s3cret", "algorithm": "sha1", "header": "X-Sig"}, Request: req(string(body), "X-Sig", hexSHA1), Now: now},
		{Name: "hmac with timestamp", Credential: connectors.Values{"auth": "hmac", "secret": "s3cret", "timestamp_header": "X-Timestamp", "signed_payload": "{timestamp}.{body}"}, Request: req(string(body), "X-Signature", tsSig, "X-Timestamp", nowTS), Now: now},
		{Name: "hmac stale timestamp", Credential: connectors.Values{"auth": "hmac", "secret": "s3cret", "timestamp_header": "X-Timestamp", "signed_payload": "{timestamp}.{body}"}, Request: req(string(body), "X-Signature", tsSig, "X-Timestamp", nowTS), Now: now.Add(6 * time.Minute), Want: "stale timestamp"},
		{Name: "hmac no secret", Credential: connectors.Values{"auth": "hmac"}, Request: req(string(body), "X-Signature", hexSHA256), Now: now, Want: "credential has no secret"},
		{Name: "hmac unknown algorithm", Credential: connectors.Values{"auth": "hmac", "secret": "s3cret", "algorithm": "md5"}, Request: req(string(body), "X-Signature", hexSHA256), Now: now, Want: `unknown HMAC algorithm "md5" (want sha1, sha256 or sha512)`},
		{Name: "standard published vector", Credential: connectors.Values{"auth": "standard", "secret": swSecret}, Request: req(swBody, "webhook-id", swID, "webhook-timestamp", swTS, "webhook-signature", swSig), Now: swAt},
		{Name: "standard inferred from secret", Credential: connectors.Values{"secret": swSecret}, Request: req(swBody, "webhook-id", swID, "webhook-timestamp", swTS, "webhook-signature", swSig), Now: swAt},
		{Name: "standard previous secret", Credential: connectors.Values{"secret": "whsec_" + base64.StdEncoding.EncodeToString([]byte("new key")), "previous_secret": swSecret}, Request: req(swBody, "webhook-id", swID, "webhook-timestamp", swTS, "webhook-signature", swSig), Now: swAt},
		{Name: "basic ok", Credential: connectors.Values{"auth": "basic", "username": "zapier", "password": "hunter2"}, Request: req(string(body), "Authorization", basicAuth), Now: now},
		{Name: "basic inferred", Credential: connectors.Values{"username": "zapier", "password": "hunter2"}, Request: req(string(body), "Authorization", basicAuth), Now: now},
		{Name: "basic wrong password", Credential: connectors.Values{"auth": "basic", "username": "zapier", "password": "hunter3"}, Request: req(string(body), "Authorization", basicAuth), Now: now, Want: "bad credentials"},
		{Name: "basic missing header", Credential: connectors.Values{"auth": "basic", "username": "zapier", "password": "hunter2"}, Request: req(string(body)), Now: now, Want: "missing header Authorization"},
		{Name: "bearer ok", Credential: connectors.Values{"auth": "bearer", "token": "tok_9f8e"}, Request: req(string(body), "Authorization", "Bearer tok_9f8e"), Now: now},
		{Name: "bearer wrong", Credential: connectors.Values{"token": "tok_9f8e"}, Request: req(string(body), "Authorization", "Bearer tok_9f8f"), Now: now, Want: "bad credentials"},
		{Name: "none", Credential: connectors.Values{"auth": "none"}, Request: req(string(body)), Now: now},
		{Name: "nothing configured is none", Request: req(string(body)), Now: now},
		{Name: "unknown mode", Credential: connectors.Values{"auth": "oauth"}, Request: req(string(body)), Now: now, Want: `credential auth "oauth" is not one of hmac, standard, basic, bearer, none`},
	})
}

// TestCredentialModeIsExplicit pins what each incoming authentication mode
// stores and asks for: only the chosen mode's fields apply, so a Standard
// Webhooks secret carries no HMAC header, algorithm or encoding defaults.
func TestCredentialModeIsExplicit(t *testing.T) {
	fields := New().Credential
	tests := []struct {
		name string
		in   connectors.Values
		want connectors.Values // nil when the credential is refused
		err  string
	}{
		{name: "standard by default, no hmac defaults", in: connectors.Values{"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
			want: connectors.Values{"auth": "standard", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}},
		{name: "hmac gets its defaults", in: connectors.Values{"auth": "hmac", "secret": "s"},
			want: connectors.Values{"auth": "hmac", "secret": "s", "header": DefaultHMACHeader, "algorithm": "sha256", "encoding": "hex", "signed_payload": "{body}"}},
		{name: "basic needs username and password", in: connectors.Values{"auth": "basic"},
			err: "credential.username: required; credential.password: required"},
		{name: "bearer needs its token", in: connectors.Values{"auth": "bearer"}, err: "credential.token: required"},
		{name: "hmac setting in standard mode refused", in: connectors.Values{"secret": "whsec_x", "header": "X-Sig"},
			err: "credential.header: applies only when auth is hmac (it is standard); remove this value or change auth"},
		{name: "token in basic mode refused", in: connectors.Values{"auth": "basic", "username": "u", "password": "p", "token": "t"},
			err: "credential.token: applies only when auth is bearer (it is basic); remove this value or change auth"},
		{name: "none holds nothing", in: connectors.Values{"auth": "none"}, want: connectors.Values{"auth": "none"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := connectors.ValidateCredential(fields, tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	// A credential saved before the mode was explicit (HMAC defaults
	// stored beside a whsec_ secret) still works for the send action: the
	// settings of another mode are dropped, not refused.
	old := connectors.Values{"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "header": DefaultHMACHeader, "algorithm": "sha256"}
	got, err := connectors.ValidateActionCredential(fields, old)
	if err != nil {
		t.Fatal(err)
	}
	if _, kept := got["header"]; kept || got.String("auth") != AuthStandard {
		t.Errorf("old credential validated to %v, want auth standard without hmac settings", got)
	}
}
