package webhook

import (
	"net/http"
	"os"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

func TestExtract(t *testing.T) {
	order, err := os.ReadFile("testdata/incoming_order.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		options  connectors.Values
		headers  map[string]string
		body     string
		wantID   string
		wantType string
		wantErr  string
	}{
		{"id and type paths", connectors.Values{"id_path": "data.id", "type_path": "event"}, nil, string(order), "ord_20240611_0042", "order.paid", ""},
		{"id path wins over header", connectors.Values{"id_path": "data.id"}, map[string]string{"Idempotency-Key": "key-1"}, string(order), "ord_20240611_0042", "webhook", ""},
		{"id path absent falls back to header", connectors.Values{"id_path": "nope"}, map[string]string{"Idempotency-Key": "key-1"}, string(order), "key-1", "webhook", ""},
		{"Idempotency-Key header", nil, map[string]string{"Idempotency-Key": "key-1"}, string(order), "key-1", "webhook", ""},
		{"content hash", nil, nil, string(order), signature.ContentHash(order), "webhook", ""},
		{"numeric id path", connectors.Values{"id_path": "n"}, nil, `{"n":12345678901234567890}`, "12345678901234567890", "webhook", ""},
		{"id path is an object", connectors.Values{"id_path": "data"}, nil, string(order), "", "", `reading webhook: id_path "data" is object, want a string or number`},
		{"missing type path value", connectors.Values{"type_path": "kind"}, nil, string(order), signature.ContentHash(order), "webhook", ""},
		{"malformed JSON", nil, nil, `{"a":1,}`, "", "", "reading webhook: malformed JSON body: invalid character '}' looking for beginning of object key string (at byte 8)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.headers {
				h.Set(k, v)
			}
			events, err := Extract(&connectors.Request{Header: h, Body: []byte(tc.body)}, tc.options)
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
