package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hookflow/hookflow/connectors"
)

// Limits the Bot API documents for sendMessage.
const (
	MaxTextLength         = 4096 // characters of text after entity parsing
	MaxCallbackDataLength = 64   // bytes of a button's callback_data
)

// buttonKinds are the InlineKeyboardButton fields that say what a button
// does; the Bot API requires exactly one of them besides text.
var buttonKinds = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
}

// SendMessage returns the send_message action (sendMessage).
func SendMessage() *connectors.Action {
	return &connectors.Action{
		Name:  "send_message",
		Title: "Send a message",
		Description: "Send a text message to a chat, group or channel, optionally formatted and with inline keyboard " +
			"buttons under it. A button with callback_data starts the Telegram trigger with a callback_query when pressed.",
		Input: []connectors.Field{
			{Name: "chat_id", Title: "Chat", Type: connectors.TypeAny, Required: true, Example: 123456789,
				Help: "The numeric chat id (for a message the bot received: {{ trigger.message.chat.id }}) or @channelusername for a public channel."},
			{Name: "text", Title: "Text", Type: connectors.TypeString, Required: true, Example: "Order <b>#1001</b> was paid",
				Help: "1–4096 characters after formatting is parsed."},
			{Name: "parse_mode", Title: "Formatting", Type: connectors.TypeString, Enum: []string{"MarkdownV2", "HTML", "Markdown"},
				Help: "How to read formatting in text. Left empty, the text is sent as is. MarkdownV2 needs _*[]()~`>#+-=|{}.! escaped with a backslash."},
			{Name: "inline_keyboard", Title: "Inline keyboard", Type: connectors.TypeArray,
				Example: []any{[]any{
					map[string]any{"text": "Refund", "callback_data": "refund:1001"},
					map[string]any{"text": "Open order", "url": "https://shop.example.com/orders/1001"},
				}},
				Help: "Rows of buttons under the message. Each button has text and one action: callback_data (up to 64 bytes, comes back in a callback_query), url, web_app, copy_text…"},
			{Name: "disable_notification", Title: "Send silently", Type: connectors.TypeBoolean,
				Help: "Deliver without sound."},
			{Name: "protect_content", Title: "Protect content", Type: connectors.TypeBoolean,
				Help: "Stop the message from being forwarded or saved."},
			{Name: "disable_link_preview", Title: "No link preview", Type: connectors.TypeBoolean,
				Help: "Do not show a preview for the first link in the text."},
			{Name: "reply_to_message_id", Title: "Reply to message", Type: connectors.TypeInteger, Example: 4241,
				Help: "Send as a reply to this message in the same chat."},
			{Name: "message_thread_id", Title: "Topic", Type: connectors.TypeInteger,
				Help: "For forum supergroups: the topic (message thread) to send into."},
		},
		OutputSample: json.RawMessage(`{"message_id":4242,"from":{"id":7012345678,"is_bot":true,"first_name":"Order Bot","username":"order_bot"},"chat":{"id":123456789,"first_name":"Ada","username":"ada_l","type":"private"},"date":1735689600,"text":"Order #1001 was paid","entities":[{"offset":6,"length":5,"type":"bold"}],"reply_markup":{"inline_keyboard":[[{"text":"Refund","callback_data":"refund:1001"},{"text":"Open order","url":"https://shop.example.com/orders/1001"}]]}}`),
		Run:          runSendMessage,
	}
}

func runSendMessage(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	chatID, err := chatID(in["chat_id"])
	if err != nil {
		return nil, err
	}
	text := in.String("text")
	if n := utf8.RuneCountInString(text); n > MaxTextLength {
		return nil, connectors.InputError("text", fmt.Sprintf("has %d characters; Telegram accepts at most %d", n, MaxTextLength))
	}
	body := map[string]any{"chat_id": chatID, "text": text}
	if pm := in.String("parse_mode"); pm != "" {
		body["parse_mode"] = pm
	}
	for _, name := range []string{"disable_notification", "protect_content", "message_thread_id"} {
		if v, ok := in[name]; ok {
			body[name] = v
		}
	}
	if v, ok := in["disable_link_preview"]; ok {
		body["link_preview_options"] = map[string]any{"is_disabled": v}
	}
	if v, ok := in["reply_to_message_id"]; ok {
		body["reply_parameters"] = map[string]any{"message_id": v}
	}
	if raw, ok := in["inline_keyboard"]; ok {
		rows, err := inlineKeyboard(raw)
		if err != nil {
			return nil, err
		}
		body["reply_markup"] = map[string]any{"inline_keyboard": rows}
	}
	return callMethod(ctx, call, "sendMessage", body)
}

var numericID = regexp.MustCompile(`^-?[0-9]+$`)

// chatID accepts what a template can produce for a chat: a JSON number, a
// numeric string (rendered {{ trigger.message.chat.id }}) or @username.
// Numbers are sent as integers, so ids above 2^31 survive.
func chatID(v any) (any, error) {
	switch id := v.(type) {
	case string:
		id = strings.TrimSpace(id)
		switch {
		case numericID.MatchString(id):
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return nil, connectors.InputError("chat_id", "is out of range")
			}
			return n, nil
		case strings.HasPrefix(id, "@") && len(id) > 1:
			return id, nil
		}
		return nil, connectors.InputError("chat_id", "want a numeric chat id or @channelusername")
	case float64:
		if id != math.Trunc(id) || math.Abs(id) > 1<<53 {
			return nil, connectors.InputError("chat_id", "want an integer chat id")
		}
		return int64(id), nil
	case int, int32, int64, json.Number:
		return id, nil
	}
	return nil, connectors.InputError("chat_id", "want a numeric chat id or @channelusername")
}

// inlineKeyboard checks the rows of buttons so a malformed keyboard fails
// with the button's path instead of Telegram's "can't parse inline keyboard
// button".
func inlineKeyboard(raw any) ([]any, error) {
	rows, ok := asSlice(raw)
	if !ok {
		return nil, connectors.InputError("inline_keyboard", "want an array of button rows")
	}
	for i, r := range rows {
		buttons, ok := asSlice(r)
		if !ok {
			return nil, connectors.InputError(fmt.Sprintf("inline_keyboard[%d]", i), "want an array of buttons (a row)")
		}
		for j, b := range buttons {
			path := fmt.Sprintf("inline_keyboard[%d][%d]", i, j)
			button, ok := b.(map[string]any)
			if !ok {
				return nil, connectors.InputError(path, "want a button object with text and one action such as callback_data or url")
			}
			if t, _ := button["text"].(string); t == "" {
				return nil, connectors.InputError(path+".text", "required")
			}
			var kinds []string
			for _, k := range buttonKinds {
				if _, ok := button[k]; ok {
					kinds = append(kinds, k)
				}
			}
			if len(kinds) != 1 {
				return nil, connectors.InputError(path, "needs exactly one of "+strings.Join(buttonKinds[:3], ", ")+"…, got "+strconv.Itoa(len(kinds)))
			}
			if data, ok := button["callback_data"].(string); ok && (len(data) == 0 || len(data) > MaxCallbackDataLength) {
				return nil, connectors.InputError(path+".callback_data", fmt.Sprintf("must be 1-%d bytes, got %d", MaxCallbackDataLength, len(data)))
			}
		}
	}
	return rows, nil
}

func asSlice(v any) ([]any, bool) {
	switch s := v.(type) {
	case []any:
		return s, true
	case []map[string]any:
		out := make([]any, len(s))
		for i, m := range s {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}
