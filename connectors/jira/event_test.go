package jira

import (
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

func TestExtract(t *testing.T) {
	const body = `{"timestamp":1714557900123,"webhookEvent":"jira:issue_deleted","issue":{"key":"PROJ-1"}}`
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "identifier header", Request: connectortest.NewRequest(body, HeaderIdentifier, "abc-1"), Want: []string{"abc-1 jira:issue_deleted"}},
		{Name: "no identifier: the body's hash", Request: connectortest.NewRequest(body),
			Want: []string{"sha256:" + signature.ContentHash([]byte(body)) + " jira:issue_deleted"}},
		{Name: "no webhookEvent", Request: connectortest.NewRequest(`{"timestamp":1}`, HeaderIdentifier, "abc-2"),
			WantErr: `reading Jira webhook: the body has no "webhookEvent"`},
		{Name: "webhookEvent not a string", Request: connectortest.NewRequest(`{"webhookEvent":7}`, HeaderIdentifier, "abc-3"),
			WantErr: `reading Jira webhook: the body has no "webhookEvent"`},
		{Name: "malformed JSON", Request: connectortest.NewRequest(`{"webhookEvent":`, HeaderIdentifier, "abc-4"),
			WantErr: "reading Jira webhook: malformed JSON body: unexpected end of JSON input (at byte 16)"},
	})
}
