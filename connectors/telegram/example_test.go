package telegram_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/telegram"
)

// ExampleNew registers the Telegram connector and sends a message with an
// inline keyboard. The credential's base_url points at a stand-in for
// api.telegram.org; the token travels in the request path, as the Bot API
// wants, and never appears in errors.
func ExampleNew() {
	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := reg.Register(telegram.New()); err != nil {
		fmt.Println(err)
		return
	}
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"result":{"message_id":4242,"chat":{"id":123456789,"type":"private"},"date":1735689600,"text":"Order #1001 was paid"}}`)
	}))
	defer stub.Close()

	out, err := reg.Invoke(context.Background(), connectors.Invocation{
		Connector: "telegram",
		Action:    "send_message",
		Input: connectors.Values{
			"chat_id":    123456789,
			"text":       "Order <b>#1001</b> was paid",
			"parse_mode": "HTML",
			"inline_keyboard": []any{[]any{
				map[string]any{"text": "Refund", "callback_data": "refund:1001"},
			}},
		},
		Credential: connectors.Values{"bot_token": "123:AAexample", "base_url": stub.URL},
		RunID:      "run-1",
		StepID:     "notify",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.(map[string]any)["message_id"])
	// Output:
	// POST /bot123:AAexample/sendMessage
	// 4242
}
