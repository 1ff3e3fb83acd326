package telegram

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestVerify(t *testing.T) {
	connectortest.RunVerify(t, verifier, []connectortest.VerifyCase{
		{Name: "prefix of the token", Credential: connectors.Values{CredentialSecretToken: "s3cr3t_T0ken-abc"},
			Request: connectortest.NewRequest(`{"update_id":1,"message":{}}`, HeaderSecretToken, "s3cr3t"), Want: "bad credentials"},
	})
}
