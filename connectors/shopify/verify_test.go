package shopify

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const secret = "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"

func TestVerify(t *testing.T) {
	req := func(sig string) *connectors.Request { return connectortest.NewRequest(`{"id":1}`, HeaderHmac, sig) }
	cred := connectors.Values{CredentialClientSecret: secret}
	connectortest.RunVerify(t, verifier, []connectortest.VerifyCase{
		// Independently computed (Python hmac) for a tiny body, so the
		// encoding is pinned and not just round-tripped.
		{Name: "known vector", Credential: connectors.Values{CredentialClientSecret: "shop-secret"}, Request: req("plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0=")},
		{Name: "hex instead of base64", Credential: cred, Request: req("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"), Want: "bad signature"},
		{Name: "not base64", Credential: cred, Request: req("%%%"), Want: "malformed header X-Shopify-Hmac-Sha256"},
	})
}
