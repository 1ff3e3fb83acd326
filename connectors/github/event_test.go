package github

import (
	"net/url"
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	ping := `{"zen": "Keep it logically awesome.", "hook_id": 292430182}`
	formBody := func(payload string) string { return url.Values{"payload": {payload}}.Encode() }
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "ping is no event (answered and logged as ignored)",
			Request: connectortest.NewRequest(ping, HeaderEvent, "ping", HeaderDelivery, "d-1"), Want: []string{}},
		{Name: "form-encoded ping is no event either",
			Request: connectortest.NewRequest(formBody(ping), "Content-Type", form, HeaderEvent, "ping", HeaderDelivery, "d-1"), Want: []string{}},
		{Name: "action joins the event",
			Request: connectortest.NewRequest(`{"action":"opened","issue":{"number":1}}`, HeaderEvent, "issues", HeaderDelivery, "d-2"),
			Want:    []string{"d-2 issues.opened"}},
		{Name: "non-string action is ignored",
			Request: connectortest.NewRequest(`{"action":{"x":1}}`, HeaderEvent, "custom", HeaderDelivery, "d-3"),
			Want:    []string{"d-3 custom"}},
		{Name: "form charset parameter",
			Request: connectortest.NewRequest(formBody(`{"action":"created"}`), "Content-Type", form+"; charset=utf-8", HeaderEvent, "star", HeaderDelivery, "d-4"),
			Want:    []string{"d-4 star.created"}},
		{Name: "form without payload",
			Request: connectortest.NewRequest("foo=bar", "Content-Type", form, HeaderEvent, "push", HeaderDelivery, "d-5"),
			WantErr: "reading GitHub webhook: form body has no payload field"},
		{Name: "form with truncated payload",
			Request: connectortest.NewRequest(formBody(`{"ref":`), "Content-Type", form, HeaderEvent, "push", HeaderDelivery, "d-6"),
			WantErr: "reading GitHub webhook: payload field: malformed JSON body: unexpected end of JSON input (at byte 7)"},
		{Name: "no event header",
			Request: connectortest.NewRequest(`{}`, HeaderDelivery, "d-7"),
			WantErr: "reading GitHub webhook: header X-GitHub-Event is missing"},
		{Name: "no delivery header",
			Request: connectortest.NewRequest(`{}`, HeaderEvent, "push"),
			WantErr: "reading GitHub webhook push: header X-GitHub-Delivery is missing"},
		{Name: "malformed JSON",
			Request: connectortest.NewRequest(`{"action":`, HeaderEvent, "issues", HeaderDelivery, "d-8"),
			WantErr: "reading GitHub webhook: malformed JSON body: unexpected end of JSON input (at byte 10)"},
	})
}
