package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/cloudevents"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Schedule is the wait before each delivery attempt: Schedule[0] before
// the first (normally 0), Schedule[i] before attempt i+1. Its length is the
// number of attempts.
type Schedule []time.Duration

// DefaultSchedule is the Svix-like default: immediately, then 5 s, 5 min,
// 30 min, 2 h, 5 h, 10 h and 10 h (eight attempts over about 27.6 hours).
var DefaultSchedule = Schedule{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// Schedule limits.
const (
	MaxScheduleAttempts = 20
	MaxScheduleDelay    = 7 * 24 * time.Hour
)

// ParseSchedule parses a comma-separated list of durations, such as
// "0s,5s,5m,30m,2h,1d": Go durations plus whole days ("1d"), since delivery
// schedules are naturally written in days. An empty string gives
// DefaultSchedule.
func ParseSchedule(s string) (Schedule, error) {
	if strings.TrimSpace(s) == "" {
		return append(Schedule(nil), DefaultSchedule...), nil
	}
	var out Schedule
	for i, part := range strings.Split(s, ",") {
		d, err := parseDelay(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("retry schedule entry %d (%q): want a duration such as 5m: %w", i+1, strings.TrimSpace(part), err)
		}
		out = append(out, d)
	}
	return out, out.Validate()
}

// parseDelay is time.ParseDuration plus a whole number of days ("2d").
func parseDelay(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("time: invalid duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// Validate checks the schedule's length and delays.
func (s Schedule) Validate() error {
	if len(s) == 0 {
		return errors.New("retry schedule has no attempts")
	}
	if len(s) > MaxScheduleAttempts {
		return fmt.Errorf("retry schedule has %d attempts; at most %d", len(s), MaxScheduleAttempts)
	}
	for i, d := range s {
		if d < 0 || d > MaxScheduleDelay {
			return fmt.Errorf("retry schedule entry %d (%s) must be between 0 and %s", i+1, d, MaxScheduleDelay)
		}
	}
	return nil
}

// Next returns the wait before the next attempt after attempts attempts
// have been made, and false when the schedule is exhausted (the delivery
// goes to the dead-letter list).
func (s Schedule) Next(attempts int) (time.Duration, bool) {
	if attempts < 0 || attempts >= len(s) {
		return 0, false
	}
	return s[attempts], true
}

// String formats the schedule the way ParseSchedule reads it.
func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// MaxResponseExcerpt is how much of a receiver's reply a Result keeps.
const MaxResponseExcerpt = 1024

// Delivery is one signed message to one destination.
type Delivery struct {
	URL string
	// ID is the webhook-id; it stays the same across attempts so receivers
	// can deduplicate.
	ID   string
	Body []byte
	// Secrets sign the message, one signature each (current first).
	Secrets []string
	// Header holds extra headers; the webhook-* headers always win.
	Header http.Header
	// ContentType is the body's media type; "" means application/json.
	// A delivery sent as a structured CloudEvent is
	// application/cloudevents+json.
	ContentType string
	// RetryClientErrors makes 4xx replies retryable, as Svix does, for
	// receivers that answer 4xx while misconfigured. 410 Gone is never
	// retried.
	RetryClientErrors bool
	// Now stamps webhook-timestamp; defaults to time.Now.
	Now func() time.Time
}

// Result describes one attempt, for the delivery log and destination
// health figures (success rate, last error, latency).
type Result struct {
	MessageID   string        `json:"message_id"`
	Status      int           `json:"status"`
	Duration    time.Duration `json:"duration_ns"`
	DurationMS  int64         `json:"duration_ms"`
	AttemptedAt time.Time     `json:"attempted_at"`
	// Response is the start of the receiver's reply body.
	Response string `json:"response,omitempty"`
}

// Sign returns the webhook-signature header value: one "v1,<base64>" entry
// per secret, space separated.
func Sign(secrets []string, id string, ts time.Time, body []byte) (string, error) {
	var sigs []string
	for i, s := range secrets {
		if s == "" {
			continue
		}
		sig, err := signature.SignStandard(s, id, ts, body)
		if err != nil {
			return "", fmt.Errorf("signing with secret %d: %w", i+1, err)
		}
		sigs = append(sigs, sig)
	}
	if len(sigs) == 0 {
		return "", errors.New("signing webhook: no secret")
	}
	return strings.Join(sigs, " "), nil
}

// Deliver makes one delivery attempt through client (which should be the
// SSRF-guarded client) and classifies the outcome: a 2xx succeeds; 410
// Gone is permanent (the receiver asked to stop); 429 is rate-limited with
// its Retry-After; other 4xx are permanent unless RetryClientErrors; 5xx,
// other statuses, network errors and timeouts are retryable. The Result is
// returned with the error too, whenever the receiver answered.
func Deliver(ctx context.Context, client *connectors.Client, d *Delivery) (*Result, error) {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	ts := now()
	sig, err := Sign(d.Secrets, d.ID, ts, d.Body)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	h := d.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	ct := d.ContentType
	if ct == "" {
		ct = "application/json"
	}
	h.Set("Content-Type", ct)
	h.Set(signature.HeaderWebhookID, d.ID)
	h.Set(signature.HeaderWebhookTimestamp, fmt.Sprint(ts.Unix()))
	h.Set(signature.HeaderWebhookSignature, sig)
	resp, err := client.Do(ctx, &connectors.HTTPRequest{Method: http.MethodPost, URL: d.URL, Header: h, Body: d.Body, IgnoreStatus: true})
	if err != nil {
		return nil, err
	}
	res := &Result{MessageID: d.ID, Status: resp.Status, Duration: resp.Duration,
		DurationMS: resp.Duration.Milliseconds(), AttemptedAt: ts.UTC(), Response: excerpt(resp.Body)}
	switch {
	case resp.Status >= 200 && resp.Status < 300:
		return res, nil
	case resp.Status == http.StatusGone:
		return res, connectors.NewError(connectors.ClassPermanent, resp.Status, "receiver answered 410 Gone: it no longer accepts these webhooks")
	case resp.Status >= 400:
		err := connectors.ClassifyResponse(resp.Status, resp.Header, resp.Body, time.Now())
		if ce := connectors.AsError(err); ce != nil && ce.Class == connectors.ClassPermanent && d.RetryClientErrors {
			ce.Class = connectors.ClassRetryable
		}
		return res, err
	default:
		return res, connectors.NewError(connectors.ClassRetryable, resp.Status, fmt.Sprintf("receiver answered HTTP %d; want 2xx", resp.Status))
	}
}

func excerpt(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > MaxResponseExcerpt {
		b = b[:MaxResponseExcerpt]
	}
	return strings.ToValidUTF8(string(b), "")
}

// Inputs of the send action that make it send a CloudEvent.
const (
	InputCloudEvents = "cloudevents"
	InputSource      = "source"
)

// DefaultCloudEventSource is the source attribute of CloudEvents the send
// action sends when its input names none.
const DefaultCloudEventSource = "/hookflow"

// Payload is the Standard Webhooks body the send action builds.
type Payload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

func sendAction(now func() time.Time) *connectors.Action {
	return &connectors.Action{
		Name:        "send",
		Title:       "Send a signed webhook",
		Description: "POST a Standard Webhooks message ({type, timestamp, data}) signed with the credential's secret. Failed deliveries are retried on the retry schedule, then kept in the dead-letter list for a manual retry.",
		Input: []connectors.Field{
			{Name: "url", Title: "Destination URL", Type: connectors.TypeString, Required: true,
				Example: "https://example.com/webhooks/hookflow", Pattern: `^https?://[^\s]+$`, PatternHelp: "must be an http:// or https:// URL"},
			{Name: "event_type", Title: "Event type", Type: connectors.TypeString, Required: true, Example: "order.paid",
				Pattern: `^[A-Za-z0-9_.:-]+$`, PatternHelp: "event types use letters, digits and . _ : -"},
			{Name: "data", Title: "Data", Type: connectors.TypeAny, Required: true, Example: map[string]any{"order_id": "1001"},
				Help: "The event's data; sent as the payload's data field."},
			{Name: "message_id", Title: "Message id", Type: connectors.TypeString, Example: "msg_2b9c…",
				Help: "The webhook-id receivers deduplicate by. Defaults to one derived from the run and step, stable across retries."},
			{Name: "headers", Title: "Extra headers", Type: connectors.TypeObject},
			{Name: "retry_schedule", Title: "Retry schedule", Type: connectors.TypeString, Default: DefaultSchedule.String(),
				Example: "0s,5s,5m,30m,2h", Help: "Waits before each attempt, comma-separated. The delivery workflow runs them as durable timers."},
			{Name: "retry_client_errors", Title: "Retry 4xx replies", Type: connectors.TypeBoolean, Default: false,
				Help: "Retry when the receiver answers 4xx (except 410 Gone), as Svix does. By default a 4xx is final."},
			{Name: InputCloudEvents, Title: "Send as CloudEvent", Type: connectors.TypeString,
				Enum: []string{cloudevents.ModeBinary, cloudevents.ModeStructured},
				Help: "Optional: send a CloudEvents 1.0 event instead of the {type, timestamp, data} payload. binary: ce-* headers " +
					"and the data as the JSON body; structured: the whole event as application/cloudevents+json. The id is the " +
					"message id, the type the event type. The webhook-* signature headers are sent either way."},
			{Name: InputSource, Title: "CloudEvent source", Type: connectors.TypeString, Example: "https://shop.example.com/orders",
				Help: "The CloudEvent's source attribute (a URI reference identifying the producer). Default: " + DefaultCloudEventSource + ".",
				When: &connectors.Condition{Field: InputCloudEvents, Values: []string{cloudevents.ModeBinary, cloudevents.ModeStructured}}},
		},
		OutputSample: json.RawMessage(`{"message_id":"msg_5c1f0b9e0d6a4e7f9a1b2c3d4e5f6a7b","status":200,"duration_ns":41000000,"duration_ms":41,"attempted_at":"2026-01-02T03:04:05Z","response":"ok"}`),
		Run: func(ctx context.Context, call *connectors.Call) (any, error) {
			d, err := DeliveryFromCall(call, now)
			if err != nil {
				return nil, connectors.Permanent(err)
			}
			return Deliver(ctx, call.HTTP, d)
		},
		Durable: durableSend{},
	}
}

// DeliveryFromCall builds the delivery a send call describes. The message
// id defaults to "msg_" + the call's idempotency key, so every attempt of
// one step carries the same webhook-id.
func DeliveryFromCall(call *connectors.Call, now func() time.Time) (*Delivery, error) {
	in := call.Input
	if call.Credential.String(CredentialSecret) == "" {
		return nil, fmt.Errorf("credential.%s: required to sign outgoing webhooks (whsec_ followed by base64)", CredentialSecret)
	}
	for _, f := range []string{CredentialSecret, CredentialPreviousSecret} {
		if v := call.Credential.String(f); v != "" {
			if _, err := signature.DecodeStandardSecret(v); err != nil {
				return nil, fmt.Errorf("credential.%s: Standard Webhooks secrets are whsec_ followed by base64", f)
			}
		}
	}
	if _, err := ParseSchedule(in.String("retry_schedule")); err != nil {
		return nil, fmt.Errorf("input.retry_schedule: %w", err)
	}
	id := in.String("message_id")
	if id == "" {
		id = "msg_" + call.IdempotencyKey
	}
	h := http.Header{}
	var body []byte
	contentType := ""
	if mode := in.String(InputCloudEvents); mode != "" {
		source := in.String(InputSource)
		if source == "" {
			source = DefaultCloudEventSource
		}
		ceh, ceBody, err := cloudevents.Encode(mode, cloudevents.Outgoing{ID: id, Source: source, Type: in.String("event_type"),
			Time: now().UTC(), Data: in["data"]})
		if err != nil {
			return nil, fmt.Errorf("input.%s: %w", InputCloudEvents, err)
		}
		body, contentType = ceBody, ceh.Get("Content-Type")
		ceh.Del("Content-Type")
		for k, vs := range ceh {
			h[k] = vs
		}
	} else {
		var err error
		body, err = json.Marshal(Payload{Type: in.String("event_type"), Timestamp: now().UTC(), Data: in["data"]})
		if err != nil {
			return nil, fmt.Errorf("input.data: encoding JSON: %w", err)
		}
	}
	if extra, ok := in["headers"].(map[string]any); ok {
		keys := make([]string, 0, len(extra))
		for k := range extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s, ok := extra[k].(string)
			if !ok {
				return nil, fmt.Errorf("input.headers.%s: want a string value", k)
			}
			h.Set(k, s)
		}
	}
	return &Delivery{
		URL: in.String("url"), ID: id, Body: body, Header: h, ContentType: contentType,
		Secrets:           []string{call.Credential.String(CredentialSecret), call.Credential.String(CredentialPreviousSecret)},
		RetryClientErrors: in["retry_client_errors"] == true,
		Now:               now,
	}, nil
}
