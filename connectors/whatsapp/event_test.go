package whatsapp

import (
	"os"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
)

func TestExtract(t *testing.T) {
	template := `{"object":"whatsapp_business_account","entry":[{"id":"0","time":1680000000,"changes":[{"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":12345678,"message_template_name":"order_ready","message_template_language":"en_US","reason":null}}]}]}`
	cases := []struct {
		name    string
		body    string
		want    []string // "id type"
		wantErr string
	}{
		{"other change is one event", template, []string{"* message_template_status_update"}, ""},
		{"no entry", `{"object":"whatsapp_business_account"}`, nil, `reading WhatsApp notification: "entry" is missing or not an array`},
		{"message without id", `{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"type":"text"}]}}]}]}`, nil, "reading WhatsApp notification: entry[0].changes[0].value.messages[0].id is missing"},
		{"malformed JSON", `{"entry":[`, nil, "reading WhatsApp notification: malformed JSON body: unexpected end of JSON input (at byte 10)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			events, err := Extract(&connectors.Request{Body: []byte(tc.body)}, nil)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != len(tc.want) {
				t.Fatalf("got %d events, want %d: %+v", len(events), len(tc.want), events)
			}
			for i, e := range events {
				id, typ, _ := strings.Cut(tc.want[i], " ")
				if (id != "*" && e.ID != id) || e.Type != typ || e.ID == "" {
					t.Errorf("event %d = %s %s, want %s", i, e.ID, e.Type, tc.want[i])
				}
			}
		})
	}
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
