package jira

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// TestVerify pins Jira's secure-webhook form, "sha256=" + hex HMAC-SHA256
// of the raw body (the algorithm of jira.js's verifyWebhookSignature), with
// a vector computed by Python's hmac module.
func TestVerify(t *testing.T) {
	const body = `{"webhookEvent":"jira:issue_deleted"}`
	const sig = "7c752b3bac7e4e83ef36cc6f083607a52d8054793f37a82ca198c029a8421672"
	cred := connectors.Values{CredentialWebhookSecret: "It is a secret"}
	req := func(v string) *connectors.Request { return connectortest.NewRequest(body, HeaderSignature, v) }
	connectortest.RunVerify(t, verifier, []connectortest.VerifyCase{
		{Name: "known vector", Credential: cred, Request: req("sha256=" + sig)},
		{Name: "method name in upper case", Credential: cred, Request: req("SHA256=" + sig)},
		{Name: "no method prefix", Credential: cred, Request: req(sig), Want: "malformed header X-Hub-Signature"},
		{Name: "other method", Credential: cred, Request: req("sha1=" + sig[:40]), Want: "malformed header X-Hub-Signature"},
		{Name: "other secret", Credential: connectors.Values{CredentialWebhookSecret: "It is a secreT"}, Request: req("sha256=" + sig), Want: "bad signature"},
	})
}
