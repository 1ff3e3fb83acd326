package slack

import (
	"context"
	"encoding/json"

	"github.com/hookflow/hookflow/connectors"
)

// UpdateMessage returns the update_message action (chat.update).
func UpdateMessage() *connectors.Action {
	input := []connectors.Field{
		channelField(),
		{Name: "ts", Title: "Message timestamp", Type: connectors.TypeString, Required: true, Example: "1503435956.000247",
			Pattern: tsPattern, PatternHelp: "a Slack message timestamp looks like 1503435956.000247",
			Help: "The ts of the message to change, for example {{ steps.post.output.ts }}. Bots can only update their own messages."},
		{Name: "reply_broadcast", Title: "Broadcast thread reply", Type: connectors.TypeBoolean,
			Help: "For a thread reply: also show it in the channel."},
	}
	// chat.update cannot change the sender, so the customisation fields of
	// post_message are left out.
	for _, f := range messageFields() {
		switch f.Name {
		case "username", "icon_emoji", "icon_url", "unfurl_links", "unfurl_media":
			continue
		}
		input = append(input, f)
	}
	return &connectors.Action{
		Name:         "update_message",
		Title:        "Update a message",
		Description:  "Replace the text or blocks of a message the bot posted earlier (chat.update), for example to mark an alert as handled.",
		Input:        input,
		OutputSample: json.RawMessage(`{"ok":true,"channel":"C123ABC456","ts":"1401383885.000061","text":"Updated text you carefully authored","message":{"text":"Updated text you carefully authored","user":"U34567890"}}`),
		Run:          runUpdateMessage,
	}
}

func runUpdateMessage(ctx context.Context, call *connectors.Call) (any, error) {
	body, err := messageBody(call.Input, true)
	if err != nil {
		return nil, err
	}
	body["ts"] = call.Input.String("ts")
	return callMethod(ctx, call, "chat.update", body)
}
