package telegram

import "github.com/hookflow/hookflow/connectors/signature"

// CredentialSecretToken is the credential field holding the secret_token
// passed to setWebhook; Telegram echoes it in HeaderSecretToken.
const CredentialSecretToken = "secret_token"

// HeaderSecretToken carries the webhook's secret token on every update.
const HeaderSecretToken = "X-Telegram-Bot-Api-Secret-Token"

// verifier checks that X-Telegram-Bot-Api-Secret-Token equals the
// credential's secret token, in constant time. Telegram signs nothing and
// sends no timestamp; replays are caught by dedupe on update_id.
var verifier = signature.Keyed{Field: CredentialSecretToken, Scheme: signature.Token{Header: HeaderSecretToken}}
