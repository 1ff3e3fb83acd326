package pagerduty

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "test event", Request: connectortest.NewRequest(`{"event":{"id":"01DF","event_type":"pagey.ping","resource_type":"pagey","data":{"message":"Hello from your friend Pagey!"}}}`),
			Want: []string{"01DF pagey.ping"}},
		{Name: "v2 webhook body", Request: connectortest.NewRequest(`{"messages":[{"event":"incident.trigger"}]}`),
			WantErr: `reading PagerDuty webhook: the body has no "event" object (is this a v3 webhook subscription?)`},
		{Name: "no id", Request: connectortest.NewRequest(`{"event":{"event_type":"incident.triggered"}}`),
			WantErr: "reading PagerDuty webhook: event.id is missing"},
		{Name: "no type", Request: connectortest.NewRequest(`{"event":{"id":"e1"}}`),
			WantErr: "reading PagerDuty webhook e1: event.event_type is missing"},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`{"event":`),
			WantErr: "reading PagerDuty webhook: malformed JSON body: unexpected end of JSON input (at byte 9)"},
	})
}
