package stripe

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "minimal", Request: connectortest.NewRequest(`{"id":"evt_1","type":"customer.created"}`), Want: []string{"evt_1 customer.created"}},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`{"id":"evt_1",`), WantErr: "reading Stripe event: malformed JSON body: unexpected end of JSON input (at byte 14)"},
		{Name: "no id", Request: connectortest.NewRequest(`{"type":"customer.created"}`), WantErr: `reading Stripe event: field "id" is missing or not a string`},
		{Name: "no type", Request: connectortest.NewRequest(`{"id":"evt_2"}`), WantErr: `reading Stripe event evt_2: field "type" is missing`},
	})
}
