package telegram

import (
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialSecretToken is the credential field holding the secret_token
// passed to setWebhook; Telegram echoes it in HeaderSecretToken.
const CredentialSecretToken = "secret_token"

// HeaderSecretToken carries the webhook's secret token on every update.
const HeaderSecretToken = "X-Telegram-Bot-Api-Secret-Token"

// Verifier checks that X-Telegram-Bot-Api-Secret-Token equals the
// credential's secret token, in constant time. Telegram signs nothing and
// sends no timestamp; replays are caught by dedupe on update_id.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, _ time.Time) error {
	token := credential.String(CredentialSecretToken)
	if token == "" {
		return signature.MissingSecret(CredentialSecretToken)
	}
	return signature.VerifyToken(r.Header, HeaderSecretToken, token)
}
