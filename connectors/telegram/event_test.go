package telegram

import (
	"os"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestExtract(t *testing.T) {
	msg, err := os.ReadFile("testdata/message.json")
	if err != nil {
		t.Fatal(err)
	}
	cb, err := os.ReadFile("testdata/callback_query.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		body     string
		wantID   string
		wantType string
		wantErr  string
	}{
		{"message update", string(msg), "10000", "message", ""},
		{"callback query", string(cb), "10001", "callback_query", ""},
		{"type before update_id", `{"edited_message":{"text":"hi"},"update_id":5}`, "5", "edited_message", ""},
		{"no update_id", `{"message":{}}`, "", "", `reading Telegram update: "update_id" is missing or not a number`},
		{"only update_id", `{"update_id":7}`, "", "", "reading Telegram update 7: it carries no update field (message, callback_query…)"},
		{"array", `[1]`, "", "", "reading Telegram update: want a JSON object, got array"},
		{"malformed JSON", `{"update_id":1`, "", "", "reading Telegram update: malformed JSON body: unexpected end of JSON input (at byte 14)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			events, err := Extractor{}.Extract(&connectors.Request{Body: []byte(tc.body)}, nil)
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

func TestTrigger(t *testing.T) {
	tr := Trigger()
	if len(tr.Samples["message"]) == 0 || len(tr.Samples["callback_query"]) == 0 {
		t.Fatalf("samples = %v", tr.Samples)
	}
}
