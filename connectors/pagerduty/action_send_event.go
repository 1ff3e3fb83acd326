package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Limits the Events API v2 documents.
const (
	MaxSummaryLength  = 1024
	MaxDedupKeyLength = 255
)

// Severities are the Events API's payload.severity values.
var Severities = []string{"critical", "error", "warning", "info"}

func sendEventAction() *connectors.Action {
	return &connectors.Action{
		Name:  "send_event",
		Title: "Trigger, acknowledge or resolve an alert",
		Description: "Send an Events API v2 event (POST /v2/enqueue) to the service of the credential's integration key. " +
			"A trigger opens an alert (and an incident) or adds to the open one with the same dedup_key; acknowledge and " +
			"resolve need that dedup_key. Without one, a trigger uses the step's idempotency key, so a retried step " +
			"updates the same alert instead of opening a second.",
		Input: []connectors.Field{
			{Name: "event_action", Title: "Action", Type: connectors.TypeString, Required: true, Enum: []string{"trigger", "acknowledge", "resolve"}, Example: "trigger"},
			{Name: "dedup_key", Title: "Dedup key", Type: connectors.TypeString, Example: "order-1001-payment-failed",
				Help: "Identifies the alert; required to acknowledge or resolve (use the dedup_key a trigger returned, or your own stable key)."},
			{Name: "summary", Title: "Summary", Type: connectors.TypeString, Example: "Payment failures above 5% on checkout",
				Help: "Required for trigger. Up to 1024 characters; it becomes the incident title."},
			{Name: "source", Title: "Source", Type: connectors.TypeString, Example: "checkout-api.prod",
				Help: "Required for trigger: the affected system, such as a host name."},
			{Name: "severity", Title: "Severity", Type: connectors.TypeString, Default: "error", Enum: Severities},
			{Name: "timestamp", Title: "Timestamp", Type: connectors.TypeString, Example: "2024-05-01T10:00:00Z", Help: "When the problem was detected (RFC 3339)."},
			{Name: "component", Title: "Component", Type: connectors.TypeString, Example: "postgres"},
			{Name: "group", Title: "Group", Type: connectors.TypeString, Example: "prod-datapipe"},
			{Name: "class", Title: "Class", Type: connectors.TypeString, Example: "deploy"},
			{Name: "custom_details", Title: "Custom details", Type: connectors.TypeObject, Example: map[string]any{"error_rate": "5.2%"}},
			{Name: "links", Title: "Links", Type: connectors.TypeArray, Example: []any{map[string]any{"href": "https://status.example.com", "text": "Status page"}},
				Help: "Objects with href and optional text."},
			{Name: "client", Title: "Client", Type: connectors.TypeString, Example: "hookflow"},
			{Name: "client_url", Title: "Client URL", Type: connectors.TypeString, Example: "https://hookflow.example.com/runs/…"},
		},
		OutputSample: json.RawMessage(`{"status":"success","message":"Event processed","dedup_key":"order-1001-payment-failed"}`),
		Run:          runSendEvent,
	}
}

// EventOutput is the Events API's answer.
type EventOutput struct {
	Status   string `json:"status"`
	Message  string `json:"message"`
	DedupKey string `json:"dedup_key"`
}

func runSendEvent(ctx context.Context, call *connectors.Call) (any, error) {
	body, err := buildEvent(call)
	if err != nil {
		return nil, err
	}
	key := call.Credential.String(CredentialRoutingKey)
	if key == "" {
		return nil, connectors.Permanent(fmt.Errorf("credential.%s: required by send_event", CredentialRoutingKey))
	}
	body["routing_key"] = key
	var out EventOutput
	client := call.HTTP.WithCheck(checkResponse)
	_, err = client.DoJSON(ctx, http.MethodPost, strings.TrimRight(call.BaseURL, "/")+"/v2/enqueue", nil, body, &out)
	if err != nil {
		return nil, fmt.Errorf("sending %s event: %w", body["event_action"], err)
	}
	return out, nil
}

// buildEvent checks the input and builds the event without its routing
// key.
func buildEvent(call *connectors.Call) (map[string]any, error) {
	in := call.Input
	action := in.String("event_action")
	dedup := strings.TrimSpace(in.String("dedup_key"))
	if len(dedup) > MaxDedupKeyLength {
		return nil, connectors.InputError("dedup_key", fmt.Sprintf("longer than %d characters", MaxDedupKeyLength))
	}
	event := map[string]any{"event_action": action}
	if action != "trigger" {
		if dedup == "" {
			return nil, connectors.InputError("dedup_key", "required to "+action+" an alert")
		}
		event["dedup_key"] = dedup
		return event, nil
	}
	if dedup == "" {
		// PagerDuty merges triggers with one dedup_key into one alert, so
		// the step's idempotency key makes a retried trigger harmless.
		dedup = call.IdempotencyKey
	}
	event["dedup_key"] = dedup
	summary := strings.TrimSpace(in.String("summary"))
	switch {
	case summary == "":
		return nil, connectors.InputError("summary", "required to trigger an alert")
	case len([]rune(summary)) > MaxSummaryLength:
		return nil, connectors.InputError("summary", fmt.Sprintf("longer than %d characters", MaxSummaryLength))
	}
	source := strings.TrimSpace(in.String("source"))
	if source == "" {
		return nil, connectors.InputError("source", "required to trigger an alert")
	}
	severity := in.String("severity")
	if severity == "" {
		severity = "error"
	}
	payload := map[string]any{"summary": summary, "source": source, "severity": severity}
	if ts := in.String("timestamp"); ts != "" {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			return nil, connectors.InputError("timestamp", fmt.Sprintf("%q is not an RFC 3339 time such as 2024-05-01T10:00:00Z", ts))
		}
		payload["timestamp"] = ts
	}
	for _, k := range []string{"component", "group", "class"} {
		if v := in.String(k); v != "" {
			payload[k] = v
		}
	}
	if d, ok := in["custom_details"].(map[string]any); ok && len(d) > 0 {
		payload["custom_details"] = d
	}
	event["payload"] = payload
	if links, ok := in["links"].([]any); ok && len(links) > 0 {
		for i, l := range links {
			m, ok := l.(map[string]any)
			href, _ := m["href"].(string)
			if !ok || href == "" {
				return nil, connectors.InputError(fmt.Sprintf("links[%d]", i), "want an object with an href")
			}
		}
		event["links"] = links
	}
	for _, k := range []string{"client", "client_url"} {
		if v := in.String(k); v != "" {
			event[k] = v
		}
	}
	return event, nil
}
