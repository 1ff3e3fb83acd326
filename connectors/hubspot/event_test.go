package hubspot

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "single object", Request: connectortest.NewRequest(`{"eventId":17,"subscriptionType":"deal.deletion"}`), Want: []string{"17 deal.deletion"}},
		{Name: "large id kept exact", Request: connectortest.NewRequest(`[{"eventId":9007199254740993,"subscriptionType":"contact.creation"}]`), Want: []string{"9007199254740993 contact.creation"}},
		{Name: "empty batch", Request: connectortest.NewRequest(`[]`)},
		{Name: "missing eventId", Request: connectortest.NewRequest(`[{"eventId":1,"subscriptionType":"a"},{"subscriptionType":"b"}]`), WantErr: "reading HubSpot delivery: [1].eventId is missing"},
		{Name: "missing type", Request: connectortest.NewRequest(`[{"eventId":1}]`), WantErr: "reading HubSpot delivery: [0].subscriptionType is missing"},
		{Name: "not objects", Request: connectortest.NewRequest(`[1]`), WantErr: "reading HubSpot delivery: [0] is not an object"},
		{Name: "scalar", Request: connectortest.NewRequest(`"hi"`), WantErr: "reading HubSpot delivery: want a JSON array of events, got string"},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`[{"eventId":1,]`), WantErr: "reading HubSpot delivery: malformed JSON body: invalid character ']' looking for beginning of object key string (at byte 15)"},
	})
}
