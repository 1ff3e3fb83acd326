package whatsapp

import (
	"context"
	"encoding/json"

	"github.com/hookflow/hookflow/connectors"
)

// MarkRead returns the mark_read action.
func MarkRead() *connectors.Action {
	return &connectors.Action{
		Name:  "mark_read",
		Title: "Mark a message as read",
		Description: "Mark an incoming message (and every earlier one in the conversation) as read, so the customer " +
			"sees blue ticks; optionally show a typing indicator while the workflow prepares a reply.",
		Input: []connectors.Field{
			{Name: "message_id", Title: "Message ID", Type: connectors.TypeString, Required: true,
				Example: "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA=",
				Pattern: `^wamid\.`, PatternHelp: "WhatsApp message ids start with wamid.",
				Help: "The id of a message the business received: {{ trigger.message.id }}."},
			{Name: "typing_indicator", Title: "Show typing indicator", Type: connectors.TypeBoolean, Default: false,
				Help: "Also show \"typing…\" to the customer until the next message is sent (at most 25 seconds)."},
			phoneField,
		},
		OutputSample: json.RawMessage(`{"success":true,"message_id":"wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA="}`),
		Run:          runMarkRead,
	}
}

func runMarkRead(ctx context.Context, call *connectors.Call) (any, error) {
	id := call.Input.String("message_id")
	body := map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": id}
	if typing, _ := call.Input["typing_indicator"].(bool); typing {
		body["typing_indicator"] = map[string]any{"type": "text"}
	}
	out, err := postMessages(ctx, call, body)
	if err != nil {
		return nil, err
	}
	success, _ := out["success"].(bool)
	if !success {
		return nil, connectors.NewError(connectors.ClassPermanent, 200, "the Cloud API did not confirm the read receipt (success is not true)")
	}
	return map[string]any{"success": true, "message_id": id}, nil
}
