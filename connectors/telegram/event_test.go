package telegram

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestExtract(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		wantID   string
		wantType string
		wantErr  string
	}{
		{"type before update_id", `{"edited_message":{"text":"hi"},"update_id":5}`, "5", "edited_message", ""},
		{"no update_id", `{"message":{}}`, "", "", `reading Telegram update: "update_id" is missing or not a number`},
		{"only update_id", `{"update_id":7}`, "", "", "reading Telegram update 7: it carries no update field (message, callback_query…)"},
		{"array", `[1]`, "", "", "reading Telegram update: want a JSON object, got array"},
		{"malformed JSON", `{"update_id":1`, "", "", "reading Telegram update: malformed JSON body: unexpected end of JSON input (at byte 14)"},
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
			if len(events) != 1 || events[0].ID != tc.wantID || events[0].Type != tc.wantType {
				t.Fatalf("events = %+v", events)
			}
		})
	}
}
