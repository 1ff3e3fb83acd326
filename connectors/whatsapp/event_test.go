package whatsapp

import (
	"os"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	template := `{"object":"whatsapp_business_account","entry":[{"id":"0","time":1680000000,"changes":[{"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":12345678,"message_template_name":"order_ready","message_template_language":"en_US","reason":null}}]}]}`
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "other change is one event", Request: connectortest.NewRequest(template), Want: []string{"* message_template_status_update"}},
		{Name: "no entry", Request: connectortest.NewRequest(`{"object":"whatsapp_business_account"}`), WantErr: `reading WhatsApp notification: "entry" is missing or not an array`},
		{Name: "message without id", Request: connectortest.NewRequest(`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"type":"text"}]}}]}]}`), WantErr: "reading WhatsApp notification: entry[0].changes[0].value.messages[0].id is missing"},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`{"entry":[`), WantErr: "reading WhatsApp notification: malformed JSON body: unexpected end of JSON input (at byte 10)"},
	})
}

func TestExtractMessageBody(t *testing.T) {
	body, err := os.ReadFile("testdata/text_message.json")
	if err != nil {
		t.Fatal(err)
	}
	events, err := Extract(&connectors.Request{Body: body}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := events[0].Body
	for path, want := range map[string]string{
		"message.text.body":        "Does it come in another color?",
		"contact.profile.name":     "Sheena Nelson",
		"metadata.phone_number_id": "106540352242922",
		"entry_id":                 "102290129340398",
		"field":                    "messages",
		"object":                   "whatsapp_business_account",
	} {
		if got := gjson.GetBytes(b, path).String(); got != want {
			t.Errorf("%s = %q, want %q (body %s)", path, got, want, b)
		}
	}
}
