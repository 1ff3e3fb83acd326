package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/hookflow/hookflow/connectors"
)

// Discord's documented limits for one message.
const (
	maxContent = 2000
	maxEmbeds  = 10
	maxName    = 80
)

func postMessageAction() *connectors.Action {
	return &connectors.Action{
		Name:  "post_message",
		Title: "Post a message",
		Description: "Post text and/or embeds to the webhook's channel (or a thread of it), waiting for Discord to " +
			"confirm, so the output is the message Discord created. Mentions of @everyone and @here are suppressed " +
			"unless mention_everyone is on.",
		Input: []connectors.Field{
			{Name: "content", Title: "Text", Type: connectors.TypeString, Example: "New deal won: Acme Corp, $48,000 :tada:",
				Help: "Up to 2000 characters of Markdown. Required unless embeds are given."},
			{Name: "embeds", Title: "Embeds", Type: connectors.TypeArray,
				Example: []any{map[string]any{"title": "Acme Corp", "description": "Closed Won", "color": 5763719,
					"fields": []any{map[string]any{"name": "Amount", "value": "$48,000", "inline": true}}}},
				Help: "Up to 10 embed objects (title, description, url, color, fields, footer…), as Discord documents them."},
			{Name: "username", Title: "Post as", Type: connectors.TypeString, Example: "hookflow",
				Help: "Overrides the webhook's name for this message (1–80 characters)."},
			{Name: "avatar_url", Title: "Avatar URL", Type: connectors.TypeString, Example: "https://example.com/bot.png",
				Pattern: `^https?://`, PatternHelp: "an http(s) URL", Help: "Overrides the webhook's avatar for this message."},
			{Name: "thread_id", Title: "Thread ID", Type: connectors.TypeString, Example: "1187654321098765499",
				Pattern: `^[0-9]+$`, PatternHelp: "a thread id is numeric", Help: "Post into this thread of the webhook's channel."},
			{Name: "mention_everyone", Title: "Allow @everyone/@here", Type: connectors.TypeBoolean, Default: false,
				Help: "When off, @everyone and @here in the text do not ping anyone; user and role mentions still do."},
		},
		OutputSample: json.RawMessage(`{"id":"1187700000000000001","channel_id":"1187654321098765000","type":0,` +
			`"content":"New deal won: Acme Corp, $48,000 :tada:","timestamp":"2026-11-30T17:04:12.345000+00:00",` +
			`"author":{"id":"1187654321098765432","username":"hookflow","bot":true},"webhook_id":"1187654321098765432"}`),
		Run: runPostMessage,
	}
}

func runPostMessage(ctx context.Context, call *connectors.Call) (any, error) {
	content := call.Input.String("content")
	embeds, _ := call.Input["embeds"].([]any)
	switch {
	case content == "" && len(embeds) == 0:
		return nil, connectors.InputError("content", "required unless embeds are given")
	case utf8.RuneCountInString(content) > maxContent:
		return nil, connectors.InputError("content", fmt.Sprintf("Discord takes at most %d characters, got %d", maxContent, utf8.RuneCountInString(content)))
	case len(embeds) > maxEmbeds:
		return nil, connectors.InputError("embeds", fmt.Sprintf("Discord takes at most %d embeds, got %d", maxEmbeds, len(embeds)))
	}
	for i, e := range embeds {
		if _, ok := e.(map[string]any); !ok {
			return nil, connectors.InputError(fmt.Sprintf("embeds[%d]", i), "want an embed object")
		}
	}
	if n := utf8.RuneCountInString(call.Input.String("username")); n > maxName {
		return nil, connectors.InputError("username", fmt.Sprintf("at most %d characters", maxName))
	}
	parse := []string{"users", "roles"}
	if everyone, _ := call.Input["mention_everyone"].(bool); everyone {
		parse = append(parse, "everyone")
	}
	body := map[string]any{"allowed_mentions": map[string]any{"parse": parse}}
	if content != "" {
		body["content"] = content
	}
	if len(embeds) > 0 {
		body["embeds"] = embeds
	}
	for _, k := range []string{"username", "avatar_url"} {
		if v := call.Input.String(k); v != "" {
			body[k] = v
		}
	}
	target, err := connectors.WebhookTarget(call, call.Credential.String(CredentialWebhookURL))
	if err != nil {
		return nil, err
	}
	q := url.Values{"wait": {"true"}}
	if id := call.Input.String("thread_id"); id != "" {
		q.Set("thread_id", id)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("encoding the message: %w", err))
	}
	resp, err := call.HTTP.WithCheck(checkResponse).Do(ctx, &connectors.HTTPRequest{
		Method: http.MethodPost, URL: target, Query: q, Body: data,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
	})
	if err != nil {
		return nil, fmt.Errorf("posting to the Discord webhook: %w", err)
	}
	var out map[string]any
	if err := resp.Decode("Discord", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkResponse adds Discord's error code ("code 50027" is an invalid
// webhook token) and, for a rate limit, whether it is the global one.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	ce.Annotate(resp.Details("", "code"))
	if resp.Get("global").Bool() {
		ce.Annotate("global rate limit")
	}
	return ce
}
