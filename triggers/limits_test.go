package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestSignedUnparseableDeliveriesAreKept sends genuinely signed Stripe
// deliveries the pipeline cannot turn into events. Each is answered 202
// and kept as "unparseable" with its reason and exact body, counted, and
// starts nothing; the provider's retry of it is a duplicate, not a second
// row; and once the cause is fixed it can be replayed into a run.
func TestSignedUnparseableDeliveriesAreKept(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("unparseable", stripeTrigger, store.NewEndpoint{})
		received := func(status string) float64 {
			return testutil.ToFloat64(metrics.EventsReceived.WithLabelValues(metrics.EventLabels(ep.ID, ep.WorkflowID, "unparseable", "stripe", status)...))
		}
		deep := `{"id":"evt_deep","type":"payment_intent.succeeded","data":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`
		cases := []struct {
			name, body, wantReason string
		}{
			{name: "not JSON", body: `id=evt_1&type=payment_intent.succeeded`, wantReason: "malformed JSON body"},
			{name: "no event id", body: `{"object":"event","type":"payment_intent.succeeded","data":{"object":{"amount":500}}}`,
				wantReason: `field "id" is missing`},
			{name: "nested 100,000 levels deep", body: deep, wantReason: "nests deeper than 64 levels"},
			{name: "number beyond float64", body: `{"id":"evt_big","type":"payment_intent.succeeded","data":{"object":{"amount":1e400}}}`,
				wantReason: "the number 1e400 at byte 77 is out of range"},
		}
		kept := map[string]string{}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				runs, unparseable, duplicates := e.starter.count(), received(StatusUnparseable), received(StatusDuplicate)
				w := e.do(e.stripeRequest(ep.Token, []byte(tc.body)))
				if w.Code != http.StatusAccepted || reply(t, w).Status != StatusUnparseable {
					t.Fatalf("got %d %s, want 202 unparseable", w.Code, w.Body)
				}
				id := reply(t, w).EventID
				ev, err := st.GetEvent(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				if ev.Status != store.EventUnparseable || ev.Verification != store.VerificationOK || !strings.Contains(ev.Reason, tc.wantReason) {
					t.Fatalf("kept as %q (verification %q) with reason %q, want unparseable with %q", ev.Status, ev.Verification, ev.Reason, tc.wantReason)
				}
				if !bytes.Equal(ev.Body, []byte(tc.body)) {
					t.Fatalf("kept body differs from the received bytes (%d vs %d bytes)", len(ev.Body), len(tc.body))
				}
				if got := received(StatusUnparseable); got != unparseable+1 {
					t.Fatalf("events_received_total{unparseable} moved by %v, want 1", got-unparseable)
				}
				// The provider retries: logged as a duplicate of the kept row.
				w = e.do(e.stripeRequest(ep.Token, []byte(tc.body)))
				if w.Code != http.StatusAccepted || reply(t, w).Status != StatusDuplicate || reply(t, w).EventID != id {
					t.Fatalf("retry got %d %s, want 202 duplicate of %s", w.Code, w.Body, id)
				}
				if got := received(StatusDuplicate); got != duplicates+1 {
					t.Fatalf("events_received_total{duplicate} moved by %v, want 1", got-duplicates)
				}
				if n := e.starter.count(); n != runs {
					t.Fatalf("%d runs started for an unparseable delivery", n-runs)
				}
				kept[tc.name] = id
			})
		}
		var rows []store.Event
		for _, ev := range e.events(ep.ID) {
			if ev.Status == store.EventUnparseable {
				rows = append(rows, ev)
			}
		}
		if len(rows) != len(cases) {
			t.Fatalf("%d unparseable rows, want one per delivery (%d)", len(rows), len(cases))
		}

		// Replayed after the fix (here: the event id is now there to be
		// found by the run), the kept delivery runs with its exact body.
		id := kept["no event id"]
		if id == "" {
			t.Fatal("the delivery without an event id was not kept")
		}
		rep, err := e.svc.Replayer.Replay(context.Background(), id, 0)
		if err != nil {
			t.Fatalf("replaying the unparseable event: %v", err)
		}
		runID := e.starter.waitRun(t)
		in, _ := e.starter.input(runID)
		if rep.ReplayOf != id || in.Event.ID != rep.ID || string(in.Event.Body) != cases[1].body {
			t.Fatalf("replay %+v started %+v", rep, in.Event)
		}
	})
}

// TestStartFailuresArePermanentOrRetried makes the starter fail the way
// Temporal does. A refusal of the request itself (payload over the size
// limit, invalid argument, an input that cannot be encoded) ends the
// event as failed with the reason and a count in events_failed_total, and
// the sweeper never tries it again; an outage or a rate limit keeps it
// pending with a backoff until the start succeeds.
func TestStartFailuresArePermanentOrRetried(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		cases := []struct {
			name      string
			err       error
			wantLabel string // "": transient
		}{
			{name: "payload over Temporal's blob limit", err: serviceerror.NewInvalidArgument("Blob data size exceeds limit."), wantLabel: failTooLarge},
			{name: "request refused as invalid", err: serviceerror.NewInvalidArgument("WorkflowType is not set on request."), wantLabel: failInvalid},
			{name: "gRPC message size limit", err: serviceerror.NewResourceExhausted(enumspb.RESOURCE_EXHAUSTED_CAUSE_UNSPECIFIED,
				"grpc: received message larger than max (5242880 vs. 4194304)"), wantLabel: failTooLarge},
			{name: "input that cannot be encoded", err: fmt.Errorf("starting run: %w: json: unsupported value: NaN", converter.ErrUnableToEncode), wantLabel: failEncoding},
			{name: "Temporal unavailable", err: serviceerror.NewUnavailable("connection refused")},
			{name: "start timed out", err: fmt.Errorf("starting run: %w", context.DeadlineExceeded)},
			{name: "namespace rate limit", err: serviceerror.NewResourceExhausted(enumspb.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT, "namespace rate limit exceeded")},
		}
		failed := func(label string) float64 { return testutil.ToFloat64(metrics.EventsFailed.WithLabelValues(label)) }
		labels := []string{failTooLarge, failInvalid, failEncoding, failVersionMissing}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := map[string]float64{}
				for _, l := range labels {
					before[l] = failed(l)
				}
				ep := e.workflow(fmt.Sprintf("start-%d", i), stripeTrigger, store.NewEndpoint{})
				e.starter.failNextWith(1, tc.err)
				w := e.do(e.stripeRequest(ep.Token, stripeBody(fmt.Sprintf("evt_start_%d", i), 500)))
				if w.Code != http.StatusAccepted {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				id := reply(t, w).EventID
				if tc.wantLabel != "" {
					ev := waitStatus(t, st, id, store.EventFailed)
					if !strings.Contains(ev.Reason, "the run cannot start (not retried)") || !strings.Contains(ev.Reason, tc.err.Error()) {
						t.Fatalf("failed with reason %q, want the cause %q", ev.Reason, tc.err)
					}
					if ev.NextDispatchAt != nil {
						t.Fatalf("a failed event is still due at %v", ev.NextDispatchAt)
					}
					for _, l := range labels {
						want := before[l]
						if l == tc.wantLabel {
							want++
						}
						if got := failed(l); got != want {
							t.Fatalf("events_failed_total{reason=%q} moved by %v, want %v", l, got-before[l], want-before[l])
						}
					}
					e.clock.Add(time.Hour)
					if n := e.svc.Dispatcher.Sweep(context.Background()); n != 0 {
						t.Fatalf("the sweeper took %d events after a permanent failure", n)
					}
					return
				}
				var ev store.Event
				for range 3000 {
					ev, _ = st.GetEvent(context.Background(), id)
					if strings.Contains(ev.Reason, "start attempt 1 failed") {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				if ev.Status != store.EventPending || ev.NextDispatchAt == nil || !strings.Contains(ev.Reason, tc.err.Error()) {
					t.Fatalf("after a transient failure: status %q, next %v, reason %q", ev.Status, ev.NextDispatchAt, ev.Reason)
				}
				for _, l := range labels {
					if got := failed(l); got != before[l] {
						t.Fatalf("a transient failure counted in events_failed_total{reason=%q}", l)
					}
				}
				// Temporal is back: the sweeper starts it.
				e.clock.Add(time.Hour)
				if n := e.svc.Dispatcher.Sweep(context.Background()); n != 1 {
					t.Fatalf("swept %d, want 1", n)
				}
				waitStatus(t, st, id, store.EventDispatched)
			})
		}
	})
}

// TestLargeBodiesTravelByReference checks that what ingest accepts can
// start: a body whose encoded run input would pass Temporal's 2 MiB limit
// (400 KB of "<", each encoded as 6 bytes; 3 MB under a raised endpoint
// cap) is stored as a blob, byte for byte, and the run input carries only
// its reference; a small body stays inline.
func TestLargeBodiesTravelByReference(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("large", stripeTrigger, store.NewEndpoint{MaxBodyBytes: 4 << 20})
		body := func(id, note string) []byte {
			return []byte(`{"id":"` + id + `","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":500,"note":"` + note + `"}}}`)
		}
		cases := []struct {
			name   string
			body   []byte
			inline bool
		}{
			{name: "400 KB of <", body: body("evt_lt", strings.Repeat("<", 400_000))},
			{name: "3 MB under a raised cap", body: body("evt_3mb", strings.Repeat("x", 3_000_000))},
			{name: "a usual event", body: stripeBody("evt_small", 500), inline: true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := e.do(e.stripeRequest(ep.Token, tc.body))
				if w.Code != http.StatusAccepted || reply(t, w).Status != StatusAccepted {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				in, _ := e.starter.input(e.starter.waitRun(t))
				payload, err := json.Marshal(in)
				if err != nil {
					t.Fatal(err)
				}
				if len(payload) > 2*DefaultInlineBodyBytes {
					t.Fatalf("the run input encodes to %d bytes", len(payload))
				}
				if tc.inline {
					if in.Event.BodyBlob != "" || !bytes.Equal(in.Event.Body, tc.body) {
						t.Fatalf("a small body went by reference: %+v", in.Event)
					}
					return
				}
				if in.Event.Body != nil || in.Event.BodyBlob == "" || in.Event.BodyBytes != len(tc.body) {
					t.Fatalf("body not by reference: blob %q, %d bytes, inline %d bytes", in.Event.BodyBlob, in.Event.BodyBytes, len(in.Event.Body))
				}
				got, err := st.GetBlob(context.Background(), in.Event.BodyBlob)
				if err != nil || !bytes.Equal(got, tc.body) {
					t.Fatalf("stored body: %d bytes, %v; want the %d received bytes", len(got), err, len(tc.body))
				}
			})
		}
	})
}

// TestManualRunsMeetTheBodyLimits refuses a manual run whose body the run
// could not decode, naming the limit.
func TestManualRunsMeetTheBodyLimits(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t).Store)
	ep := e.workflow("manual", stripeTrigger, store.NewEndpoint{})
	for _, tc := range []struct{ name, body, want string }{
		{name: "too deep", body: strings.Repeat("[", 65) + strings.Repeat("]", 65), want: "nests deeper than 64 levels"},
		{name: "number out of range", body: `{"n":-1e400}`, want: "the number -1e400 at byte 5 is out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Replayer.RunManual(context.Background(), ep.WorkflowID, []byte(tc.body))
			if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrInvalidInput naming %q", err, tc.want)
			}
		})
	}
}

// TestLargeEventsAreOfferedByReference checks the other payload an event
// becomes: the signal that offers it to waiting runs. A large body is
// offered as the blob reference the run's steps load, and a signal that
// Temporal refuses for good does not hold the event pending forever.
func TestLargeEventsAreOfferedByReference(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t).Store)
	ep := e.workflow("qualified-large", qualifyTrigger, store.NewEndpoint{MaxBodyBytes: 4 << 20})
	markWaited(t, e.st, "qualified")
	body := `{"event":"qualified","contact_id":7,"note":"` + strings.Repeat("&", 100_000) + `"}`
	w := e.do(bearerPost(ep.Token, body))
	if w.Code != http.StatusAccepted {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	waitStatus(t, e.st, reply(t, w).EventID, store.EventDispatched)
	sigs := e.starter.signals()
	if len(sigs) != 2 {
		t.Fatalf("%d signals, want 2", len(sigs))
	}
	var ref struct {
		Blob  string `json:"$blob"`
		Bytes int    `json:"bytes"`
	}
	if err := json.Unmarshal(sigs[0].Payload, &ref); err != nil || ref.Blob == "" || ref.Bytes != len(body) || sigs[0].Key != "7" {
		t.Fatalf("offered %.80s… (%d bytes) under key %q, want a reference to the %d-byte body", sigs[0].Payload, len(sigs[0].Payload), sigs[0].Key, len(body))
	}
	if got, err := e.st.GetBlob(context.Background(), ref.Blob); err != nil || string(got) != body {
		t.Fatalf("the referenced blob holds %d bytes (%v)", len(got), err)
	}

	e.starter.mu.Lock()
	e.starter.failSignals, e.starter.signalErr = 100, serviceerror.NewInvalidArgument("Blob data size exceeds limit.")
	e.starter.mu.Unlock()
	w = e.do(bearerPost(ep.Token, `{"event":"qualified","contact_id":8}`))
	waitStatus(t, e.st, reply(t, w).EventID, store.EventDispatched)
}
