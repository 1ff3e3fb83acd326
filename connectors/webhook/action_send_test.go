package webhook_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/cloudevents"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
	"github.com/hookflow/hookflow/connectors/webhook"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	secret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	oldSecret = "whsec_dGhlIG9sZCBzZWNyZXQgYmVmb3JlIHJvdGF0aW9u"
)

var fixedNow = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func TestConformance(t *testing.T) {
	connectortest.Run(t, webhook.New(), connectortest.Fixtures{
		Credential: connectors.Values{"secret": secret},
		Point: func(cred, input connectors.Values, fakeURL string) (connectors.Values, connectors.Values) {
			input["url"] = fakeURL + "/hooks/in"
			return cred, input
		},
		Actions: map[string]connectortest.ActionFixture{
			"send": {
				Input: connectors.Values{"url": "https://placeholder.invalid", "event_type": "order.paid", "data": map[string]any{"id": "1001"}},
				Success: func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(http.StatusNoContent)
				},
			},
		},
	})
}

func TestSignGoldenVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/signatures.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct {
		Name      string   `json:"name"`
		Secrets   []string `json:"secrets"`
		ID        string   `json:"id"`
		Timestamp int64    `json:"timestamp"`
		Body      string   `json:"body"`
		Signature string   `json:"signature"`
	}
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			got, err := webhook.Sign(v.Secrets, v.ID, time.Unix(v.Timestamp, 0), []byte(v.Body))
			if err != nil {
				t.Fatal(err)
			}
			if got != v.Signature {
				t.Fatalf("signature = %q, want %q", got, v.Signature)
			}
		})
	}
}

// goldenDelivery is what a receiver sees, recorded in testdata.
type goldenDelivery struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func TestSendGolden(t *testing.T) {
	var got goldenDelivery
	var rawBody []byte
	var rawHeader http.Header
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rawBody, _ = io.ReadAll(r.Body)
		rawHeader = r.Header.Clone()
		got = goldenDelivery{Method: r.Method, Path: r.URL.Path, Body: rawBody, Headers: map[string]string{}}
		for _, k := range []string{"Content-Type", "Webhook-Id", "Webhook-Timestamp", "Webhook-Signature", "X-Tenant"} {
			got.Headers[k] = r.Header.Get(k)
		}
		w.Write([]byte("ok"))
	}))
	defer fake.Close()
	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(webhook.NewWithClock(fixedNow)); err != nil {
		t.Fatal(err)
	}
	out, err := reg.Invoke(context.Background(), connectors.Invocation{
		Connector: "webhook", Action: "send", RunID: "run-1", StepID: "notify",
		Input: connectors.Values{"url": fake.URL + "/hooks/orders", "event_type": "order.paid",
			"data": map[string]any{"order_id": "1001", "total": 42.5}, "headers": map[string]any{"X-Tenant": "acme"}},
		Credential: connectors.Values{"secret": secret, "previous_secret": oldSecret},
	})
	if err != nil {
		t.Fatal(err)
	}
	res := out.(*webhook.Result)
	if res.Status != 200 || res.Response != "ok" || res.MessageID != got.Headers["Webhook-Id"] {
		t.Fatalf("result = %+v", res)
	}
	// Both signatures verify with the receiver-side primitive, each under
	// its own secret: rotation works for receivers on either secret.
	for _, s := range []string{secret, oldSecret} {
		if err := signature.VerifyStandard(s, rawHeader, rawBody, fixedNow(), 0); err != nil {
			t.Errorf("receiver with secret %s… cannot verify: %v", s[:10], err)
		}
	}
	if n := len(strings.Fields(got.Headers["Webhook-Signature"])); n != 2 {
		t.Errorf("want 2 signatures during rotation, got %d", n)
	}
	gotJSON, _ := json.MarshalIndent(got, "", "  ")
	path := filepath.Join("testdata", "send_golden.json")
	if *update {
		if err := os.WriteFile(path, append(gotJSON, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if strings.TrimSpace(string(want)) != strings.TrimSpace(string(gotJSON)) {
		t.Fatalf("delivery differs from %s:\n got: %s\nwant: %s", path, gotJSON, want)
	}
}

func TestMessageIDStableAcrossAttempts(t *testing.T) {
	var ids []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids = append(ids, r.Header.Get("Webhook-Id"))
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer fake.Close()
	reg, _ := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
	reg.MustRegister(webhook.New())
	inv := connectors.Invocation{Connector: "webhook", Action: "send", RunID: "run-9", StepID: "s",
		Input:      connectors.Values{"url": fake.URL, "event_type": "a.b", "data": 1.0},
		Credential: connectors.Values{"secret": secret}}
	for range 2 {
		if _, err := reg.Invoke(context.Background(), inv); connectors.ClassOf(err) != connectors.ClassRetryable {
			t.Fatalf("502: err = %v, want retryable", err)
		}
	}
	if len(ids) != 2 || ids[0] != ids[1] || !strings.HasPrefix(ids[0], "msg_") {
		t.Fatalf("webhook-id across attempts = %v, want one stable msg_ id", ids)
	}
}

func TestDeliverClassification(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		header      map[string]string
		retry4xx    bool
		want        connectors.Class
		wantSuccess bool
	}{
		{name: "204 succeeds", status: 204, wantSuccess: true},
		{name: "500 retries", status: 500, want: connectors.ClassRetryable},
		{name: "400 is final by default", status: 400, want: connectors.ClassPermanent},
		{name: "400 retries with retry_client_errors", status: 400, retry4xx: true, want: connectors.ClassRetryable},
		{name: "410 is always final", status: 410, retry4xx: true, want: connectors.ClassPermanent},
		{name: "429 waits", status: 429, header: map[string]string{"Retry-After": "120"}, want: connectors.ClassRateLimited},
		{name: "304 is not a success", status: 304, want: connectors.ClassRetryable},
	}
	client, _ := connectors.NewClient(connectors.ClientConfig{Guard: true, Allow: []string{"127.0.0.1"}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
			}))
			defer fake.Close()
			res, err := webhook.Deliver(context.Background(), client, &webhook.Delivery{
				URL: fake.URL, ID: "msg_1", Body: []byte(`{}`), Secrets: []string{secret}, RetryClientErrors: tc.retry4xx, Now: fixedNow})
			if tc.wantSuccess {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || connectors.ClassOf(err) != tc.want {
				t.Fatalf("err = %v, want class %s", err, tc.want)
			}
			if res == nil || res.Status != tc.status {
				t.Fatalf("result = %+v, want the receiver's status kept for health figures", res)
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	if got := webhook.DefaultSchedule.String(); got != "0s,5s,5m0s,30m0s,2h0m0s,5h0m0s,10h0m0s,10h0m0s" {
		t.Fatalf("default schedule = %s", got)
	}
	s, err := webhook.ParseSchedule(webhook.DefaultSchedule.String())
	if err != nil || len(s) != 8 {
		t.Fatalf("round trip: %v %v", s, err)
	}
	if d, ok := s.Next(1); !ok || d != 5*time.Second {
		t.Fatalf("Next(1) = %s %v", d, ok)
	}
	if _, ok := s.Next(8); ok {
		t.Fatal("Next after the last attempt should report exhaustion (dead letter)")
	}
	if days, err := webhook.ParseSchedule("0s, 1d ,2h"); err != nil || days.String() != "0s,24h0m0s,2h0m0s" {
		t.Fatalf("days: %v %v", days, err)
	}
	bad := []struct{ name, in, want string }{
		{name: "not a duration", in: "0s,soon", want: `entry 2 ("soon")`},
		{name: "negative", in: "0s,-5s", want: "entry 2 (-5s) must be between 0"},
		{name: "too long", in: "0s,200h", want: "must be between 0 and 168h"},
		{name: "fractional days", in: "0s,1.5d", want: `entry 2 ("1.5d")`},
		{name: "too many", in: strings.Repeat("1s,", 20) + "1s", want: "at most 20"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := webhook.ParseSchedule(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSendNeedsAStandardSecret(t *testing.T) {
	reg, _ := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
	reg.MustRegister(webhook.New())
	tests := []struct {
		name string
		cred connectors.Values
		want string
	}{
		{name: "no secret", cred: connectors.Values{}, want: "credential.secret: required to sign outgoing webhooks"},
		{name: "not base64", cred: connectors.Values{"secret": "whsec_not*base64!"}, want: "credential.secret: Standard Webhooks secrets are whsec_ followed by base64"},
		{name: "bad previous", cred: connectors.Values{"secret": secret, "previous_secret": "plain text"}, want: "credential.previous_secret:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reg.Invoke(context.Background(), connectors.Invocation{Connector: "webhook", Action: "send",
				Input: connectors.Values{"url": "http://127.0.0.1:1/", "event_type": "a.b", "data": 1.0}, Credential: tc.cred})
			if connectors.ClassOf(err) != connectors.ClassPermanent || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "not*base64") {
				t.Fatal("error leaks the secret")
			}
		})
	}
}

// TestSendRefusesPlainHTTPUnlessAllowed checks that an outgoing webhook,
// which carries a signature and the event's data, goes over plain http://
// only to a destination an admin allowed.
func TestSendRefusesPlainHTTPUnlessAllowed(t *testing.T) {
	var calls atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Write([]byte("ok"))
	}))
	defer receiver.Close()
	tests := []struct {
		name    string
		cfg     connectors.RegistryConfig
		wantErr string
	}{
		{name: "refused without a setting", cfg: connectors.RegistryConfig{},
			wantErr: "plain http:// to 127.0.0.1 is not allowed; use https:// or ask an admin to allow it with --allow-http"},
		{name: "refused for another host", cfg: connectors.RegistryConfig{AllowHTTP: []string{"hooks.internal"}},
			wantErr: "plain http:// to 127.0.0.1 is not allowed"},
		{name: "allowed by --allow-http and --ssrf-allow", cfg: connectors.RegistryConfig{AllowHTTP: []string{"127.0.0.1"}, Allow: []string{"127.0.0.1"}}},
		{name: "allowed by --ssrf-allow alone", cfg: connectors.RegistryConfig{Allow: []string{"127.0.0.1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			reg, err := connectors.NewRegistryConfig(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			reg.MustRegister(webhook.New())
			_, err = reg.Invoke(context.Background(), connectors.Invocation{Connector: "webhook", Action: "send",
				Input:      connectors.Values{"url": receiver.URL + "/hooks", "event_type": "a.b", "data": 1.0},
				Credential: connectors.Values{"secret": secret}})
			if tc.wantErr == "" {
				if err != nil || calls.Load() != before+1 {
					t.Fatalf("allowed delivery failed: %v", err)
				}
				return
			}
			if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want permanent %q", err, tc.wantErr)
			}
			if calls.Load() != before {
				t.Fatal("the receiver was called over plain http")
			}
		})
	}
}

// TestSendAsCloudEvent sends one delivery in each CloudEvents mode and
// reads it back with the cloudevents trigger's extractor, the way any
// CloudEvents receiver would; the Standard Webhooks signature still covers
// the body.
func TestSendAsCloudEvent(t *testing.T) {
	for _, mode := range []string{cloudevents.ModeBinary, cloudevents.ModeStructured} {
		t.Run(mode, func(t *testing.T) {
			var got *connectors.Request
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got = &connectors.Request{Method: r.Method, URL: r.URL, Header: r.Header.Clone(), Body: body}
				w.WriteHeader(http.StatusAccepted)
			}))
			defer fake.Close()
			reg, _ := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
			reg.MustRegister(webhook.NewWithClock(fixedNow))
			_, err := reg.Invoke(context.Background(), connectors.Invocation{Connector: "webhook", Action: "send", RunID: "run-1", StepID: "ce",
				Input: connectors.Values{"url": fake.URL, "event_type": "com.example.order.paid", "data": map[string]any{"order_id": "1001"},
					"cloudevents": mode, "source": "https://shop.example.com/orders", "message_id": "msg_ce_1"},
				Credential: connectors.Values{"secret": secret}})
			if err != nil {
				t.Fatal(err)
			}
			if err := signature.VerifyStandard(secret, got.Header, got.Body, fixedNow(), 0); err != nil {
				t.Errorf("the Standard Webhooks signature does not cover the CloudEvent: %v", err)
			}
			events, err := cloudevents.Extract(got, nil)
			if err != nil {
				t.Fatalf("a CloudEvents receiver cannot read the delivery: %v (headers %v, body %s)", err, got.Header, got.Body)
			}
			want := `{"ce":{"datacontenttype":"application/json","id":"msg_ce_1","source":"https://shop.example.com/orders","specversion":"1.0","time":"2026-01-02T03:04:05Z","type":"com.example.order.paid"},"data":{"order_id":"1001"}}`
			if len(events) != 1 || string(events[0].Body) != want {
				t.Fatalf("received %+v\nwant %s", events, want)
			}
		})
	}
	_, err := connectors.ValidateInput(webhook.New().Actions[0].Input, connectors.Values{"url": "https://x.example", "event_type": "a",
		"data": 1.0, "source": "/s"})
	if err == nil || !strings.Contains(err.Error(), "input.source: applies only when cloudevents is binary or structured") {
		t.Errorf("a source without cloudevents gave %v", err)
	}
}
