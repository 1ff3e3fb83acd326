package datadog

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

func TestExtract(t *testing.T) {
	hash := func(body string) string { return "sha256:" + signature.ContentHash([]byte(body)) }
	const noID = `{"title":"CPU high","date":"1714557600000"}`
	const unrendered = `{"id":"$ID","event_type":"$EVENT_TYPE"}`
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "id and event_type", Request: connectortest.NewRequest(`{"id":"42","event_type":"slo_alert"}`), Want: []string{"42 slo_alert"}},
		{Name: "numeric id kept exactly", Request: connectortest.NewRequest(`{"id":7399461920432140712,"event_type":"log_alert"}`),
			Want: []string{"7399461920432140712 log_alert"}},
		{Name: "event_id", Request: connectortest.NewRequest(`{"event_id":"e-9","event_type":"incident"}`), Want: []string{"e-9 incident"}},
		{Name: "no id: the body's hash, no type: notification", Request: connectortest.NewRequest(noID), Want: []string{hash(noID) + " notification"}},
		{Name: "variables left unrendered", Request: connectortest.NewRequest(unrendered), Want: []string{hash(unrendered) + " notification"}},
		{Name: "not an object", Request: connectortest.NewRequest(`["a"]`),
			WantErr: "reading Datadog webhook: the payload is a JSON array; make the webhook's payload template an object"},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`{"id":`),
			WantErr: "reading Datadog webhook: malformed JSON body: unexpected end of JSON input (at byte 6)"},
	})
}
