package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// maxMessageBytes is the payload limit Teams documents for webhook
// messages (28 KB); a larger one fails with HTTP 413 or a 200 saying so.
const maxMessageBytes = 28 << 10

// throttleWait is the wait after a legacy webhook's throttling reply,
// which names none: Teams allows about four posts a second per webhook.
const throttleWait = 2 * time.Second

// The Adaptive Card version sent: 1.4 is the newest Teams renders on
// every client, mobile included.
const cardVersion = "1.4"

func postMessageAction() *connectors.Action {
	return &connectors.Action{
		Name:  "post_message",
		Title: "Post a message",
		Description: "Post a message to the webhook's channel or chat: your own Adaptive Card, or text (Markdown) with an " +
			"optional bold title, which is sent as a simple Adaptive Card.",
		Input: []connectors.Field{
			{Name: "text", Title: "Text", Type: connectors.TypeString, Example: "Ada Lovelace replied to conversation 12345: \"Can I upgrade?\"",
				Help: "Markdown text. Required unless a card is given."},
			{Name: "title", Title: "Title", Type: connectors.TypeString, Example: "New reply in Intercom",
				Help: "A bold heading above the text."},
			{Name: "card", Title: "Adaptive Card", Type: connectors.TypeObject,
				Example: map[string]any{"type": "AdaptiveCard", "version": cardVersion,
					"body": []any{map[string]any{"type": "TextBlock", "text": "Hello", "wrap": true}}},
				Help: "A whole Adaptive Card (design one at adaptivecards.io/designer). When set, text and title are ignored."},
		},
		OutputSample: json.RawMessage(`{"status":202,"accepted":true}`),
		Run:          runPostMessage,
	}
}

func runPostMessage(ctx context.Context, call *connectors.Call) (any, error) {
	card, _ := call.Input["card"].(map[string]any)
	text, title := call.Input.String("text"), call.Input.String("title")
	switch {
	case card != nil:
		if t, _ := card["type"].(string); t != "AdaptiveCard" {
			return nil, connectors.InputError("card.type", `must be "AdaptiveCard"`)
		}
		if _, ok := card["version"]; !ok {
			card["version"] = cardVersion
		}
	case text == "":
		return nil, connectors.InputError("text", "required unless a card is given")
	default:
		card = textCard(title, text)
	}
	body, err := json.Marshal(map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content":     card,
		}},
	})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("encoding the card: %w", err))
	}
	if len(body) > maxMessageBytes {
		field := "text"
		if call.Input["card"] != nil {
			field = "card"
		}
		return nil, connectors.InputError(field, fmt.Sprintf("the message is %d bytes; Teams takes at most %d", len(body), maxMessageBytes))
	}
	target, err := connectors.WebhookTarget(call, call.Credential.String(CredentialWebhookURL))
	if err != nil {
		return nil, err
	}
	resp, err := call.HTTP.WithCheck(checkResponse).Do(ctx, &connectors.HTTPRequest{
		Method: http.MethodPost, URL: target, Body: body,
		Header: http.Header{"Content-Type": {"application/json"}},
	})
	if err != nil {
		return nil, fmt.Errorf("posting to the Teams webhook: %w", err)
	}
	return map[string]any{"status": resp.Status, "accepted": true}, nil
}

// textCard is the Adaptive Card for a plain text message.
func textCard(title, text string) map[string]any {
	var body []any
	if title != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": true})
	}
	body = append(body, map[string]any{"type": "TextBlock", "text": text, "wrap": true})
	return map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": cardVersion,
		"body":    body,
	}
}

// checkResponse reads the failures a legacy connector webhook reports in a
// 200 body ("Webhook message delivery failed with error: Microsoft Teams
// endpoint returned HTTP error 429 …"); a 200 with "1", or any 202, is
// success.
func checkResponse(resp *connectors.HTTPResponse) error {
	if resp.Status != http.StatusOK {
		return nil
	}
	text := strings.TrimSpace(string(resp.Body))
	if text == "" || text == "1" || !strings.Contains(strings.ToLower(text), "error") {
		return nil
	}
	msg := text
	if len(msg) > connectors.MaxMessageLength {
		msg = msg[:connectors.MaxMessageLength]
	}
	switch {
	case strings.Contains(text, "429"):
		return &connectors.Error{Class: connectors.ClassRateLimited, Status: resp.Status, RetryAfter: throttleWait, Message: msg}
	case strings.Contains(text, "HTTP error 5"):
		return connectors.NewError(connectors.ClassRetryable, resp.Status, msg)
	}
	return connectors.NewError(connectors.ClassPermanent, resp.Status, msg)
}
