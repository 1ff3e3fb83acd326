package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/hookflow/hookflow/connectors"
)

// MaxCallbackAnswerLength is the most characters an answer's text may have.
const MaxCallbackAnswerLength = 200

// AnswerCallbackQuery returns the answer_callback_query action
// (answerCallbackQuery).
func AnswerCallbackQuery() *connectors.Action {
	return &connectors.Action{
		Name:  "answer_callback_query",
		Title: "Answer a button press",
		Description: "Answer the callback query an inline keyboard button produced: Telegram shows the user's app a " +
			"spinner until the bot answers, so a workflow started by a callback_query should answer it early.",
		Input: []connectors.Field{
			{Name: "callback_query_id", Title: "Callback query id", Type: connectors.TypeString, Required: true,
				Example: "4382bfdwdsb323b2d9", Help: "From the trigger: {{ trigger.callback_query.id }}."},
			{Name: "text", Title: "Text", Type: connectors.TypeString, Example: "Refund started",
				Help: "Up to 200 characters shown to the user. Left empty, nothing is shown."},
			{Name: "show_alert", Title: "Show as alert", Type: connectors.TypeBoolean, Default: false,
				Help: "Show an alert the user must dismiss instead of a notice at the top of the chat."},
			{Name: "url", Title: "URL", Type: connectors.TypeString, Example: "https://t.me/order_bot?start=1001",
				Pattern: `^(https?|tg)://`, PatternHelp: "must be an http(s):// or tg:// URL",
				Help: "A URL the user's app opens, such as t.me/your_bot?start=XXXX."},
			{Name: "cache_time", Title: "Cache time (s)", Type: connectors.TypeInteger,
				Help: "How long the app may cache this answer, in seconds (default 0)."},
		},
		OutputSample: json.RawMessage(`{"answered":true}`),
		Run:          runAnswerCallbackQuery,
	}
}

func runAnswerCallbackQuery(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	body := map[string]any{"callback_query_id": in.String("callback_query_id"), "show_alert": in["show_alert"]}
	if text := in.String("text"); text != "" {
		if n := utf8.RuneCountInString(text); n > MaxCallbackAnswerLength {
			return nil, connectors.InputError("text", fmt.Sprintf("has %d characters; Telegram shows at most %d", n, MaxCallbackAnswerLength))
		}
		body["text"] = text
	}
	if u := in.String("url"); u != "" {
		body["url"] = u
	}
	if v, ok := in["cache_time"]; ok {
		if n, _ := v.(int64); n < 0 {
			return nil, connectors.InputError("cache_time", "must not be negative")
		}
		body["cache_time"] = v
	}
	result, err := callMethod(ctx, call, "answerCallbackQuery", body)
	if err != nil {
		return nil, err
	}
	answered, _ := result.(bool)
	return map[string]any{"answered": answered}, nil
}
