package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/triggers"
)

// signedStripeBody builds a Stripe delivery of body, signed now.
func signedStripeBody(url, body string) *http.Request {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	m := hmac.New(sha256.New, []byte(ingestStripeSecret))
	m.Write([]byte(ts + "." + body))
	r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Stripe-Signature", "t="+ts+",v1="+hex.EncodeToString(m.Sum(nil)))
	return r
}

// send posts r and returns the status and body of the reply.
func send(t *testing.T, r *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestAcknowledgedBodiesRun is issue 11's first complaint on the real
// stack: bodies Temporal refuses as a payload (400 KB of "<", which
// encodes to 2.4 MB; 3 MB under an endpoint cap raised to 8 MiB) were
// answered 202 and never started. Now they travel by reference and run
// end to end, and their steps read the whole body.
func TestAcknowledgedBodiesRun(t *testing.T) {
	ctx := context.Background()
	s := startIngestStack(t)
	sink := NewSink(t)
	def := fmt.Sprintf(`{"name":"large bodies","trigger":{"type":"webhook","connector":"stripe","credential":"stripe-e2e"},
"steps":[{"id":"post","type":"http","method":"POST","url":%q,"headers":{"Content-Type":"application/json"},
"body":{"id":"{{ trigger.id }}","len":"{{ len(trigger.data.object.note) }}","head":"{{ trigger.data.object.note[0:2] }}"}}]}`, sink.URL+"/sink")
	ep := seedWorkflow(t, s.st, s.kr, "large bodies", def)
	capped := int64(8 << 20)
	if _, err := s.st.UpdateEndpoint(ctx, ep.ID, store.EndpointSettings{MaxBodyBytes: &capped}); err != nil {
		t.Fatal(err)
	}
	s.svc.Invalidate()
	for _, tc := range []struct {
		name, id, note string
	}{
		{name: "400 KB of <", id: "evt_lt", note: strings.Repeat("<", 400_000)},
		{name: "3 MB under a raised cap", id: "evt_3mb", note: strings.Repeat("x", 3_000_000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"id":"` + tc.id + `","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":500,"note":"` + tc.note + `"}}}`
			code, reply := send(t, signedStripeBody(s.hooks.URL+"/hooks/"+ep.Token, body))
			if code != http.StatusAccepted || !strings.Contains(string(reply), `"accepted"`) {
				t.Fatalf("%d %s", code, reply)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(sink.WaitArrival(t, 2*time.Minute)), &got); err != nil {
				t.Fatal(err)
			}
			if got["id"] != tc.id || got["len"] != float64(len(tc.note)) || got["head"] != tc.note[:2] {
				t.Fatalf("the run saw %v", got)
			}
		})
	}
}

// TestPermanentStartFailureFailsTheEvent gives Temporal a run it refuses
// for good (a definition over its 2 MiB payload limit, which no body
// reference can shrink): the event ends failed with the reason, counted
// in hookflow_events_failed_total, instead of being retried forever.
func TestPermanentStartFailureFailsTheEvent(t *testing.T) {
	ctx := context.Background()
	s := startIngestStack(t)
	huge := strings.Repeat("z", 3<<20)
	def := fmt.Sprintf(`{"name":"huge","trigger":{"type":"webhook","connector":"stripe","credential":"stripe-e2e"},
"steps":[{"id":"m","type":"map","map":{"x":%q}}]}`, huge)
	ep := seedWorkflow(t, s.st, s.kr, "huge", def)
	before := testutil.ToFloat64(metrics.EventsFailed.WithLabelValues("too_large"))
	code, reply := send(t, signedStripe(s.hooks.URL+"/hooks/"+ep.Token, "evt_huge"))
	if code != http.StatusAccepted {
		t.Fatalf("%d %s", code, reply)
	}
	var rep triggers.Reply
	_ = json.Unmarshal(reply, &rep)
	var ev store.Event
	eventually(t, "the event fails", func() bool {
		ev, _ = s.st.GetEvent(ctx, rep.EventID)
		return ev.Status == store.EventFailed
	})
	if !strings.Contains(ev.Reason, "the run cannot start (not retried)") || !strings.Contains(strings.ToLower(ev.Reason), "size") {
		t.Fatalf("failed with reason %q", ev.Reason)
	}
	if got := testutil.ToFloat64(metrics.EventsFailed.WithLabelValues("too_large")); got != before+1 {
		t.Fatalf("events_failed_total{too_large} moved by %v, want 1", got-before)
	}
	if n := s.svc.Dispatcher.Sweep(ctx); n != 0 {
		t.Fatalf("the sweeper took %d events after a permanent failure", n)
	}
}

// TestFailedSyncRunAnswersGenerically sends a respond: on_complete event
// whose run fails on a provider's 400: the caller gets 500 with a generic
// message and the run id, never the provider's error text, which stays
// in the run.
func TestFailedSyncRunAnswersGenerically(t *testing.T) {
	ctx := context.Background()
	s := startIngestStack(t)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"bad request from sink"}`)
	}))
	t.Cleanup(bad.Close)
	def := fmt.Sprintf(`{"name":"sync fails","trigger":{"type":"webhook","connector":"stripe","credential":"stripe-e2e","respond":"on_complete","respond_timeout":"60s"},
"steps":[{"id":"boom","type":"http","method":"POST","url":%q,"body":{},"retry":{"max_attempts":1}}]}`, bad.URL+"/sink")
	ep := seedWorkflow(t, s.st, s.kr, "sync fails", def)
	code, reply := send(t, signedStripe(s.hooks.URL+"/hooks/"+ep.Token, "evt_boom"))
	var got struct {
		Error  string `json:"error"`
		RunID  string `json:"run_id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(reply, &got); err != nil {
		t.Fatalf("%d %s: %v", code, reply, err)
	}
	if code != http.StatusInternalServerError || got.Status != "failed" || got.RunID == "" || strings.Contains(string(reply), "sink") {
		t.Fatalf("reply %d %s, want 500 with a generic message and the run id", code, reply)
	}
	// The run's summary is saved as the reply goes out.
	var run store.Run
	eventually(t, "the run keeps the detail", func() bool {
		run, _ = s.st.GetRun(ctx, got.RunID)
		return strings.Contains(run.Error, "bad request from sink")
	})
}
