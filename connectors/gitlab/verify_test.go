package gitlab

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestVerify(t *testing.T) {
	cred := connectors.Values{CredentialWebhookToken: "s3cret-token"}
	connectortest.RunVerify(t, verifier, []connectortest.VerifyCase{
		{Name: "token matches", Credential: cred, Request: connectortest.NewRequest(`{}`, HeaderToken, "s3cret-token")},
		{Name: "prefix of the token", Credential: cred, Request: connectortest.NewRequest(`{}`, HeaderToken, "s3cret"), Want: "bad credentials"},
		{Name: "token in another header", Credential: cred, Request: connectortest.NewRequest(`{}`, "X-Gitlab-Secret", "s3cret-token"), Want: "missing header X-Gitlab-Token"},
		{Name: "credential without token", Credential: connectors.Values{}, Request: connectortest.NewRequest(`{}`, HeaderToken, "s3cret-token"), Want: "credential has no webhook_token"},
	})
}
