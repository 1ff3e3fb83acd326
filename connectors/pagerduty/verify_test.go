package pagerduty

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// TestVerify pins the rotation rules of PagerDuty's documented scheme, the
// algorithm of its Go SDK's webhookv3.VerifySignature: split the header on
// commas, keep the v1= values, accept when any is the hex HMAC-SHA256 of
// the raw body. The signatures were computed with Python's hmac module.
func TestVerify(t *testing.T) {
	const (
		body   = `{"event":{"id":"e1","event_type":"pagey.ping"}}`
		newSig = "v1=1005bb3172a5aad231ca762a83eb62af42887d6a17e50ddf8c53eedcfc6d8bef" // current secret
		oldSig = "v1=0c837f4069322b04351f10bd07bd7fe65c393029c1c15c3bd013945ed25e7272" // the secret before rotation
	)
	cred := connectors.Values{CredentialWebhookSecret: "pdwh_Zq4nV8xK2mR7tY1cW5bH9jL3pS6dF0gA"}
	req := func(sig string) *connectors.Request { return connectortest.NewRequest(body, HeaderSignature, sig) }
	connectortest.RunVerify(t, verifier, []connectortest.VerifyCase{
		{Name: "one signature", Credential: cred, Request: req(newSig)},
		{Name: "rotation: matching signature second", Credential: cred, Request: req(oldSig + "," + newSig)},
		{Name: "rotation: matching signature first, spaces after commas", Credential: cred, Request: req(newSig + ", " + oldSig)},
		{Name: "only the old secret's signature", Credential: cred, Request: req(oldSig), Want: "bad signature"},
		{Name: "an unknown version beside v1 is skipped", Credential: cred, Request: req("v2=abcdef," + newSig)},
		{Name: "no v1 value at all", Credential: cred, Request: req("v2=" + newSig[3:]), Want: "malformed header X-PagerDuty-Signature"},
		{Name: "v1 value that is not hex", Credential: cred, Request: req("v1=not-hex"), Want: "bad signature"},
		{Name: "upper-case hex", Credential: cred, Request: req("v1=1005BB3172A5AAD231CA762A83EB62AF42887D6A17E50DDF8C53EEDCFC6D8BEF")},
	})
}
