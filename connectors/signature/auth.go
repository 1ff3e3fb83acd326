package signature

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// VerifyBasic checks an "Authorization: Basic …" header against username
// and password. Both halves are always compared, in constant time, so the
// response time does not tell which one was wrong.
func VerifyBasic(h http.Header, username, password string) error {
	if username == "" && password == "" {
		return MissingSecret("username/password")
	}
	v := h.Get("Authorization")
	if v == "" {
		return MissingHeader("Authorization")
	}
	const scheme = "basic "
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return MalformedHeader("Authorization")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v[len(scheme):]))
	if err != nil {
		return MalformedHeader("Authorization")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return MalformedHeader("Authorization")
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(username))
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(password))
	if userOK&passOK != 1 {
		return connectors.Reject(ReasonBadCredentials)
	}
	return nil
}

// VerifyBearer checks an "Authorization: Bearer …" header against token in
// constant time.
func VerifyBearer(h http.Header, token string) error {
	if token == "" {
		return MissingSecret("token")
	}
	v := h.Get("Authorization")
	if v == "" {
		return MissingHeader("Authorization")
	}
	const scheme = "bearer "
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return MalformedHeader("Authorization")
	}
	if !Equal(strings.TrimSpace(v[len(scheme):]), token) {
		return connectors.Reject(ReasonBadCredentials)
	}
	return nil
}

// VerifyToken checks that header carries exactly token, in constant time.
// It is for senders that put a shared secret in a header of their own, like
// Telegram's X-Telegram-Bot-Api-Secret-Token.
func VerifyToken(h http.Header, header, token string) error {
	v := h.Get(header)
	if v == "" {
		return MissingHeader(header)
	}
	if !Equal(v, token) {
		return connectors.Reject(ReasonBadCredentials)
	}
	return nil
}
