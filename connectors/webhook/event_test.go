package webhook

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

func TestExtract(t *testing.T) {
	order := string(connectortest.ReadFile(t, "testdata/incoming_order.json"))
	hash := signature.ContentHash([]byte(order))
	req := connectortest.NewRequest
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "id and type paths", Request: req(order), Options: connectors.Values{"id_path": "data.id", "type_path": "event"}, Want: []string{"ord_20240611_0042 order.paid"}},
		{Name: "id path wins over header", Request: req(order, "Idempotency-Key", "key-1"), Options: connectors.Values{"id_path": "data.id"}, Want: []string{"ord_20240611_0042 webhook"}},
		{Name: "id path absent falls back to header", Request: req(order, "Idempotency-Key", "key-1"), Options: connectors.Values{"id_path": "nope"}, Want: []string{"key-1 webhook"}},
		{Name: "Idempotency-Key header", Request: req(order, "Idempotency-Key", "key-1"), Want: []string{"key-1 webhook"}},
		{Name: "content hash", Request: req(order), Want: []string{hash + " webhook"}},
		{Name: "numeric id path", Request: req(`{"n":12345678901234567890}`), Options: connectors.Values{"id_path": "n"}, Want: []string{"12345678901234567890 webhook"}},
		{Name: "id path is an object", Request: req(order), Options: connectors.Values{"id_path": "data"}, WantErr: `reading webhook: id_path "data" is object, want a string or number`},
		{Name: "missing type path value", Request: req(order), Options: connectors.Values{"type_path": "kind"}, Want: []string{hash + " webhook"}},
		{Name: "malformed JSON", Request: req(`{"a":1,}`), WantErr: "reading webhook: malformed JSON body: invalid character '}' looking for beginning of object key string (at byte 8)"},
	})
}
