// Package slack is the Slack connector: the Events API trigger (verify.go,
// event.go, handshake.go) and Web API actions that post, thread and update
// messages as a bot.
//
// The Web API reports most failures with HTTP 200 and a body of
// {"ok":false,"error":"channel_not_found"}, so every call runs through
// checkResponse, which turns that envelope into a classified error before
// the shared client's status-based classification sees a "success".
package slack

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "slack"

// DefaultBaseURL is the Web API's base; methods are appended as /chat.postMessage.
const DefaultBaseURL = "https://slack.com/api"

// CredentialBotToken is the credential field holding the bot token (xoxb-…).
const CredentialBotToken = "bot_token"

// New returns the Slack connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:  Name,
		Title: "Slack",
		Description: "Post, thread and update messages in Slack channels as your app's bot, and start " +
			"workflows from Slack events such as messages and mentions.",
		Icon:       "/ui/icons/slack.svg",
		DocsURL:    "https://api.slack.com/web",
		BaseURL:    DefaultBaseURL,
		Credential: credentialFields(),
		Triggers:   []*connectors.Trigger{Trigger()},
		Actions:    []*connectors.Action{PostMessage(), ReplyInThread(), UpdateMessage()},
	}
}

func credentialFields() []connectors.Field {
	own := []connectors.Field{
		{
			Name: CredentialBotToken, Title: "Bot token", Type: connectors.TypeString, Secret: true,
			Example: "xoxb-…", Pattern: `^xox[bp]-`, PatternHelp: "Slack bot tokens start with xoxb- (user tokens with xoxp-)",
			Help: "At api.slack.com/apps → your app → OAuth & Permissions → Bot User OAuth Token. " +
				"The app needs the chat:write scope, and the bot must be invited to private channels.",
		},
	}
	return connectors.MergeFields(own, TriggerCredential)
}

// retryableErrors are the error codes Slack documents as transient.
// fatal_error is left out on purpose: Slack says part of the operation may
// already have succeeded, so a blind retry could post twice.
var retryableErrors = map[string]bool{
	"internal_error":      true,
	"service_unavailable": true,
	"request_timeout":     true,
}

// hints turn the commonest error codes into something a workflow author can
// act on.
var hints = map[string]string{
	"channel_not_found":   "the channel does not exist or the bot cannot see it; use the channel ID (C…) and invite the bot to private channels",
	"not_in_channel":      "the bot is not a member of the channel; invite it with /invite @your-bot",
	"is_archived":         "the channel is archived",
	"invalid_auth":        "the bot token is not valid; copy it again from OAuth & Permissions",
	"not_authed":          "no bot token was sent",
	"token_revoked":       "the bot token was revoked; reinstall the app and copy the new token",
	"account_inactive":    "the token belongs to a deleted user or workspace",
	"message_not_found":   "no message with that ts exists in the channel",
	"cant_update_message": "a bot can only update messages it posted itself",
	"thread_not_found":    "no thread with that thread_ts exists in the channel",
	"no_text":             "the message has neither text nor blocks",
	"msg_too_long":        "the text is too long",
	"invalid_blocks":      "the blocks are not valid Block Kit",
}

// checkResponse classifies Slack's {"ok":false} envelope. Non-2xx responses
// (a real 429 with Retry-After, a 5xx from a proxy) are left to the shared
// client's classification.
func checkResponse(resp *connectors.HTTPResponse) error {
	if resp.Status < 200 || resp.Status >= 300 {
		return nil
	}
	ok := resp.Get("ok")
	if !ok.Exists() {
		// Something between us and Slack answered; what it means is unknown,
		// and unknown failures are worth another try.
		return connectors.NewError(connectors.ClassRetryable, resp.Status, "response is not a Slack Web API envelope (no \"ok\" field)")
	}
	if ok.Bool() {
		return nil
	}
	code := resp.Get("error").String()
	if code == "" {
		code = "unknown_error"
	}
	msg := code
	if h, found := hints[code]; found {
		msg += ": " + h
	}
	if code == "missing_scope" {
		if needed := resp.Get("needed").String(); needed != "" {
			msg += ": the app needs the " + needed + " scope; add it under OAuth & Permissions and reinstall"
		}
	}
	// invalid_blocks and friends explain themselves in response_metadata.messages.
	var details []string
	for _, m := range resp.Get("response_metadata.messages").Array() {
		details = append(details, m.String())
	}
	if len(details) > 0 {
		msg += " (" + strings.Join(details, "; ") + ")"
	}
	switch {
	case code == "ratelimited" || code == "rate_limited":
		wait, found := connectors.RetryAfter(resp.Header, resp.Body, time.Now())
		if !found {
			wait = connectors.DefaultRateLimitWait
		}
		return &connectors.Error{Class: connectors.ClassRateLimited, Status: resp.Status, RetryAfter: wait, Message: msg}
	case retryableErrors[code]:
		return connectors.NewError(connectors.ClassRetryable, resp.Status, msg)
	default:
		return connectors.NewError(connectors.ClassPermanent, resp.Status, msg)
	}
}

// callMethod posts body as JSON to one Web API method and returns the
// decoded response. The token travels only in the Authorization header.
func callMethod(ctx context.Context, call *connectors.Call, method string, body map[string]any) (map[string]any, error) {
	token := call.Credential.String(CredentialBotToken)
	if token == "" {
		// Not Required in the spec: a credential used only by the Events
		// API trigger needs just the signing secret.
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required to call the Web API", CredentialBotToken))
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	// Slack warns about JSON bodies sent without a charset.
	h.Set("Content-Type", "application/json; charset=utf-8")
	var out map[string]any
	url := strings.TrimRight(call.BaseURL, "/") + "/" + method
	if _, err := call.HTTP.WithCheck(checkResponse).DoJSON(ctx, http.MethodPost, url, h, body, &out); err != nil {
		return nil, fmt.Errorf("calling %s: %w", method, err)
	}
	return out, nil
}
