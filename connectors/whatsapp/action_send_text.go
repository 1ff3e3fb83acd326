package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/hookflow/hookflow/connectors"
)

// MaxTextLength is the most characters a text message body may have.
const MaxTextLength = 4096

// SendText returns the send_text action.
func SendText() *connectors.Action {
	return &connectors.Action{
		Name:  "send_text",
		Title: "Send a text message",
		Description: "Send a text message. WhatsApp only delivers free-form messages within 24 hours of the customer's " +
			"last message to you; outside that window use send_template.",
		Input: []connectors.Field{
			toField,
			{Name: "text", Title: "Text", Type: connectors.TypeString, Required: true, Example: "Your order #1001 has shipped 📦",
				Help: "Up to 4096 characters. WhatsApp formatting works: *bold*, _italic_, ~strike~, ```code```."},
			{Name: "preview_url", Title: "Preview links", Type: connectors.TypeBoolean, Default: false,
				Help: "Show a preview of the first http(s) link in the text."},
			replyField,
			phoneField,
		},
		OutputSample: json.RawMessage(`{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA","message_status":"accepted"}],"message_id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA","message_status":"accepted","wa_id":"16505551234"}`),
		Run:          runSendText,
	}
}

func runSendText(ctx context.Context, call *connectors.Call) (any, error) {
	text := call.Input.String("text")
	if n := utf8.RuneCountInString(text); n > MaxTextLength {
		return nil, connectors.InputError("text", fmt.Sprintf("has %d characters; WhatsApp accepts at most %d", n, MaxTextLength))
	}
	return sendMessage(ctx, call, map[string]any{
		"type": "text",
		"text": map[string]any{"body": text, "preview_url": call.Input["preview_url"]},
	})
}
