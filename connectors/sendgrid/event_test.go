package sendgrid

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "batch_is_split", Request: connectortest.NewRequest(`[{"event":"open","sg_event_id":"a"},{"event":"click","sg_event_id":"b","url":"https://x"}]`),
			Want: []string{"a open", "b click"}},
		{Name: "empty_batch", Request: connectortest.NewRequest(`[]`), Want: []string{}},
		{Name: "no_sg_event_id_is_keyed_by_content", Request: connectortest.NewRequest(`[{"event":"open","email":"a@b.c","timestamp":1}]`),
			Want: []string{"* open"}},
		{Name: "object_not_array", Request: connectortest.NewRequest(`{"event":"open"}`),
			WantErr: "reading SendGrid events: the body is a JSON object, want an array of events"},
		{Name: "item_not_object", Request: connectortest.NewRequest(`[{"event":"open","sg_event_id":"a"}, 3]`),
			WantErr: "reading SendGrid events: event 1 is a JSON number, want an object"},
		{Name: "item_without_type", Request: connectortest.NewRequest(`[{"sg_event_id":"a"}]`),
			WantErr: "reading SendGrid events: event 0 has no \"event\" type"},
		{Name: "too_many", Request: connectortest.NewRequest("[" + strings.TrimSuffix(strings.Repeat(`{"event":"open"},`, MaxBatch+1), ",") + "]"),
			WantErr: "reading SendGrid events: 10001 events in one delivery, at most 10000"},
	})
}
