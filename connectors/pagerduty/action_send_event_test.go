package pagerduty

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestSendEvent(t *testing.T) {
	f := newFake(t)
	out, err := f.InvokeJSON("send_event", connectors.Values{"event_action": "trigger", "dedup_key": "order-1001",
		"summary": "Payment failures above 5%", "source": "checkout-api.prod", "severity": "critical",
		"timestamp": "2024-05-01T10:00:00Z", "component": "payments", "custom_details": map[string]any{"rate": "5.2%"},
		"links": []any{map[string]any{"href": "https://status.example.com", "text": "Status"}}, "client": "hookflow"})
	if err != nil {
		t.Fatal(err)
	}
	connectortest.CheckOutputShape(t, New(), "send_event", out)
	want := map[string]any{"routing_key": testRoutingKey, "event_action": "trigger", "dedup_key": "order-1001", "client": "hookflow",
		"payload": map[string]any{"summary": "Payment failures above 5%", "source": "checkout-api.prod", "severity": "critical",
			"timestamp": "2024-05-01T10:00:00Z", "component": "payments", "custom_details": map[string]any{"rate": "5.2%"}},
		"links": []any{map[string]any{"href": "https://status.example.com", "text": "Status"}}}
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v2/enqueue" || !reflect.DeepEqual(reqs[0].JSON(), want) {
		t.Fatalf("request = %+v\nwant body %v", reqs, want)
	}
	if out["status"] != "success" || out["dedup_key"] != "order-1001" || out["message"] != "Event processed" {
		t.Errorf("output = %v", out)
	}
	if _, err := f.InvokeJSON("send_event", connectors.Values{"event_action": "resolve", "dedup_key": "order-1001"}); err != nil {
		t.Fatal(err)
	}
	if got := f.Requests()[1].JSON(); !reflect.DeepEqual(got, map[string]any{"routing_key": testRoutingKey, "event_action": "resolve", "dedup_key": "order-1001"}) {
		t.Errorf("resolve body = %v", got)
	}
	if f.alerts["order-1001"] != "resolved" {
		t.Errorf("alert = %q", f.alerts["order-1001"])
	}
}

// A trigger without a dedup_key uses the step's idempotency key, so a
// retried step updates one alert.
func TestSendEventRetryIsOneAlert(t *testing.T) {
	f := newFake(t)
	in := connectors.Values{"event_action": "trigger", "summary": "Disk full", "source": "db-1"}
	for range 2 {
		if _, err := f.Call(connectors.Invocation{Action: "send_event", Input: in, RunID: "run-7", StepID: "page"}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.Requests()
	key := connectors.IdempotencyKey("run-7", "page")
	for _, r := range reqs {
		if r.JSON()["dedup_key"] != key {
			t.Errorf("dedup_key = %v, want the step's idempotency key %s", r.JSON()["dedup_key"], key)
		}
		if r.JSON()["payload"].(map[string]any)["severity"] != "error" {
			t.Errorf("severity default not applied: %v", r.JSON())
		}
	}
	if len(f.alerts) != 1 {
		t.Errorf("alerts = %v, want one", f.alerts)
	}
}

func TestSendEventBadInput(t *testing.T) {
	tests := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"acknowledge without dedup key", connectors.Values{"event_action": "acknowledge"}, "input.dedup_key: required to acknowledge an alert"},
		{"trigger without summary", connectors.Values{"event_action": "trigger", "source": "x"}, "input.summary: required to trigger an alert"},
		{"trigger without source", connectors.Values{"event_action": "trigger", "summary": "x"}, "input.source: required to trigger an alert"},
		{"summary too long", connectors.Values{"event_action": "trigger", "summary": strings.Repeat("x", 1025), "source": "x"}, "input.summary: longer than 1024"},
		{"bad timestamp", connectors.Values{"event_action": "trigger", "summary": "x", "source": "x", "timestamp": "yesterday"}, "input.timestamp: \"yesterday\" is not an RFC 3339"},
		{"link without href", connectors.Values{"event_action": "trigger", "summary": "x", "source": "x", "links": []any{map[string]any{"text": "t"}}}, "input.links[0]: want an object with an href"},
		{"bad severity", connectors.Values{"event_action": "trigger", "summary": "x", "source": "x", "severity": "fatal"}, "input.severity: must be one of"},
		{"dedup key too long", connectors.Values{"event_action": "resolve", "dedup_key": strings.Repeat("k", 256)}, "input.dedup_key: longer than 255"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("send_event", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.want) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.want)
			}
			if len(f.Requests()) != 0 {
				t.Error("PagerDuty was called with bad input")
			}
		})
	}
}

func TestSendEventWithoutRoutingKey(t *testing.T) {
	f := newFake(t)
	f.Credential = connectors.Values{CredentialWebhookSecret: "only-for-the-trigger"}
	_, err := f.Invoke("send_event", connectors.Values{"event_action": "resolve", "dedup_key": "k"})
	if err == nil || !strings.Contains(err.Error(), "credential.routing_key: required by send_event") {
		t.Fatalf("err = %v", err)
	}
}
