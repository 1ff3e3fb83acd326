package datadog

import (
	"encoding/base64"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// TestVerify covers both ways the credential can authenticate Datadog,
// which signs nothing; the header way is replayed from recorded
// deliveries by TestTriggerConformance too.
func TestVerify(t *testing.T) {
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	basicCred := connectors.Values{CredentialAuth: AuthBasic, CredentialUsername: "datadog", CredentialPassword: "pa55-w0rd-long"}
	req := func(header ...string) *connectors.Request { return connectortest.NewRequest(`{"id":"1"}`, header...) }
	connectortest.RunVerify(t, Verifier{}, []connectortest.VerifyCase{
		{Name: "header token", Credential: connectors.Values{CredentialToken: "tok-123"}, Request: req(HeaderToken, "tok-123")},
		{Name: "header token, auth spelled out", Credential: connectors.Values{CredentialAuth: AuthHeader, CredentialToken: "tok-123"}, Request: req(HeaderToken, "tok-123")},
		{Name: "wrong header token", Credential: connectors.Values{CredentialToken: "tok-123"}, Request: req(HeaderToken, "tok-124"), Want: "bad credentials"},
		{Name: "basic", Credential: basicCred, Request: req("Authorization", basic("datadog", "pa55-w0rd-long"))},
		{Name: "basic, wrong password", Credential: basicCred, Request: req("Authorization", basic("datadog", "pa55-w0rd-lonG")), Want: "bad credentials"},
		{Name: "basic, wrong user", Credential: basicCred, Request: req("Authorization", basic("dd", "pa55-w0rd-long")), Want: "bad credentials"},
		{Name: "basic, but the token header sent", Credential: basicCred, Request: req(HeaderToken, "pa55-w0rd-long"), Want: "missing header Authorization"},
		{Name: "basic without a password", Credential: connectors.Values{CredentialAuth: AuthBasic, CredentialUsername: "datadog"},
			Request: req("Authorization", basic("datadog", "")), Want: "credential has no password"},
		{Name: "bearer is not basic", Credential: basicCred, Request: req("Authorization", "Bearer pa55-w0rd-long"), Want: "malformed header Authorization"},
		{Name: "unknown auth", Credential: connectors.Values{CredentialAuth: "hmac", CredentialToken: "tok"}, Request: req(HeaderToken, "tok"),
			Want: "credential auth hmac is not header or basic"},
	})
}
