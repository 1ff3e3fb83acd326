package googlechat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/hookflow/hookflow/connectors"
)

// maxText is Google Chat's limit on a message's text (4,096 characters).
const maxText = 4096

// replyOptions maps the action's thread options to messageReplyOption.
var replyOptions = map[string]string{
	"new_thread_if_missing": "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
	"only_existing_thread":  "REPLY_MESSAGE_OR_FAIL",
}

func postMessageAction() *connectors.Action {
	return &connectors.Action{
		Name:  "post_message",
		Title: "Post a message",
		Description: "Post text (Google Chat formatting: *bold*, _italic_, <users/all>) and optional cards to the webhook's " +
			"space. With a thread key, messages sharing that key (such as a ticket id) are grouped in one thread.",
		Input: []connectors.Field{
			{Name: "text", Title: "Text", Type: connectors.TypeString, Example: "*Deal won:* Acme Corp, $48,000",
				Help: "Up to 4096 characters. Required unless cards are given."},
			{Name: "cards_v2", Title: "Cards", Type: connectors.TypeArray,
				Example: []any{map[string]any{"cardId": "deal", "card": map[string]any{"header": map[string]any{"title": "Acme Corp"}}}},
				Help:    "Cards in Google Chat's cardsV2 format ({cardId, card})."},
			{Name: "thread_key", Title: "Thread key", Type: connectors.TypeString, Example: "deal-0065g00000QrStUAAV",
				Help: "Any string: messages with the same key go to the same thread, created on first use."},
			{Name: "thread_option", Title: "If the thread does not exist", Type: connectors.TypeString,
				Enum: []string{"new_thread_if_missing", "only_existing_thread"}, Default: "new_thread_if_missing",
				Help: "With a thread key: start a thread when none has the key, or fail."},
		},
		OutputSample: json.RawMessage(`{"name":"spaces/AAAAx1y2z3/messages/kBZ9kC0.kBZ9kC0","sender":{"name":"users/114022495153014004089",` +
			`"displayName":"hookflow","type":"BOT"},"text":"*Deal won:* Acme Corp, $48,000","createTime":"2026-11-30T17:04:12.345679Z",` +
			`"thread":{"name":"spaces/AAAAx1y2z3/threads/kBZ9kC0","threadKey":"deal-0065g00000QrStUAAV"},"space":{"name":"spaces/AAAAx1y2z3","type":"ROOM"}}`),
		Run: runPostMessage,
	}
}

func runPostMessage(ctx context.Context, call *connectors.Call) (any, error) {
	text := call.Input.String("text")
	cards, _ := call.Input["cards_v2"].([]any)
	switch {
	case text == "" && len(cards) == 0:
		return nil, connectors.InputError("text", "required unless cards are given")
	case utf8.RuneCountInString(text) > maxText:
		return nil, connectors.InputError("text", fmt.Sprintf("Google Chat takes at most %d characters, got %d", maxText, utf8.RuneCountInString(text)))
	}
	body := map[string]any{}
	if text != "" {
		body["text"] = text
	}
	for i, c := range cards {
		if _, ok := c.(map[string]any); !ok {
			return nil, connectors.InputError(fmt.Sprintf("cards_v2[%d]", i), "want a {cardId, card} object")
		}
	}
	if len(cards) > 0 {
		body["cardsV2"] = cards
	}
	q := url.Values{}
	if key := call.Input.String("thread_key"); key != "" {
		body["thread"] = map[string]any{"threadKey": key}
		q.Set("messageReplyOption", replyOptions[call.Input.String("thread_option")])
	}
	target, err := connectors.WebhookTarget(call, call.Credential.String(CredentialWebhookURL))
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("encoding the message: %w", err))
	}
	resp, err := call.HTTP.WithCheck(checkResponse).Do(ctx, &connectors.HTTPRequest{
		Method: http.MethodPost, URL: target, Query: q, Body: data,
		Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}, "Accept": {"application/json"}},
	})
	if err != nil {
		return nil, fmt.Errorf("posting to the Google Chat webhook: %w", err)
	}
	var out map[string]any
	if err := resp.Decode("Google Chat", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkResponse adds Google's status ("INVALID_ARGUMENT",
// "RESOURCE_EXHAUSTED") to the message.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	ce.Annotate(resp.Details("error.", "status"))
	return ce
}
