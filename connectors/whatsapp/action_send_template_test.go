package whatsapp_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/whatsapp"
)

func TestSendTemplate(t *testing.T) {
	header := map[string]any{"type": "header", "parameters": []any{
		map[string]any{"type": "image", "image": map[string]any{"link": "https://shop.example.com/1001.jpg"}}}}
	tests := []struct {
		name     string
		input    connectors.Values
		wantBody string
	}{
		{
			name:  "no_variables",
			input: connectors.Values{"to": "+16505551234", "name": "hello_world", "language": "en_US"},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"template",
				"template":{"name":"hello_world","language":{"code":"en_US"}}}`,
		},
		{
			name: "body_parameters_become_a_body_component_after_the_header",
			input: connectors.Values{"to": "+16505551234", "name": "order_shipped", "language": "de",
				"components": []any{header}, "body_parameters": []any{"Ada", 1001}},
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"template",
				"template":{"name":"order_shipped","language":{"code":"de"},"components":[
					{"type":"header","parameters":[{"type":"image","image":{"link":"https://shop.example.com/1001.jpg"}}]},
					{"type":"body","parameters":[{"type":"text","text":"Ada"},{"type":"text","text":"1001"}]}]}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			out, err := f.Invoke("send_template", tc.input)
			require.NoError(t, err)
			reqs := f.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "POST", reqs[0].Method)
			assert.Equal(t, "/"+testPhoneID+"/messages", reqs[0].Path)
			assert.Equal(t, "Bearer "+testToken, reqs[0].Header.Get("Authorization"))
			assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
			assert.JSONEq(t, tc.wantBody, string(reqs[0].Body))
			assert.JSONEq(t, string(connectortest.OutputSample(t, whatsapp.New(), "send_template")), connectortest.JSON(t, out))
		})
	}
}

func TestSendTemplateErrors(t *testing.T) {
	body := map[string]any{"type": "body", "parameters": []any{}}
	tests := []struct {
		name      string
		input     connectors.Values
		class     connectors.Class
		want      string
		noRequest bool
	}{
		{name: "unknown_template", input: connectors.Values{"to": "+16505551234", "name": "no_such_template", "language": "en_US"},
			class: connectors.ClassPermanent, want: "no approved template with that name exists in that language"},
		{name: "bad_language_code", input: connectors.Values{"to": "+16505551234", "name": "hello_world", "language": "English"},
			class: connectors.ClassPermanent, want: "input.language: a template language code looks like en or en_US", noRequest: true},
		{name: "component_without_type", input: connectors.Values{"to": "+16505551234", "name": "x", "language": "en", "components": []any{map[string]any{}}},
			class: connectors.ClassPermanent, want: "input.components[0].type: required", noRequest: true},
		{name: "unknown_component_type", input: connectors.Values{"to": "+16505551234", "name": "x", "language": "en", "components": []any{map[string]any{"type": "bodyy"}}},
			class: connectors.ClassPermanent, want: `input.components[0].type: unknown component type "bodyy"`, noRequest: true},
		{name: "body_twice", input: connectors.Values{"to": "+16505551234", "name": "x", "language": "en", "components": []any{body}, "body_parameters": []any{"a"}},
			class: connectors.ClassPermanent, want: "input.body_parameters: cannot be combined with a body component", noRequest: true},
		{name: "object_as_body_parameter", input: connectors.Values{"to": "+16505551234", "name": "x", "language": "en", "body_parameters": []any{map[string]any{}}},
			class: connectors.ClassPermanent, want: "input.body_parameters[0]: want a text or number value", noRequest: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("send_template", tc.input)
			require.Error(t, err)
			assert.Equal(t, tc.class, connectors.ClassOf(err), "error: %v", err)
			assert.Contains(t, err.Error(), tc.want)
			if tc.noRequest {
				assert.Empty(t, f.Requests())
			}
		})
	}
}
