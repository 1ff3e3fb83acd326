package slack

import (
	"context"
	"encoding/json"

	"github.com/hookflow/hookflow/connectors"
)

// tsPattern matches Slack message timestamps such as 1503435956.000247.
const tsPattern = `^[0-9]+\.[0-9]+$`

// ReplyInThread returns the reply_in_thread action (chat.postMessage with
// thread_ts).
func ReplyInThread() *connectors.Action {
	input := []connectors.Field{
		channelField(),
		{Name: "thread_ts", Title: "Thread timestamp", Type: connectors.TypeString, Required: true, Example: "1503435956.000247",
			Pattern: tsPattern, PatternHelp: "a Slack message timestamp looks like 1503435956.000247",
			Help: "The ts of the message to reply to (the parent), for example {{ steps.post.output.ts }} or, " +
				"from a Slack event, {{ trigger.event.thread_ts ?? trigger.event.ts }}."},
		{Name: "reply_broadcast", Title: "Also send to channel", Type: connectors.TypeBoolean, Default: false,
			Help: "Also show the reply in the channel, like the \"Also send to #channel\" checkbox."},
	}
	return &connectors.Action{
		Name:         "reply_in_thread",
		Title:        "Reply in a thread",
		Description:  "Reply to a message, starting or continuing its thread (chat.postMessage with thread_ts).",
		Input:        append(input, messageFields()...),
		OutputSample: json.RawMessage(`{"ok":true,"channel":"C123ABC456","ts":"1503435957.000300","message":{"text":"Refund issued","bot_id":"B123ABC456","type":"message","subtype":"bot_message","ts":"1503435957.000300","thread_ts":"1503435956.000247","parent_user_id":"U0G9QF9C6"}}`),
		Run:          runReplyInThread,
	}
}

func runReplyInThread(ctx context.Context, call *connectors.Call) (any, error) {
	body, err := messageBody(call.Input, true)
	if err != nil {
		return nil, err
	}
	body["thread_ts"] = call.Input.String("thread_ts")
	return callMethod(ctx, call, "chat.postMessage", body)
}
