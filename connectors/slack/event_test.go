package slack

import (
	"os"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

func TestExtract(t *testing.T) {
	rateLimited := `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","type":"app_rate_limited","team_id":"T123456","minute_rate_limited":1518467820,"api_app_id":"A123456"}`
	cases := []struct {
		name     string
		body     string
		wantID   string
		wantType string
		wantErr  string
	}{
		{"envelope without event_id", rateLimited, signature.ContentHash([]byte(rateLimited)), "app_rate_limited", ""},
		{"no type at all", `{"event_id":"Ev1"}`, "", "", `reading Slack event: neither "event.type" nor "type" is present`},
		{"malformed JSON", `token=abc`, "", "", "reading Slack event: malformed JSON body: invalid character 'o' in literal true (expecting 'r') (at byte 2)"},
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

func TestExtractIgnoresHandshake(t *testing.T) {
	body, err := os.ReadFile("testdata/url_verification.json")
	if err != nil {
		t.Fatal(err)
	}
	events, err := Extract(&connectors.Request{Body: body}, nil)
	if err != nil || len(events) != 0 {
		t.Fatalf("events = %+v, err = %v", events, err)
	}
}
