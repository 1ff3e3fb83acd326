package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const appSecret = "4f8c2a7e9b1d3f5a6c8e0b2d4f6a8c0e"

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	body := string(connectortest.ReadFile(t, "testdata/text_message.json"))
	good := sign(appSecret, []byte(body))
	connectortest.RunVerify(t, verifier, []connectortest.VerifyCase{
		// GitHub's documented X-Hub-Signature-256 example: the same scheme.
		{Name: "documented vector", Credential: connectors.Values{CredentialAppSecret: "It's a Secret to Everybody"},
			Request: connectortest.NewRequest("Hello, World!", HeaderSignature, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")},
		{Name: "sha1 header style", Credential: connectors.Values{CredentialAppSecret: appSecret},
			Request: connectortest.NewRequest(body, HeaderSignature, "sha1="+good[7:]), Want: "malformed header X-Hub-Signature-256"},
	})
}

func TestHandshake(t *testing.T) {
	cases := []struct {
		name       string
		method     string
		query      string
		token      string
		handled    bool
		wantStatus int
		wantBody   string
	}{
		{"missing token is forbidden", "GET", "hub.mode=subscribe&hub.challenge=1158201444", "meatyhamhock", true, 403, "verify token does not match\n"},
		{"unconfigured token is forbidden", "GET", "hub.mode=subscribe&hub.verify_token=&hub.challenge=1", "", true, 403, "verify token does not match\n"},
		{"other mode is forbidden", "GET", "hub.mode=unsubscribe&hub.verify_token=meatyhamhock&hub.challenge=1", "meatyhamhock", true, 403, "verify token does not match\n"},
		{"GET without hub.mode is not a handshake", "GET", "", "meatyhamhock", false, 0, ""},
		{"POST is not a handshake", "POST", "hub.mode=subscribe&hub.verify_token=meatyhamhock&hub.challenge=1", "meatyhamhock", false, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := &url.URL{Scheme: "https", Host: "hooks.example.com", Path: "/hooks/tok", RawQuery: tc.query}
			resp, handled := Handshake(&connectors.Request{Method: tc.method, URL: u, Header: http.Header{}}, connectors.Values{"verify_token": tc.token})
			if handled != tc.handled {
				t.Fatalf("handled = %v, want %v", handled, tc.handled)
			}
			if handled && (resp.Status != tc.wantStatus || string(resp.Body) != tc.wantBody) {
				t.Fatalf("response = %d %q, want %d %q", resp.Status, resp.Body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}
