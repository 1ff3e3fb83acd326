package signature_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

// The published Standard Webhooks test vector (standard-webhooks spec and
// reference libraries).
const (
	swSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	swID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	swTS     = "1614265330"
	swBody   = `{"test": 2432232314}`
	swSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignStandardMatchesPublishedVector(t *testing.T) {
	got, err := signature.SignStandard(swSecret, swID, time.Unix(1614265330, 0), []byte(swBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != swSig {
		t.Fatalf("SignStandard = %s, want %s", got, swSig)
	}
}

func TestVerifyStandard(t *testing.T) {
	at := time.Unix(1614265330, 0)
	otherSig, _ := signature.SignStandard("whsec_"+base64.StdEncoding.EncodeToString([]byte("another key entirely")), swID, at, []byte(swBody))
	hdr := func(id, ts, sig string) http.Header {
		h := http.Header{}
		for k, v := range map[string]string{"webhook-id": id, "webhook-timestamp": ts, "webhook-signature": sig} {
			if v != "" {
				h.Set(k, v)
			}
		}
		return h
	}
	cases := []struct {
		name   string
		secret string
		h      http.Header
		body   string
		now    time.Time
		want   string
	}{
		{"published vector", swSecret, hdr(swID, swTS, swSig), swBody, at, ""},
		{"secret without prefix", strings.TrimPrefix(swSecret, "whsec_"), hdr(swID, swTS, swSig), swBody, at, ""},
		{"several signatures, one matches (rotation)", swSecret, hdr(swID, swTS, otherSig+" v1a,aGVsbG8= "+swSig), swBody, at, ""},
		{"4 minutes later still fresh", swSecret, hdr(swID, swTS, swSig), swBody, at.Add(4 * time.Minute), ""},
		{"wrong secret", "whsec_" + base64.StdEncoding.EncodeToString([]byte("wrong")), hdr(swID, swTS, swSig), swBody, at, "bad signature"},
		{"tampered body", swSecret, hdr(swID, swTS, swSig), `{"test": 2432232315}`, at, "bad signature"},
		{"tampered id", swSecret, hdr("msg_other", swTS, swSig), swBody, at, "bad signature"},
		{"missing id", swSecret, hdr("", swTS, swSig), swBody, at, "missing header Webhook-Id"},
		{"missing timestamp", swSecret, hdr(swID, "", swSig), swBody, at, "missing header Webhook-Timestamp"},
		{"missing signature", swSecret, hdr(swID, swTS, ""), swBody, at, "missing header Webhook-Signature"},
		{"no v1 entry", swSecret, hdr(swID, swTS, "v2,abc"), swBody, at, "malformed header Webhook-Signature"},
		{"malformed timestamp", swSecret, hdr(swID, "yesterday", swSig), swBody, at, "malformed header Webhook-Timestamp"},
		{"stale timestamp", swSecret, hdr(swID, swTS, swSig), swBody, at.Add(6 * time.Minute), "stale timestamp"},
		{"future timestamp", swSecret, hdr(swID, swTS, swSig), swBody, at.Add(-6 * time.Minute), "timestamp in the future"},
		{"no secret configured", "", hdr(swID, swTS, swSig), swBody, at, "credential has no secret"},
		{"secret not base64", "whsec_!!!", hdr(swID, swTS, swSig), swBody, at, "credential secret is not a whsec_ base64 secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := connectortest.Reason(t, signature.VerifyStandard(tc.secret, tc.h, []byte(tc.body), tc.now, 0))
			if got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHMACVerifier(t *testing.T) {
	// GitHub's documented example ("Validating webhook deliveries"), the
	// same X-Hub-Signature-256 scheme Meta uses.
	github := signature.HMAC{Header: "X-Hub-Signature-256", Prefix: "sha256="}
	ghSecret := []byte("It's a Secret to Everybody")
	ghSig := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

	// Slack's documented example, expressed as a template.
	slack := signature.HMAC{Header: "X-Slack-Signature", Prefix: "v0=", TimestampHeader: "X-Slack-Request-Timestamp", Payload: "v0:{timestamp}:{body}"}
	slackSecret := []byte("8f742231b10e8888abcd99yyyzzz85a5")
	slackBody := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	slackSig := "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	slackAt := time.Unix(1531420618, 0)

	// base64 SHA-512 and SHA-1, computed independently with Python's hmac.
	sha512 := signature.HMAC{Header: "X-Sig", Algorithm: signature.SHA512, Encoding: signature.Base64}
	sha1 := signature.HMAC{Header: "X-Sig", Algorithm: signature.SHA1, Encoding: signature.Hex}

	req := func(body string, kv ...string) *connectors.Request {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return &connectors.Request{Method: "POST", URL: &url.URL{Scheme: "https", Host: "x"}, Header: h, Body: []byte(body)}
	}
	cases := []struct {
		name   string
		v      signature.HMAC
		secret []byte
		r      *connectors.Request
		now    time.Time
		want   string
	}{
		{"github example", github, ghSecret, req("Hello, World!", "X-Hub-Signature-256", ghSig), time.Now(), ""},
		{"github prefix is case-insensitive", github, ghSecret, req("Hello, World!", "X-Hub-Signature-256", strings.ToUpper(ghSig[:7])+ghSig[7:]), time.Now(), ""},
		{"github wrong secret", github, []byte("nope"), req("Hello, World!", "X-Hub-Signature-256", ghSig), time.Now(), "bad signature"},
		{"github tampered body", github, ghSecret, req("Hello, World?", "X-Hub-Signature-256", ghSig), time.Now(), "bad signature"},
		{"github missing header", github, ghSecret, req("Hello, World!"), time.Now(), "missing header X-Hub-Signature-256"},
		{"github missing prefix", github, ghSecret, req("Hello, World!", "X-Hub-Signature-256", ghSig[7:]), time.Now(), "malformed header X-Hub-Signature-256"},
		{"github not hex", github, ghSecret, req("Hello, World!", "X-Hub-Signature-256", "sha256=zz"), time.Now(), "malformed header X-Hub-Signature-256"},
		{"slack example", slack, slackSecret, req(slackBody, "X-Slack-Signature", slackSig, "X-Slack-Request-Timestamp", "1531420618"), slackAt, ""},
		{"slack stale", slack, slackSecret, req(slackBody, "X-Slack-Signature", slackSig, "X-Slack-Request-Timestamp", "1531420618"), slackAt.Add(5*time.Minute + time.Second), "stale timestamp"},
		{"slack timestamp missing", slack, slackSecret, req(slackBody, "X-Slack-Signature", slackSig), slackAt, "missing header X-Slack-Request-Timestamp"},
		{"slack timestamp changed", slack, slackSecret, req(slackBody, "X-Slack-Signature", slackSig, "X-Slack-Request-Timestamp", "1531420619"), slackAt, "bad signature"},
		{"sha512 base64", sha512, []byte("key"), req("hello", "X-Sig", "/warNnV3d4FcAI0yyOFKcFtOe/MQNRoGojthLcTHQz53V9IFJaVZO3ECDqLuFi0jEbJH6YVYYrJwEiQZZSwMkg=="), time.Now(), ""},
		{"sha1 hex", sha1, []byte("key"), req("hello", "X-Sig", "b34ceac4516ff23a143e61d79d0fa7a4fbe5f266"), time.Now(), ""},
		{"no secret", github, nil, req("Hello, World!", "X-Hub-Signature-256", ghSig), time.Now(), "credential has no secret"},
		{"bad template", signature.HMAC{Header: "X-Sig", Payload: "{nope}"}, []byte("k"), req("x", "X-Sig", "00"), time.Now(), `signed payload template "{nope}" uses unknown placeholder {nope}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := connectortest.Reason(t, tc.v.Verify(tc.r, tc.secret, tc.now))
			if got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBasicAndBearer(t *testing.T) {
	basic := func(u, p string) http.Header {
		return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))}}
	}
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"basic ok", signature.VerifyBasic(basic("zap", "s3cret:with:colons"), "zap", "s3cret:with:colons"), ""},
		{"basic wrong password", signature.VerifyBasic(basic("zap", "guess"), "zap", "s3cret"), "bad credentials"},
		{"basic wrong user", signature.VerifyBasic(basic("eve", "s3cret"), "zap", "s3cret"), "bad credentials"},
		{"basic missing header", signature.VerifyBasic(http.Header{}, "zap", "s3cret"), "missing header Authorization"},
		{"basic given bearer", signature.VerifyBasic(bearer("x"), "zap", "s3cret"), "malformed header Authorization"},
		{"basic not base64", signature.VerifyBasic(http.Header{"Authorization": {"Basic %%%"}}, "zap", "s3cret"), "malformed header Authorization"},
		{"basic unconfigured", signature.VerifyBasic(basic("", ""), "", ""), "credential has no username/password"},
		{"bearer ok", signature.VerifyBearer(bearer("tok_123"), "tok_123"), ""},
		{"bearer lower-case scheme", signature.VerifyBearer(http.Header{"Authorization": {"bearer tok_123"}}, "tok_123"), ""},
		{"bearer wrong", signature.VerifyBearer(bearer("tok_124"), "tok_123"), "bad credentials"},
		{"bearer missing", signature.VerifyBearer(http.Header{}, "tok_123"), "missing header Authorization"},
		{"bearer unconfigured", signature.VerifyBearer(bearer(""), ""), "credential has no token"},
		{"token header ok", signature.VerifyToken(http.Header{"X-Token": {"abc"}}, "X-Token", "abc"), ""},
		{"token header wrong", signature.VerifyToken(http.Header{"X-Token": {"abd"}}, "X-Token", "abc"), "bad credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := connectortest.Reason(t, tc.err); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckJSON(t *testing.T) {
	cases := []struct {
		name string
		body string
		want string
	}{
		{"object", `{"a":1}`, ""},
		{"array", `[1,2]`, ""},
		{"empty", "  ", "malformed JSON body: the body is empty"},
		{"truncated", `{"a":`, "malformed JSON body: unexpected end of JSON input (at byte 5)"},
		{"bad character", `{"a":x}`, "malformed JSON body: invalid character 'x' looking for beginning of value (at byte 6)"},
		{"two values", `{} {}`, "malformed JSON body: invalid character '{' after top-level value (at byte 4)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := signature.CheckJSON([]byte(tc.body)); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Fatalf("CheckJSON = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestKeyed(t *testing.T) {
	token := signature.Keyed{Field: "secret_token", Scheme: signature.Token{Header: "X-Token"}}
	hmacSHA1 := signature.Keyed{Field: "key", Scheme: signature.HMAC{Header: "X-Sig", Algorithm: signature.SHA1}}
	req := func(kv ...string) *connectors.Request {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return &connectors.Request{Method: "POST", Header: h, Body: []byte("hello")}
	}
	cases := []struct {
		name string
		v    signature.Keyed
		cred connectors.Values
		r    *connectors.Request
		want string
	}{
		{"token matches", token, connectors.Values{"secret_token": "abc"}, req("X-Token", "abc"), ""},
		{"token differs", token, connectors.Values{"secret_token": "abc"}, req("X-Token", "abd"), "bad credentials"},
		{"no field names it", token, connectors.Values{"other": "abc"}, req("X-Token", "abc"), "credential has no secret_token"},
		{"empty field names it", hmacSHA1, connectors.Values{"key": ""}, req("X-Sig", "b34ceac4516ff23a143e61d79d0fa7a4fbe5f266"), "credential has no key"},
		{"hmac keyed by the field", hmacSHA1, connectors.Values{"key": "key"}, req("X-Sig", "b34ceac4516ff23a143e61d79d0fa7a4fbe5f266"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := connectortest.Reason(t, tc.v.Verify(tc.r, tc.cred, time.Now())); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}
