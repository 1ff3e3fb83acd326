package messenger

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/hookflow/hookflow/connectors"
)

// maxText is the Send API's limit on a text message (2000 characters).
const maxText = 2000

func sendMessageAction() *connectors.Action {
	return &connectors.Action{
		Name:  "send_message",
		Title: "Send a message",
		Description: "Send a text message from your Page to a person (Send API, POST /me/messages). Replies within 24 hours " +
			"of the person's last message use messaging_type RESPONSE; later ones need MESSAGE_TAG and a tag.",
		Input: []connectors.Field{
			{Name: "recipient_id", Title: "Recipient (PSID)", Type: connectors.TypeString, Required: true, Example: "6789012345678901",
				Pattern: `^[0-9]+$`, PatternHelp: "a page-scoped id is numeric",
				Help: "The person's page-scoped id; for a message the trigger received: {{ trigger.sender.id }}."},
			{Name: "text", Title: "Text", Type: connectors.TypeString, Required: true, Example: "Thanks! Your order ships tomorrow.",
				Help: "Up to 2000 characters."},
			{Name: "messaging_type", Title: "Messaging type", Type: connectors.TypeString, Enum: []string{"RESPONSE", "UPDATE", "MESSAGE_TAG"},
				Default: "RESPONSE", Help: "RESPONSE answers a message received in the last 24 hours."},
			{Name: "tag", Title: "Message tag", Type: connectors.TypeString,
				Enum: []string{"HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"},
				Help: "Required with MESSAGE_TAG: why a message outside the 24-hour window is allowed."},
		},
		OutputSample: json.RawMessage(`{"recipient_id":"6789012345678901","message_id":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"}`),
		Run:          runSendMessage,
	}
}

func runSendMessage(ctx context.Context, call *connectors.Call) (any, error) {
	token := call.Credential.String(CredentialPageAccessToken)
	if token == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by the send action", CredentialPageAccessToken))
	}
	text := call.Input.String("text")
	switch n := utf8.RuneCountInString(text); {
	case strings.TrimSpace(text) == "":
		return nil, connectors.InputError("text", "must not be blank")
	case n > maxText:
		return nil, connectors.InputError("text", fmt.Sprintf("Messenger takes at most %d characters, got %d", maxText, n))
	}
	mtype, tag := call.Input.String("messaging_type"), call.Input.String("tag")
	switch {
	case mtype == "MESSAGE_TAG" && tag == "":
		return nil, connectors.InputError("tag", "required when messaging_type is MESSAGE_TAG")
	case mtype != "MESSAGE_TAG" && tag != "":
		return nil, connectors.InputError("tag", "only used with messaging_type MESSAGE_TAG")
	}
	body := map[string]any{
		"recipient":      map[string]any{"id": call.Input.String("recipient_id")},
		"messaging_type": mtype,
		"message":        map[string]any{"text": text},
	}
	if tag != "" {
		body["tag"] = tag
	}
	h := http.Header{}
	// The token goes in a header rather than the documented access_token
	// query parameter, so it never appears in a URL that a proxy logs.
	h.Set("Authorization", "Bearer "+token)
	var out map[string]any
	target := strings.TrimRight(call.BaseURL, "/") + "/me/messages"
	if _, err := call.HTTP.WithCheck(checkResponse).DoJSON(ctx, http.MethodPost, target, h, body, &out); err != nil {
		return nil, fmt.Errorf("sending the message: %w", err)
	}
	if id, _ := out["message_id"].(string); id == "" {
		return nil, connectors.NewError(connectors.ClassPermanent, http.StatusOK, "the Send API accepted the request but returned no message_id")
	}
	return out, nil
}
