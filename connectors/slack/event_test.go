package slack

import (
	"os"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

func TestExtract(t *testing.T) {
	rateLimited := `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","type":"app_rate_limited","team_id":"T123456","minute_rate_limited":1518467820,"api_app_id":"A123456"}`
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "envelope without event_id", Request: connectortest.NewRequest(rateLimited), Want: []string{signature.ContentHash([]byte(rateLimited)) + " app_rate_limited"}},
		{Name: "no type at all", Request: connectortest.NewRequest(`{"event_id":"Ev1"}`), WantErr: `reading Slack event: neither "event.type" nor "type" is present`},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`token=abc`), WantErr: "reading Slack event: malformed JSON body: invalid character 'o' in literal true (expecting 'r') (at byte 2)"},
	})
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
