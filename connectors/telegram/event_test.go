package telegram

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "type before update_id", Request: connectortest.NewRequest(`{"edited_message":{"text":"hi"},"update_id":5}`), Want: []string{"5 edited_message"}},
		{Name: "no update_id", Request: connectortest.NewRequest(`{"message":{}}`), WantErr: `reading Telegram update: "update_id" is missing or not a number`},
		{Name: "only update_id", Request: connectortest.NewRequest(`{"update_id":7}`), WantErr: "reading Telegram update 7: it carries no update field (message, callback_query…)"},
		{Name: "array", Request: connectortest.NewRequest(`[1]`), WantErr: "reading Telegram update: want a JSON object, got array"},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`{"update_id":1`), WantErr: "reading Telegram update: malformed JSON body: unexpected end of JSON input (at byte 14)"},
	})
}
