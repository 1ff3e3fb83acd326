package slack

import (
	"net/http"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack).
const (
	docSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	docTS     = "1531420618"
	docBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

var docAt = time.Unix(1531420618, 0)

func request(sig, ts, body string) *connectors.Request {
	h := http.Header{}
	if sig != "" {
		h.Set("X-Slack-Signature", sig)
	}
	if ts != "" {
		h.Set("X-Slack-Request-Timestamp", ts)
	}
	return &connectors.Request{Method: http.MethodPost, Header: h, Body: []byte(body), Received: docAt}
}

func TestVerify(t *testing.T) {
	cred := connectors.Values{CredentialSigningSecret: docSecret}
	connectortest.RunVerify(t, verifier, []connectortest.VerifyCase{
		{Name: "documented example", Credential: cred, Request: request(docSig, docTS, docBody)},
		{Name: "replayed with new timestamp", Credential: cred, Request: request(docSig, "1531420700", docBody), Want: "bad signature"},
		{Name: "wrong version prefix", Credential: cred, Request: request("v1="+docSig[3:], docTS, docBody), Want: "malformed header X-Slack-Signature"},
	})
}

func TestHandshake(t *testing.T) {
	const challengeBody = `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	cred := connectors.Values{"signing_secret": docSecret}
	cases := []struct {
		name    string
		r       *connectors.Request
		handled bool
	}{
		{"unsigned challenge falls through", request("", "", challengeBody), false},
		{"non-JSON body is not a handshake", request(docSig, docTS, docBody), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, handled := Handshake(tc.r, cred)
			if handled != tc.handled {
				t.Fatalf("handled = %v, want %v", handled, tc.handled)
			}
			if !handled {
				return
			}
			if resp.Status != http.StatusOK || string(resp.Body) != `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}` {
				t.Fatalf("response = %d %s", resp.Status, resp.Body)
			}
		})
	}
}
