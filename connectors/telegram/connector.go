// Package telegram is the Telegram Bot API connector: the webhook trigger
// (verify.go, event.go) and actions that send messages with inline
// keyboards and answer the callback queries their buttons produce.
//
// The Bot API puts the bot token in the URL path
// (https://api.telegram.org/bot<token>/sendMessage), so nothing here ever
// formats a request URL into an error or a log line; the shared client's
// errors name only the method and host.
package telegram

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "telegram"

// DefaultBaseURL is the Bot API's host; a self-hosted Bot API server can
// replace it through the credential's base_url (the spec is SelfHosted).
const DefaultBaseURL = "https://api.telegram.org"

// CredentialBotToken is the credential field holding the token @BotFather
// issued, such as 123456789:AAH….
const CredentialBotToken = "bot_token"

// New returns the Telegram connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:  Name,
		Title: "Telegram",
		Description: "Send messages from your Telegram bot, with formatting and inline keyboard buttons, " +
			"answer button presses, and start workflows from the updates the bot receives.",
		Icon:    "/ui/icons/telegram.svg",
		DocsURL: "https://core.telegram.org/bots/api",
		BaseURL: DefaultBaseURL,
		// A self-hosted Bot API server (github.com/tdlib/telegram-bot-api)
		// serves the same API on the customer's own host.
		SelfHosted: true,
		Credential: credentialFields(),
		Triggers:   []*connectors.Trigger{Trigger()},
		Actions:    []*connectors.Action{SendMessage(), AnswerCallbackQuery()},
	}
}

func credentialFields() []connectors.Field {
	own := []connectors.Field{
		{
			Name: CredentialBotToken, Title: "Bot token", Type: connectors.TypeString, Required: true, ForActions: true, Secret: true,
			Example: "123456789:AAH…", Pattern: `^[0-9]+:[A-Za-z0-9_-]+$`,
			PatternHelp: "a Telegram bot token looks like 123456789:AAH… (digits, a colon, then letters, digits, _ and -)",
			Help:        "Send /newbot (or /token for an existing bot) to @BotFather in Telegram and copy the token it replies with.",
		},
	}
	return connectors.MergeFields(own, TriggerCredential)
}

// checkResponse classifies the Bot API's envelope,
// {"ok":false,"error_code":400,"description":"Bad Request: chat not found"},
// which Telegram sends with an HTTP status equal to error_code. Reading the
// envelope rather than the status keeps Telegram's description and its
// parameters (retry_after, migrate_to_chat_id). Bodies that are not an
// envelope (a proxy's error page) are left to the default classification.
func checkResponse(resp *connectors.HTTPResponse) error {
	ok := resp.Get("ok")
	if !ok.Exists() {
		if resp.Status >= 200 && resp.Status < 300 {
			return connectors.NewError(connectors.ClassRetryable, resp.Status, "response is not a Bot API envelope (no \"ok\" field)")
		}
		return nil
	}
	if ok.Bool() {
		return nil
	}
	code := int(resp.Get("error_code").Int())
	if code == 0 {
		code = resp.Status
	}
	msg := resp.Get("description").String()
	if msg == "" {
		msg = fmt.Sprintf("Bot API error %d", code)
	}
	if to := resp.Get("parameters.migrate_to_chat_id"); to.Exists() {
		msg += fmt.Sprintf(" (the group is now a supergroup with chat_id %s; use that id)", to.Raw)
	}
	if code == http.StatusUnauthorized {
		msg += " (the bot token is wrong or was revoked; get the current one from @BotFather)"
	}
	switch {
	case code == http.StatusTooManyRequests:
		wait, found := connectors.RetryAfter(resp.Header, resp.Body, time.Now())
		if !found {
			wait = connectors.DefaultRateLimitWait
		}
		return &connectors.Error{Class: connectors.ClassRateLimited, Status: resp.Status, RetryAfter: wait, Message: msg}
	case code >= 500:
		return connectors.NewError(connectors.ClassRetryable, resp.Status, msg)
	default:
		return connectors.NewError(connectors.ClassPermanent, resp.Status, msg)
	}
}

// envelope is a successful Bot API response.
type envelope struct {
	OK     bool `json:"ok"`
	Result any  `json:"result"`
}

// callMethod posts body as JSON to one Bot API method and returns the
// result. The URL holds the token: it is built here and handed only to the
// shared client, whose errors never include it.
func callMethod(ctx context.Context, call *connectors.Call, method string, body map[string]any) (any, error) {
	token := call.Credential.String(CredentialBotToken)
	url := strings.TrimRight(call.BaseURL, "/") + "/bot" + token + "/" + method
	var out envelope
	if _, err := call.HTTP.WithCheck(checkResponse).DoJSON(ctx, http.MethodPost, url, nil, body, &out); err != nil {
		return nil, fmt.Errorf("calling %s: %w", method, err)
	}
	return out.Result, nil
}
