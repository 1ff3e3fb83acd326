package intercom

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func replyToConversationAction() *connectors.Action {
	return &connectors.Action{
		Name:  "reply_to_conversation",
		Title: "Reply to a conversation",
		Description: "Reply as an admin (POST /conversations/{id}/reply): a comment the customer sees, or an internal " +
			"note only teammates see. The output is the updated conversation.",
		Input: []connectors.Field{
			{Name: "conversation_id", Title: "Conversation ID", Type: connectors.TypeString, Required: true, Example: "147",
				Pattern: `^[0-9A-Za-z_-]+$`, PatternHelp: "an Intercom conversation id, such as 147",
				Help: "For a conversation webhook: {{ trigger.data.item.id }}."},
			{Name: "body", Title: "Message", Type: connectors.TypeString, Required: true, Example: "<p>Thanks! A specialist will get back to you today.</p>",
				Help: "The reply; HTML paragraphs and links are kept."},
			{Name: "message_type", Title: "Kind", Type: connectors.TypeString, Enum: []string{"comment", "note"}, Default: "comment",
				Help: "comment: the customer sees it; note: only teammates do."},
			{Name: "admin_id", Title: "Admin ID", Type: connectors.TypeString, Example: "814860", Pattern: `^[0-9]+$`, PatternHelp: "an admin id is numeric",
				Help: "Reply as this teammate instead of the credential's admin."},
		},
		OutputSample: json.RawMessage(`{"type":"conversation","id":"147","state":"open","open":true,"admin_assignee_id":814860,` +
			`"conversation_parts":{"type":"conversation_part.list","conversation_parts":[{"type":"conversation_part","id":"4412",` +
			`"part_type":"comment","body":"<p>Thanks! A specialist will get back to you today.</p>","author":{"type":"admin","id":"814860"}}],"total_count":1}}`),
		Run: runReply,
	}
}

func runReply(ctx context.Context, call *connectors.Call) (any, error) {
	token := call.Credential.String(CredentialAccessToken)
	if token == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by Intercom actions", CredentialAccessToken))
	}
	admin := call.Input.String("admin_id")
	if admin == "" {
		admin = call.Credential.String(CredentialAdminID)
	}
	if admin == "" {
		return nil, connectors.InputError("admin_id", "required: set it here or as the credential's admin_id")
	}
	if strings.TrimSpace(call.Input.String("body")) == "" {
		return nil, connectors.InputError("body", "must not be blank")
	}
	body := map[string]any{
		"message_type": call.Input.String("message_type"),
		"type":         "admin",
		"admin_id":     admin,
		"body":         call.Input.String("body"),
	}
	target := strings.TrimRight(call.BaseURL, "/") + "/conversations/" + url.PathEscape(call.Input.String("conversation_id")) + "/reply"
	var out map[string]any
	if _, err := call.HTTP.WithCheck(checkResponse).DoJSON(ctx, http.MethodPost, target, headers(token), body, &out); err != nil {
		return nil, fmt.Errorf("replying to conversation %s: %w", call.Input.String("conversation_id"), err)
	}
	return out, nil
}
