// Package whatsapp is the WhatsApp Business connector on Meta's Cloud API:
// the webhook trigger (verify.go, event.go, handshake.go, sharing
// Messenger's X-Hub-Signature-256 scheme) and actions that send text and
// template messages and mark messages as read.
//
// The Cloud API is part of the Graph API, whose errors look like
// {"error":{"message","type","code","error_subcode","fbtrace_id"}}. Meta
// reports throttling with ordinary 400s and codes 4, 80007, 130429 and
// 131056, so checkResponse classifies by code, not only by HTTP status.
package whatsapp

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "whatsapp"

// DefaultBaseURL is the Graph API, pinned to the version these actions were
// written against. A credential's base_url on the same host can move to a
// newer version.
const DefaultBaseURL = "https://graph.facebook.com/v21.0"

// Credential fields the actions read.
const (
	// CredentialAccessToken holds a System User access token with the
	// whatsapp_business_messaging permission.
	CredentialAccessToken = "access_token"
	// CredentialPhoneNumberID is the id of the business phone number that
	// sends (not the phone number itself).
	CredentialPhoneNumberID = "phone_number_id"
)

// New returns the WhatsApp connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:  Name,
		Title: "WhatsApp",
		Description: "Send WhatsApp text and template messages from your business number through Meta's Cloud API, " +
			"mark messages as read, and start workflows from incoming messages and delivery statuses.",
		Icon:       "/ui/icons/whatsapp.svg",
		DocsURL:    "https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages",
		BaseURL:    DefaultBaseURL,
		Credential: credentialFields(),
		Triggers:   []*connectors.Trigger{Trigger()},
		Actions:    []*connectors.Action{SendText(), SendTemplate(), MarkRead()},
	}
}

func credentialFields() []connectors.Field {
	own := []connectors.Field{
		{
			Name: CredentialAccessToken, Title: "Access token", Type: connectors.TypeString, Required: true, ForActions: true, Secret: true,
			Example: "EAAG…", Pattern: `^EA`, PatternHelp: "Meta access tokens start with EA",
			Help: "A System User token with the whatsapp_business_messaging permission (Business Settings → Users → System users → " +
				"Generate new token). The temporary token on the API Setup page expires after 24 hours.",
		},
		{
			Name: CredentialPhoneNumberID, Title: "Phone number ID", Type: connectors.TypeString, Required: true, ForActions: true, Example: "106540352242922",
			Pattern: `^[0-9]+$`, PatternHelp: "the phone number ID is the numeric id shown under WhatsApp → API Setup, not the phone number",
			Help: "WhatsApp → API Setup in the Meta App Dashboard, under \"Phone number ID\". Messages are sent from this number.",
		},
	}
	return connectors.MergeFields(own, TriggerCredential)
}

// rateLimitWaits are the throttling error codes and how long to wait when
// Meta names no time: 4 (app call rate), 80007 (WhatsApp Business Account
// rate), 130429 (phone number throughput, about 80 messages a second) and
// 131056 (pair rate: about one message every 6 seconds to one customer).
var rateLimitWaits = map[int64]time.Duration{
	4:      time.Minute,
	80007:  time.Minute,
	130429: 2 * time.Second,
	131056: 6 * time.Second,
}

// retryableCodes are the codes Meta documents as temporary: unknown and
// service errors, "something went wrong", service unavailable, and the
// business number's server being temporarily unavailable.
var retryableCodes = map[int64]bool{1: true, 2: true, 131000: true, 131016: true, 133004: true}

// hints explain the commonest permanent errors.
var hints = map[int64]string{
	190:    "the access token expired or was revoked; use a System User token",
	131030: "while the app is in development, add the recipient under API Setup → To",
	131047: "more than 24 hours have passed since the customer last wrote; only a template message can be sent now",
	132001: "no approved template with that name exists in that language",
}

// checkResponse classifies Graph API error bodies. Responses without an
// error object are left to the default classification.
func checkResponse(resp *connectors.HTTPResponse) error {
	e := resp.Get("error")
	if !e.IsObject() {
		return nil
	}
	code := e.Get("code").Int()
	msg := e.Get("message").String()
	if msg == "" {
		msg = "Graph API error"
	}
	if d := e.Get("error_data.details").String(); d != "" && !strings.Contains(msg, d) {
		msg += ": " + d
	}
	if h, ok := hints[code]; ok {
		msg += " (" + h + ")"
	}
	var ids []string
	if code != 0 {
		ids = append(ids, fmt.Sprintf("code %d", code))
	}
	if sub := e.Get("error_subcode"); sub.Exists() {
		ids = append(ids, "subcode "+sub.String())
	}
	if trace := e.Get("fbtrace_id").String(); trace != "" {
		ids = append(ids, "fbtrace_id "+trace)
	}
	if len(ids) > 0 {
		msg += " [" + strings.Join(ids, ", ") + "]"
	}
	defaultWait, throttled := rateLimitWaits[code]
	switch {
	case throttled || resp.Status == http.StatusTooManyRequests:
		return &connectors.Error{Class: connectors.ClassRateLimited, Status: resp.Status, RetryAfter: throttleWait(resp, defaultWait), Message: msg}
	case retryableCodes[code] || resp.Status >= 500:
		return connectors.NewError(connectors.ClassRetryable, resp.Status, msg)
	default:
		return connectors.NewError(connectors.ClassPermanent, resp.Status, msg)
	}
}

// throttleWait reads how long Meta wants us to wait: Retry-After, then the
// estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage,
// then the code's default.
func throttleWait(resp *connectors.HTTPResponse, fallback time.Duration) time.Duration {
	if wait, ok := connectors.RetryAfter(resp.Header, nil, time.Now()); ok {
		return wait
	}
	if usage := resp.Header.Get("X-Business-Use-Case-Usage"); usage != "" && gjson.Valid(usage) {
		var minutes int64
		gjson.Parse(usage).ForEach(func(_, entries gjson.Result) bool {
			for _, u := range entries.Array() {
				minutes = max(minutes, u.Get("estimated_time_to_regain_access").Int())
			}
			return true
		})
		if minutes > 0 {
			return time.Duration(minutes) * time.Minute
		}
	}
	if fallback == 0 {
		fallback = connectors.DefaultRateLimitWait
	}
	return fallback
}

// postMessages sends one request to /{phone_number_id}/messages. The input
// may override the credential's sending number.
func postMessages(ctx context.Context, call *connectors.Call, body map[string]any) (map[string]any, error) {
	phone := call.Input.String("phone_number_id")
	if phone == "" {
		phone = call.Credential.String(CredentialPhoneNumberID)
	}
	if phone == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required", CredentialPhoneNumberID))
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+call.Credential.String(CredentialAccessToken))
	url := strings.TrimRight(call.BaseURL, "/") + "/" + phone + "/messages"
	var out map[string]any
	if _, err := call.HTTP.WithCheck(checkResponse).DoJSON(ctx, http.MethodPost, url, h, body, &out); err != nil {
		return nil, fmt.Errorf("posting to the messages endpoint: %w", err)
	}
	return out, nil
}

// sendMessage posts an outgoing message and lifts the new message's id and
// the recipient's WhatsApp id to the top of the output, where later steps
// (and the status webhooks, which carry the same id) can find them.
func sendMessage(ctx context.Context, call *connectors.Call, body map[string]any) (any, error) {
	body["messaging_product"] = "whatsapp"
	body["recipient_type"] = "individual"
	body["to"] = normalizeNumber(call.Input.String("to"))
	if id := call.Input.String("reply_to_message_id"); id != "" {
		body["context"] = map[string]any{"message_id": id}
	}
	out, err := postMessages(ctx, call, body)
	if err != nil {
		return nil, err
	}
	messages, _ := out["messages"].([]any)
	first, _ := firstObject(messages)
	id, _ := first["id"].(string)
	if id == "" {
		return nil, connectors.NewError(connectors.ClassPermanent, http.StatusOK, "the Cloud API accepted the request but returned no message id")
	}
	out["message_id"] = id
	if status, ok := first["message_status"]; ok {
		out["message_status"] = status
	}
	contacts, _ := out["contacts"].([]any)
	if contact, ok := firstObject(contacts); ok {
		out["wa_id"] = contact["wa_id"]
	}
	return out, nil
}

func firstObject(list []any) (map[string]any, bool) {
	if len(list) == 0 {
		return map[string]any{}, false
	}
	m, ok := list[0].(map[string]any)
	if !ok {
		return map[string]any{}, false
	}
	return m, true
}

// normalizeNumber strips the spaces, dashes and parentheses people type in
// phone numbers; the Cloud API wants digits, optionally after a +.
func normalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '.':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// Fields every action shares.
var (
	toField = connectors.Field{
		Name: "to", Title: "To", Type: connectors.TypeString, Required: true, Example: "+16505551234",
		Pattern: `^\+?[0-9 ()\-.]{6,24}$`, PatternHelp: "a phone number in international form, like +16505551234",
		Help: "The customer's number with country code; for a message the trigger received: {{ trigger.message.from }}.",
	}
	phoneField = connectors.Field{
		Name: "phone_number_id", Title: "Send from (phone number ID)", Type: connectors.TypeString, Example: "106540352242922",
		Pattern: `^[0-9]+$`, PatternHelp: "the phone number ID is numeric",
		Help: "Leave empty to use the credential's phone number ID. Set it to send from another number of the same account.",
	}
	replyField = connectors.Field{
		Name: "reply_to_message_id", Title: "Reply to message", Type: connectors.TypeString, Example: "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA=",
		Pattern: `^wamid\.`, PatternHelp: "WhatsApp message ids start with wamid.",
		Help: "Quote this message in the reply ({{ trigger.message.id }}).",
	}
)
