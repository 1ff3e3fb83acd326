package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hookflow/hookflow/connectors"
)

// SendTemplate returns the send_template action.
func SendTemplate() *connectors.Action {
	return &connectors.Action{
		Name:  "send_template",
		Title: "Send a template message",
		Description: "Send a message template approved in WhatsApp Manager. Templates are the only messages a business " +
			"may start a conversation with, or send more than 24 hours after the customer last wrote.",
		Input: []connectors.Field{
			toField,
			{Name: "name", Title: "Template name", Type: connectors.TypeString, Required: true, Example: "order_shipped",
				Pattern: `^[a-z0-9_]+$`, PatternHelp: "template names have only lowercase letters, digits and _",
				Help: "The template's name as shown in WhatsApp Manager → Message templates."},
			{Name: "language", Title: "Language code", Type: connectors.TypeString, Required: true, Example: "en_US",
				Pattern: `^[a-z]{2,3}(_[A-Z]{2})?$`, PatternHelp: "a template language code looks like en or en_US",
				Help: "The language of the approved template translation to send, such as en_US, de or pt_BR."},
			{Name: "body_parameters", Title: "Body variables", Type: connectors.TypeArray, Example: []any{"Ada", "#1001"},
				Help: "Values for the body's {{1}}, {{2}}… in order. A shortcut for a body component; leave empty when components has one."},
			{Name: "components", Title: "Components", Type: connectors.TypeArray,
				Example: []any{map[string]any{"type": "header", "parameters": []any{
					map[string]any{"type": "image", "image": map[string]any{"link": "https://shop.example.com/1001.jpg"}}}}},
				Help: "Template components with their parameters (header, body, button), in the Cloud API's shape."},
			replyField,
			phoneField,
		},
		OutputSample: json.RawMessage(`{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBIyRjYwRjBENTI4MTRGNjQ0N0QA","message_status":"accepted"}],"message_id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBIyRjYwRjBENTI4MTRGNjQ0N0QA","message_status":"accepted","wa_id":"16505551234"}`),
		Run:          runSendTemplate,
	}
}

func runSendTemplate(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	template := map[string]any{
		"name":     in.String("name"),
		"language": map[string]any{"code": in.String("language")},
	}
	components, err := templateComponents(in)
	if err != nil {
		return nil, err
	}
	if len(components) > 0 {
		template["components"] = components
	}
	return sendMessage(ctx, call, map[string]any{"type": "template", "template": template})
}

// templateComponents checks the components and turns body_parameters into a
// body component of text parameters.
func templateComponents(in connectors.Values) ([]any, error) {
	var components []any
	hasBody := false
	if raw, ok := in["components"]; ok {
		list, ok := raw.([]any)
		if !ok {
			return nil, connectors.InputError("components", "want an array of component objects")
		}
		for i, c := range list {
			m, ok := c.(map[string]any)
			if !ok {
				return nil, connectors.InputError(fmt.Sprintf("components[%d]", i), "want a component object")
			}
			typ, _ := m["type"].(string)
			switch typ {
			case "header", "body", "footer", "button", "carousel", "limited_time_offer":
			case "":
				return nil, connectors.InputError(fmt.Sprintf("components[%d].type", i), "required (header, body or button)")
			default:
				return nil, connectors.InputError(fmt.Sprintf("components[%d].type", i), fmt.Sprintf("unknown component type %q", typ))
			}
			if typ == "body" {
				hasBody = true
			}
			components = append(components, m)
		}
	}
	if raw, ok := in["body_parameters"]; ok {
		values, ok := raw.([]any)
		if !ok {
			if strs, isStrs := raw.([]string); isStrs {
				for _, s := range strs {
					values = append(values, s)
				}
			} else {
				return nil, connectors.InputError("body_parameters", "want an array of values")
			}
		}
		if len(values) > 0 {
			if hasBody {
				return nil, connectors.InputError("body_parameters", "cannot be combined with a body component in components")
			}
			params := make([]any, len(values))
			for i, v := range values {
				switch v.(type) {
				case string, float64, int, int64, bool, json.Number:
					params[i] = map[string]any{"type": "text", "text": fmt.Sprint(v)}
				default:
					return nil, connectors.InputError(fmt.Sprintf("body_parameters[%d]", i), "want a text or number value")
				}
			}
			components = append(components, map[string]any{"type": "body", "parameters": params})
		}
	}
	return components, nil
}
