package gitlab

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

func TestExtract(t *testing.T) {
	const push = `{"object_kind":"push","ref":"refs/heads/main"}`
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "idempotency key first", Request: connectortest.NewRequest(push, HeaderIdempotencyKey, "idem-1", HeaderEventUUID, "ev-1", HeaderWebhookUUID, "wh-1"),
			Want: []string{"idem-1 push"}},
		{Name: "GitLab before 17.4: the event UUID", Request: connectortest.NewRequest(push, HeaderEventUUID, "ev-1", HeaderWebhookUUID, "wh-1"),
			Want: []string{"ev-1 push"}},
		{Name: "only the webhook UUID", Request: connectortest.NewRequest(push, HeaderWebhookUUID, "wh-1"), Want: []string{"wh-1 push"}},
		{Name: "no id header: the body's hash", Request: connectortest.NewRequest(push),
			Want: []string{"sha256:" + signature.ContentHash([]byte(push)) + " push"}},
		{Name: "system hook event_name", Request: connectortest.NewRequest(`{"event_name":"project_create","project_id":74}`, HeaderEventUUID, "ev-2"),
			Want: []string{"ev-2 project_create"}},
		{Name: "no kind", Request: connectortest.NewRequest(`{"ref":"x"}`, HeaderEvent, "Push Hook", HeaderEventUUID, "ev-3"),
			WantErr: "reading GitLab webhook (Push Hook): the body has neither object_kind nor event_name"},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`{"object_kind":`, HeaderEventUUID, "ev-4"),
			WantErr: "reading GitLab webhook: malformed JSON body: unexpected end of JSON input (at byte 15)"},
	})
}
