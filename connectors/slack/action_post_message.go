package slack

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hookflow/hookflow/connectors"
)

// MaxBlocks is the most blocks Slack accepts in one message.
const MaxBlocks = 50

// PostMessage returns the post_message action (chat.postMessage).
func PostMessage() *connectors.Action {
	return &connectors.Action{
		Name:  "post_message",
		Title: "Post a message",
		Description: "Post a message to a channel, private channel or DM as the bot (chat.postMessage). " +
			"Give text, Block Kit blocks, or both: with blocks, the text is the notification fallback.",
		Input:        append([]connectors.Field{channelField()}, messageFields()...),
		OutputSample: json.RawMessage(`{"ok":true,"channel":"C123ABC456","ts":"1503435956.000247","message":{"text":"Here's a message for you","username":"ecto1","bot_id":"B123ABC456","type":"message","subtype":"bot_message","ts":"1503435956.000247"}}`),
		Run:          runPostMessage,
	}
}

func channelField() connectors.Field {
	return connectors.Field{
		Name: "channel", Title: "Channel", Type: connectors.TypeString, Required: true, Example: "C0123456789",
		Help: "Channel ID (C…, G…) or DM ID (D…); a user ID (U…) opens a DM with the bot. " +
			"IDs keep working when a channel is renamed; #names are accepted for public channels.",
	}
}

// messageFields are the content fields post_message, reply_in_thread and
// update_message share.
func messageFields() []connectors.Field {
	return []connectors.Field{
		{Name: "text", Title: "Text", Type: connectors.TypeString, Example: "New order *#1001* from Ada",
			Help: "Message text in Slack mrkdwn. Required unless blocks are given; with blocks it is the notification fallback."},
		{Name: "blocks", Title: "Blocks", Type: connectors.TypeArray,
			Example: []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*Order #1001* paid"}}},
			Help:    "Block Kit blocks (at most 50), as built in Slack's Block Kit Builder."},
		{Name: "unfurl_links", Title: "Unfurl links", Type: connectors.TypeBoolean,
			Help: "Show previews of links in the text. Left empty, Slack decides."},
		{Name: "unfurl_media", Title: "Unfurl media", Type: connectors.TypeBoolean,
			Help: "Show previews of images and videos. Left empty, Slack decides."},
		{Name: "username", Title: "Bot name", Type: connectors.TypeString, Example: "Order bot",
			Help: "Post under another name (needs the chat:write.customize scope)."},
		{Name: "icon_emoji", Title: "Icon emoji", Type: connectors.TypeString, Example: ":package:",
			Pattern: `^:[^:\s]+:$`, PatternHelp: "an emoji is written as :name:",
			Help: "Post with this emoji as the avatar (needs chat:write.customize)."},
		{Name: "icon_url", Title: "Icon URL", Type: connectors.TypeString, Example: "https://example.com/bot.png",
			Pattern: `^https?://`, PatternHelp: "must be an http:// or https:// URL",
			Help: "Post with this image as the avatar (needs chat:write.customize)."},
	}
}

// messageBody builds the JSON arguments shared by the chat methods from the
// validated input. Optional flags are sent only when set, so Slack's own
// defaults apply otherwise.
func messageBody(in connectors.Values, requireContent bool) (map[string]any, error) {
	body := map[string]any{"channel": in.String("channel")}
	text := in.String("text")
	if text != "" {
		body["text"] = text
	}
	if raw, ok := in["blocks"]; ok {
		blocks, err := checkBlocks(raw)
		if err != nil {
			return nil, err
		}
		if len(blocks) > 0 {
			body["blocks"] = blocks
		}
	}
	if requireContent && text == "" && body["blocks"] == nil {
		return nil, fieldError("text", "required when blocks is empty")
	}
	for _, name := range []string{"unfurl_links", "unfurl_media", "reply_broadcast"} {
		if v, ok := in[name]; ok {
			body[name] = v
		}
	}
	for _, name := range []string{"username", "icon_emoji", "icon_url"} {
		if v := in.String(name); v != "" {
			body[name] = v
		}
	}
	return body, nil
}

// checkBlocks makes sure every block is an object with a type, so a broken
// template fails here with a path instead of as Slack's invalid_blocks.
func checkBlocks(raw any) ([]any, error) {
	var blocks []any
	switch b := raw.(type) {
	case []any:
		blocks = b
	case []map[string]any:
		for _, m := range b {
			blocks = append(blocks, m)
		}
	default:
		return nil, fieldError("blocks", "want an array of block objects")
	}
	if len(blocks) > MaxBlocks {
		return nil, fieldError("blocks", fmt.Sprintf("has %d blocks; Slack accepts at most %d", len(blocks), MaxBlocks))
	}
	for i, b := range blocks {
		m, ok := b.(map[string]any)
		if !ok {
			return nil, fieldError(fmt.Sprintf("blocks[%d]", i), "want a block object")
		}
		if t, _ := m["type"].(string); t == "" {
			return nil, fieldError(fmt.Sprintf("blocks[%d].type", i), "required (section, header, divider, actions, context, image…)")
		}
	}
	return blocks, nil
}

// fieldError is a permanent input error naming the field, in the same shape
// the registry's validation uses.
func fieldError(path, problem string) error {
	return connectors.Permanent(&connectors.ValidationError{Errors: []*connectors.FieldError{
		{Path: "input." + path, Field: path, Problem: problem},
	}})
}

func runPostMessage(ctx context.Context, call *connectors.Call) (any, error) {
	body, err := messageBody(call.Input, true)
	if err != nil {
		return nil, err
	}
	return callMethod(ctx, call, "chat.postMessage", body)
}
