package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

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
	body, err := os.ReadFile("testdata/text_message.json")
	if err != nil {
		t.Fatal(err)
	}
	good := sign(appSecret, body)
	cases := []struct {
		name   string
		secret string
		sig    string
		body   []byte
		want   string
	}{
		// GitHub's documented X-Hub-Signature-256 example: the same scheme.
		{"documented vector", "It's a Secret to Everybody", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", []byte("Hello, World!"), ""},
		{"sha1 header style", appSecret, "sha1=" + good[7:], body, "malformed header X-Hub-Signature-256"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.sig != "" {
				h.Set("X-Hub-Signature-256", tc.sig)
			}
			r := &connectors.Request{Method: "POST", Header: h, Body: tc.body}
			if got := connectortest.Reason(t, verifier.Verify(r, connectors.Values{"app_secret": tc.secret}, time.Now())); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
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
