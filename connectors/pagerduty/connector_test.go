package pagerduty

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, New(), connectortest.Fixtures{
		Credential: connectors.Values{CredentialRoutingKey: testRoutingKey},
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"status": "invalid event", "message": message, "errors": []string{"detail"}})
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"send_event": {Input: connectors.Values{"event_action": "trigger", "summary": "Disk full", "source": "db-1"},
				Success: func(w http.ResponseWriter, r *http.Request) { newFake(t).Config.Handler.ServeHTTP(w, r) }},
		},
	})
}

func TestInvalidEventKeepsErrors(t *testing.T) {
	f := newFake(t)
	f.Credential = connectors.Values{CredentialRoutingKey: "short"}
	_, err := f.Invoke("send_event", connectors.Values{"event_action": "resolve", "dedup_key": "k"})
	// The credential's pattern refuses the key before PagerDuty is asked.
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "credential.routing_key") {
		t.Fatalf("err = %v", err)
	}
	ce := connectors.AsError(checkResponse(&connectors.HTTPResponse{Status: 400, Header: http.Header{},
		Body: []byte(`{"status":"invalid event","message":"Event object is invalid","errors":["'payload.summary' is missing or blank"]}`)}))
	if ce == nil || ce.Class != connectors.ClassPermanent || ce.Message != "Event object is invalid ('payload.summary' is missing or blank)" {
		t.Fatalf("err = %#v", ce)
	}
}
