package sendgrid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// CustomArgIdempotencyKey is the custom argument every message carries
// with the step's idempotency key. SendGrid's Mail Send has no
// idempotency keys, so a retry after a timeout in which SendGrid had
// accepted the message can send it twice; the argument comes back in
// every Event Webhook event, which lets a workflow spot such a duplicate.
const CustomArgIdempotencyKey = "hookflow_idempotency_key"

func sendEmailAction() *connectors.Action {
	return &connectors.Action{
		Name:  "send_email",
		Title: "Send an email",
		Description: "Send an email through SendGrid's v3 Mail Send API, as plain text, HTML or a dynamic template. " +
			"SendGrid answers 202 when it has queued the message; its Event Webhook then reports delivery.",
		Input: []connectors.Field{
			{Name: "from", Title: "From", Type: connectors.TypeString, Required: true, Example: "Shop <orders@shop.example.com>",
				Help: "A verified sender or an address on an authenticated domain; may include a name."},
			{Name: "to", Title: "To", Type: connectors.TypeAny, Required: true, Example: "ada@example.com",
				Help: "One address, a comma-separated list, or an array of addresses."},
			{Name: "cc", Title: "Cc", Type: connectors.TypeAny},
			{Name: "bcc", Title: "Bcc", Type: connectors.TypeAny},
			{Name: "reply_to", Title: "Reply-To", Type: connectors.TypeString, Example: "support@shop.example.com"},
			{Name: "subject", Title: "Subject", Type: connectors.TypeString, Example: "Your order #727",
				Help: "Required unless a dynamic template sets it."},
			{Name: "text", Title: "Text body", Type: connectors.TypeString},
			{Name: "html", Title: "HTML body", Type: connectors.TypeString,
				Help: "Set text, html or both (or a template). With both, clients pick what they can show."},
			{Name: "template_id", Title: "Dynamic template id", Type: connectors.TypeString, Example: "d-13b8f94fbcae4ec6b75270d6cb59f932",
				Pattern: `^d-[0-9a-f]{32}$`, PatternHelp: "dynamic template ids look like d- followed by 32 hex digits"},
			{Name: "template_data", Title: "Template data", Type: connectors.TypeObject, Example: map[string]any{"order": "727"},
				Help: "The values the dynamic template's {{handlebars}} read."},
			{Name: "categories", Title: "Categories", Type: connectors.TypeArray, Example: []any{"order-confirmation"},
				Help: "Up to 10 labels for SendGrid's statistics; they come back in Event Webhook events."},
			{Name: "custom_args", Title: "Custom arguments", Type: connectors.TypeObject, Example: map[string]any{"order_id": "727"},
				Help: "String values that come back in every Event Webhook event for this message."},
		},
		OutputSample: json.RawMessage(`{"status":202,"message_id":"KkAkhdMsgzn59SM8A89Wg","to":["ada@example.com"]}`),
		Run:          runSendEmail,
	}
}

type address struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

type personalization struct {
	To           []address      `json:"to"`
	Cc           []address      `json:"cc,omitempty"`
	Bcc          []address      `json:"bcc,omitempty"`
	TemplateData map[string]any `json:"dynamic_template_data,omitempty"`
}

type content struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type mailSend struct {
	Personalizations []personalization `json:"personalizations"`
	From             address           `json:"from"`
	ReplyTo          *address          `json:"reply_to,omitempty"`
	Subject          string            `json:"subject,omitempty"`
	Content          []content         `json:"content,omitempty"`
	TemplateID       string            `json:"template_id,omitempty"`
	Categories       []string          `json:"categories,omitempty"`
	CustomArgs       map[string]string `json:"custom_args,omitempty"`
}

func addresses(list []*mail.Address) []address {
	out := make([]address, len(list))
	for i, a := range list {
		out[i] = address{Email: a.Address, Name: a.Name}
	}
	return out
}

// buildMail turns the input into a Mail Send body, refusing locally what
// SendGrid would refuse with a 400, with the field to fix.
func buildMail(in connectors.Values, idem string) (*mailSend, error) {
	m := &mailSend{Subject: in.String("subject"), TemplateID: in.String("template_id")}
	from, err := connectors.EmailAddresses(in, "from")
	if err != nil {
		return nil, err
	}
	if len(from) != 1 {
		return nil, connectors.InputError("from", "want exactly one address")
	}
	m.From = address{Email: from[0].Address, Name: from[0].Name}
	var p personalization
	seen := map[string]string{}
	for _, field := range []string{"to", "cc", "bcc"} {
		list, err := connectors.EmailAddresses(in, field)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			k := strings.ToLower(a.Address)
			if prev, dup := seen[k]; dup {
				// SendGrid refuses a personalization naming an address twice.
				return nil, connectors.InputError(field, fmt.Sprintf("%s is already in %s; each address may appear once across to, cc and bcc", a.Address, prev))
			}
			seen[k] = field
		}
		switch field {
		case "to":
			p.To = addresses(list)
		case "cc":
			p.Cc = addresses(list)
		case "bcc":
			p.Bcc = addresses(list)
		}
	}
	if len(p.To) == 0 {
		return nil, connectors.InputError("to", "required: at least one address")
	}
	if len(seen) > 1000 {
		return nil, connectors.InputError("to", "SendGrid allows at most 1000 recipients in total")
	}
	if rt := in.String("reply_to"); rt != "" {
		list, err := connectors.EmailAddresses(in, "reply_to")
		if err != nil {
			return nil, err
		}
		if len(list) != 1 {
			return nil, connectors.InputError("reply_to", "want exactly one address")
		}
		m.ReplyTo = &address{Email: list[0].Address, Name: list[0].Name}
	}
	if data, ok := in["template_data"].(map[string]any); ok {
		if m.TemplateID == "" {
			return nil, connectors.InputError("template_data", "needs template_id")
		}
		p.TemplateData = data
	}
	// SendGrid wants text/plain before text/html.
	if t := in.String("text"); t != "" {
		m.Content = append(m.Content, content{Type: "text/plain", Value: t})
	}
	if h := in.String("html"); h != "" {
		m.Content = append(m.Content, content{Type: "text/html", Value: h})
	}
	if m.TemplateID == "" {
		if len(m.Content) == 0 {
			return nil, connectors.InputError("text", "set text, html or template_id")
		}
		if strings.TrimSpace(m.Subject) == "" {
			return nil, connectors.InputError("subject", "required unless template_id is set")
		}
	}
	if cats, ok := in["categories"].([]any); ok {
		if len(cats) > 10 {
			return nil, connectors.InputError("categories", fmt.Sprintf("SendGrid allows at most 10, got %d", len(cats)))
		}
		for i, c := range cats {
			s, ok := c.(string)
			if !ok || s == "" || len(s) > 255 {
				return nil, connectors.InputError(fmt.Sprintf("categories[%d]", i), "want a non-empty string of at most 255 characters")
			}
			m.Categories = append(m.Categories, s)
		}
	}
	m.CustomArgs = map[string]string{}
	if args, ok := in["custom_args"].(map[string]any); ok {
		for k, v := range args {
			switch x := v.(type) {
			case string:
				m.CustomArgs[k] = x
			case nil, map[string]any, []any:
				return nil, connectors.InputError("custom_args."+k, "want a string, number or boolean")
			default:
				// SendGrid only takes strings; render scalars as JSON does.
				b, err := json.Marshal(x)
				if err != nil {
					return nil, connectors.InputError("custom_args."+k, "want a string, number or boolean")
				}
				m.CustomArgs[k] = string(b)
			}
		}
	}
	if idem != "" {
		m.CustomArgs[CustomArgIdempotencyKey] = idem
	}
	if len(m.CustomArgs) == 0 {
		m.CustomArgs = nil
	}
	m.Personalizations = []personalization{p}
	return m, nil
}

func runSendEmail(ctx context.Context, call *connectors.Call) (any, error) {
	m, err := buildMail(call.Input, call.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	key := call.Credential.String(CredentialAPIKey)
	if key == "" {
		return nil, connectors.Permanent(errors.New("credential.api_key: required by SendGrid's send_email"))
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("encoding mail: %w", err))
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+key)
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	resp, err := call.HTTP.WithCheck(checkResponse).Do(ctx, &connectors.HTTPRequest{Method: http.MethodPost,
		URL: strings.TrimRight(call.BaseURL, "/") + "/v3/mail/send", Header: h, Body: body})
	if err != nil {
		return nil, fmt.Errorf("sending email: %w", err)
	}
	if resp.Status != http.StatusAccepted && resp.Status != http.StatusOK {
		return nil, connectors.Permanent(fmt.Errorf("sending email: SendGrid answered %d, want 202", resp.Status))
	}
	to := make([]string, len(m.Personalizations[0].To))
	for i, a := range m.Personalizations[0].To {
		to[i] = a.Email
	}
	return map[string]any{"status": resp.Status, "message_id": resp.Header.Get("X-Message-Id"), "to": to}, nil
}

// checkResponse classifies SendGrid's errors: the message is the first
// error's (the shared classification finds errors.0.message), with its
// field added. 401/403 (bad key, missing Mail Send scope), 400 and 413
// are permanent; 429 waits until X-RateLimit-Reset.
func checkResponse(resp *connectors.HTTPResponse) error {
	ce := resp.Classify()
	if ce == nil {
		return nil
	}
	ce.Annotate(resp.Details("errors.0.", "field"))
	return ce
}
