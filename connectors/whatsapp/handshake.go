package whatsapp

import (
	"net/http"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Handshake answers Meta's subscription check:
// GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… is answered
// 200 with the challenge as plain text when the verify token equals the
// credential's verify_token (compared in constant time), and 403 otherwise,
// including when no verify token is configured. A GET without hub.mode is
// not a handshake and falls through to verification, which rejects it.
func Handshake(r *connectors.Request, credential connectors.Values) (*connectors.Response, bool) {
	if r.Method != http.MethodGet || r.URL == nil {
		return nil, false
	}
	q := r.URL.Query()
	if !q.Has("hub.mode") {
		return nil, false
	}
	want := credential.String(CredentialVerifyToken)
	ok := q.Get("hub.mode") == "subscribe" && want != "" && signature.Equal(q.Get("hub.verify_token"), want)
	if !ok {
		return &connectors.Response{Status: http.StatusForbidden, ContentType: "text/plain; charset=utf-8",
			Body: []byte("verify token does not match\n")}, true
	}
	return &connectors.Response{Status: http.StatusOK, ContentType: "text/plain; charset=utf-8",
		Body: []byte(q.Get("hub.challenge"))}, true
}
