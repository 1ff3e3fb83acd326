package github

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestVerify(t *testing.T) {
	// GitHub's documented test vector ("Validating webhook deliveries"):
	// secret "It's a Secret to Everybody", payload "Hello, World!". The
	// algorithm matched is the one GitHub's own examples use (Ruby's
	// OpenSSL::HMAC.hexdigest and Node's crypto.createHmac("sha256")):
	// "sha256=" + lower-case hex HMAC-SHA256 of the raw body.
	docs := connectors.Values{CredentialWebhookSecret: "It's a Secret to Everybody"}
	const docsSig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	req := func(body string, header ...string) *connectors.Request {
		return connectortest.NewRequest(body, header...)
	}
	// A ping signed with Python's hmac under the deliveries' secret: the
	// ping is verified like any delivery before it is ignored.
	ping := `{"zen": "Keep it logically awesome.", "hook_id": 292430182, "hook": {"type": "Repository", "id": 292430182, "events": ["issues"]}}`
	cred := connectors.Values{CredentialWebhookSecret: "gh-webhook-secret-9f2c4e7a1b3d5f60"}
	connectortest.RunVerify(t, verifier, []connectortest.VerifyCase{
		{Name: "documented test vector", Credential: docs, Request: req("Hello, World!", HeaderSignature256, docsSig)},
		{Name: "documented vector, upper-case hex", Credential: docs,
			Request: req("Hello, World!", HeaderSignature256, "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17")},
		{Name: "documented vector, other body", Credential: docs, Request: req("Hello, World?", HeaderSignature256, docsSig), Want: "bad signature"},
		{Name: "without the sha256= prefix", Credential: docs,
			Request: req("Hello, World!", HeaderSignature256, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
			Want:    "malformed header X-Hub-Signature-256"},
		{Name: "only the legacy SHA-1 header", Credential: docs,
			Request: req("Hello, World!", HeaderSignatureSHA1, "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"),
			Want:    "missing header X-Hub-Signature-256"},
		{Name: "signed ping", Credential: cred,
			Request: req(ping, HeaderEvent, "ping", HeaderSignature256, "sha256=ef2ba003fbd039d155aff3eff6fe6919bdf2ebaab38a73e4fcd3cbc1379aecaf")},
	})
}
