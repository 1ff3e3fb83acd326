package definition_test

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
)

func TestConnectorTrigger(t *testing.T) {
	webhook := &connectors.Trigger{Name: "webhook"}
	events := &connectors.Trigger{Name: "events"}
	other := &connectors.Trigger{Name: "other"}
	tests := []struct {
		name        string
		spec        *connectors.Spec
		triggerType string
		want        *connectors.Trigger
	}{
		{name: "the trigger named like the type", spec: &connectors.Spec{Triggers: []*connectors.Trigger{events, webhook}}, triggerType: "webhook", want: webhook},
		{name: "the only trigger, whatever its name", spec: &connectors.Spec{Triggers: []*connectors.Trigger{events}}, triggerType: "webhook", want: events},
		{name: "none named like the type among several", spec: &connectors.Spec{Triggers: []*connectors.Trigger{events, other}}, triggerType: "webhook"},
		{name: "a connector without triggers", spec: &connectors.Spec{}, triggerType: "webhook"},
		{name: "no connector", triggerType: "webhook"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := definition.ConnectorTrigger(tc.spec, tc.triggerType); got != tc.want {
				t.Fatalf("ConnectorTrigger = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestOrderingOptionsValidation(t *testing.T) {
	const steps = `"steps": [{"id": "a", "type": "stop"}]`
	tests := []struct {
		name    string
		trigger string
		want    []string
	}{
		{name: "body path with order key",
			trigger: `{"type": "webhook", "connector": "stripe", "order_key": "data.object.customer", "sequence": "created", "reorder_window": "5s"}`},
		{name: "header with order key",
			trigger: `{"type": "webhook", "connector": "shopify", "order_key": "id", "sequence": "header:X-Shopify-Triggered-At"}`},
		{name: "concurrency on a webhook and a manual trigger",
			trigger: `{"type": "webhook", "connector": "stripe", "concurrency": {"limit": 1000}}`},
		{name: "concurrency on a manual trigger", trigger: `{"type": "manual", "concurrency": {"limit": 1}}`},
		{name: "sequence needs order_key",
			trigger: `{"type": "webhook", "connector": "stripe", "sequence": "created"}`,
			want:    []string{`trigger.sequence: needs order_key: an event is compared with the newest one already processed for its order key (set order_key, for example "data.object.id")`}},
		{name: "header names no header",
			trigger: `{"type": "webhook", "connector": "shopify", "order_key": "id", "sequence": "header: "}`,
			want:    []string{`trigger.sequence: "header: " names no header; write it as "header:X-Shopify-Triggered-At"`}},
		{name: "header name with a space",
			trigger: `{"type": "webhook", "connector": "shopify", "order_key": "id", "sequence": "header:X Triggered"}`,
			want:    []string{`trigger.sequence: "header:X Triggered": "X Triggered" is not a valid header name (character 2)`}},
		{name: "bad body path",
			trigger: `{"type": "webhook", "connector": "stripe", "order_key": "id", "sequence": "data..created"}`,
			want:    []string{`trigger.sequence: "data..created" has an empty segment at character 6`}},
		{name: "sequence only on webhooks",
			trigger: `{"type": "manual", "order_key": "id", "sequence": "created"}`,
			want:    []string{`trigger.sequence: is only allowed on a webhook trigger`}},
		{name: "reorder window needs sequence and a bound",
			trigger: `{"type": "webhook", "connector": "stripe", "order_key": "id", "reorder_window": "10m"}`,
			want: []string{
				`trigger.reorder_window: "10m" is over the limit of 5m0s`,
				`trigger.reorder_window: needs sequence: events are held for the window to be run in sequence order`,
			}},
		{name: "reorder window must be positive",
			trigger: `{"type": "webhook", "connector": "stripe", "order_key": "id", "sequence": "created", "reorder_window": "0s"}`,
			want:    []string{`trigger.reorder_window: must be positive, got "0s"`}},
		{name: "concurrency limit too low",
			trigger: `{"type": "webhook", "connector": "stripe", "concurrency": {"limit": 0}}`,
			want:    []string{`trigger.concurrency.limit: must be between 1 and 1000, got 0`}},
		{name: "concurrency limit too high",
			trigger: `{"type": "webhook", "connector": "stripe", "concurrency": {"limit": 1001}}`,
			want:    []string{`trigger.concurrency.limit: must be between 1 and 1000, got 1001`}},
		{name: "concurrency not on schedules",
			trigger: `{"type": "schedule", "schedule": {"every": "1h"}, "concurrency": {"limit": 2}}`,
			want:    []string{`trigger.concurrency: is not available on a schedule trigger: its runs are started by the schedule, not from the event log`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, errs := definition.Parse([]byte(`{"name": "t", "trigger": ` + tc.trigger + `, ` + steps + `}`))
			if len(errs) > 0 {
				t.Fatalf("parse: %v", definition.Errors(errs))
			}
			var got []string
			for _, e := range definition.Validate(d, nil) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestParseSequenceSource(t *testing.T) {
	tests := []struct {
		name, in string
		want     definition.SequenceSource
	}{
		{name: "body path", in: "data.object.created", want: definition.SequenceSource{Path: "data.object.created"}},
		{name: "header", in: "header:X-Shopify-Triggered-At", want: definition.SequenceSource{Header: "X-Shopify-Triggered-At"}},
		{name: "header with spaces around the name", in: "header: X-Seq ", want: definition.SequenceSource{Header: "X-Seq"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := definition.ParseSequenceSource(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("ParseSequenceSource(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}
