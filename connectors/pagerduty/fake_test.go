package pagerduty

import (
	"net/http"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const testRoutingKey = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12"

// fakeEvents follows the Events API v2's documented wire format: the
// routing key in the body, 202 {"status":"success","message":"Event
// processed","dedup_key"} on success, 400 {"status":"invalid event",
// "message":"Event object is invalid","errors":[…]} for a bad event, and
// alerts merged by dedup_key.
type fakeEvents struct {
	*connectortest.Fake
	mu     sync.Mutex
	alerts map[string]string // dedup_key -> status
}

func newFake(t *testing.T) *fakeEvents {
	f := &fakeEvents{alerts: map[string]string{}}
	f.Fake = connectortest.NewFake(t, New(), connectors.Values{CredentialRoutingKey: testRoutingKey}, f.serve)
	return f
}

func invalid(w http.ResponseWriter, errs ...string) {
	connectortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"status": "invalid event", "message": "Event object is invalid", "errors": errs})
}

func (f *fakeEvents) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/enqueue" {
		connectortest.WriteJSON(w, http.StatusNotFound, map[string]any{"status": "not found", "message": "Not Found"})
		return
	}
	ev := connectortest.JSONBody(r)
	if ev == nil {
		connectortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"status": "invalid request", "message": "Malformed JSON"})
		return
	}
	if k, _ := ev["routing_key"].(string); len(k) != 32 {
		invalid(w, "Length of 'routing_key' is incorrect (should be 32 characters)")
		return
	}
	key, _ := ev["dedup_key"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch ev["event_action"] {
	case "trigger":
		p, _ := ev["payload"].(map[string]any)
		if p == nil || p["summary"] == nil || p["source"] == nil || p["severity"] == nil {
			invalid(w, "'payload' is invalid or missing")
			return
		}
		if key == "" {
			key = "generated-dedup-key"
		}
		f.alerts[key] = "triggered"
	case "acknowledge", "resolve":
		if key == "" {
			invalid(w, "'dedup_key' is invalid or missing")
			return
		}
		// PagerDuty accepts these even for an unknown key.
		if _, ok := f.alerts[key]; ok {
			f.alerts[key] = ev["event_action"].(string) + "d"
		}
	default:
		invalid(w, "'event_action' is invalid")
		return
	}
	connectortest.WriteJSON(w, http.StatusAccepted, map[string]any{"status": "success", "message": "Event processed", "dedup_key": key})
}
