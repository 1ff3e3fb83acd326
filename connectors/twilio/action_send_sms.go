package twilio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/hookflow/hookflow/connectors"
)

// Limits Twilio documents for the Message resource.
const (
	MaxBodyLength = 1600 // characters
	MaxMediaURLs  = 10
)

// SendSMS returns the send_sms action (POST .../Messages.json).
func SendSMS() *connectors.Action {
	return &connectors.Action{
		Name:  "send_sms",
		Title: "Send an SMS",
		Description: "Send an SMS (or an MMS with media URLs) from one of your Twilio numbers or a Messaging Service. " +
			"Twilio queues the message; pass a status callback URL to learn when it is delivered.",
		Input: []connectors.Field{
			{Name: "to", Title: "To", Type: connectors.TypeString, Required: true, Example: "+14155552671",
				Pattern: `^(whatsapp:)?\+[1-9][0-9]{6,14}$`, PatternHelp: "Twilio needs phone numbers in E.164 form, like +14155552671",
				Help: "The recipient in E.164 form; for a reply to an incoming SMS: {{ trigger.From }}."},
			{Name: "from", Title: "From", Type: connectors.TypeString, Example: "+14155550100",
				Help: "Your Twilio number (E.164), short code or alphanumeric sender ID. Required unless a Messaging Service is given."},
			{Name: "messaging_service_sid", Title: "Messaging Service SID", Type: connectors.TypeString, Example: "MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
				Pattern: `^MG[0-9a-fA-F]{32}$`, PatternHelp: "Messaging Service SIDs are MG followed by 32 hex characters",
				Help: "Send through a Messaging Service, which picks the sender from its pool. Use instead of From."},
			{Name: "body", Title: "Message", Type: connectors.TypeString, Example: "Your order #1001 has shipped.",
				Help: "Up to 1600 characters; longer texts are split into segments by the carrier. Required unless media URLs are given."},
			{Name: "media_urls", Title: "Media URLs", Type: connectors.TypeArray, Example: []any{"https://shop.example.com/1001.jpg"},
				Help: "Up to 10 public URLs of images or files to send as MMS (US and Canada numbers)."},
			{Name: "status_callback", Title: "Status callback URL", Type: connectors.TypeString, Example: "https://hooks.example.com/hooks/abc123",
				Pattern: `^https?://`, PatternHelp: "must be an http:// or https:// URL",
				Help: "Twilio POSTs each status change (sent, delivered, failed…) here; a Twilio trigger's webhook URL works."},
		},
		OutputSample: json.RawMessage(`{"account_sid":"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX","api_version":"2010-04-01","body":"Your order #1001 has shipped.","date_created":"Thu, 24 Aug 2023 05:01:45 +0000","date_sent":null,"date_updated":"Thu, 24 Aug 2023 05:01:45 +0000","direction":"outbound-api","error_code":null,"error_message":null,"from":"+14155550100","messaging_service_sid":null,"num_media":"0","num_segments":"1","price":null,"price_unit":"USD","sid":"SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX","status":"queued","subresource_uris":{"media":"/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Media.json"},"to":"+14155552671","uri":"/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX.json"}`),
		Run:          runSendSMS,
	}
}

func runSendSMS(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	form := url.Values{}
	form.Set("To", in.String("to"))
	from, service := in.String("from"), in.String("messaging_service_sid")
	if from == "" && service == "" {
		return nil, connectors.InputError("from", "required unless messaging_service_sid is given")
	}
	if from != "" {
		form.Set("From", from)
	}
	if service != "" {
		form.Set("MessagingServiceSid", service)
	}
	body := in.String("body")
	if n := utf8.RuneCountInString(body); n > MaxBodyLength {
		return nil, connectors.InputError("body", fmt.Sprintf("has %d characters; Twilio accepts at most %d", n, MaxBodyLength))
	}
	if body != "" {
		form.Set("Body", body)
	}
	media, err := mediaURLs(in["media_urls"])
	if err != nil {
		return nil, err
	}
	if body == "" && len(media) == 0 {
		return nil, connectors.InputError("body", "required unless media_urls are given")
	}
	for _, m := range media {
		form.Add("MediaUrl", m)
	}
	if cb := in.String("status_callback"); cb != "" {
		form.Set("StatusCallback", cb)
	}

	user, pass, err := basicAuth(call.Credential)
	if err != nil {
		return nil, err
	}
	account := call.Credential.String(CredentialAccountSID)
	endpoint := strings.TrimRight(call.BaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(account) + "/Messages.json"
	var out map[string]any
	if _, err := call.HTTP.WithCheck(checkResponse).DoForm(ctx, http.MethodPost, endpoint, authHeader(user, pass), form, &out); err != nil {
		return nil, fmt.Errorf("creating message: %w", err)
	}
	return out, nil
}

func mediaURLs(raw any) ([]string, error) {
	if raw == nil {
		return nil, nil
	}
	var list []any
	switch v := raw.(type) {
	case []any:
		list = v
	case []string:
		for _, s := range v {
			list = append(list, s)
		}
	default:
		return nil, connectors.InputError("media_urls", "want an array of URLs")
	}
	if len(list) > MaxMediaURLs {
		return nil, connectors.InputError("media_urls", fmt.Sprintf("has %d URLs; Twilio accepts at most %d", len(list), MaxMediaURLs))
	}
	out := make([]string, 0, len(list))
	for i, item := range list {
		s, _ := item.(string)
		if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
			return nil, connectors.InputError(fmt.Sprintf("media_urls[%d]", i), "must be an http:// or https:// URL")
		}
		out = append(out, s)
	}
	return out, nil
}
