package triggers

import (
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestWebhookMetrics drives deliveries through the handler and checks the
// counters moved: received by endpoint, workflow id and name, connector
// and outcome, verification failures
// by connector and reason, ingest latency, and dispatch lag once the run
// starts. The handles are process-wide, so the test compares before and
// after on labels (a fresh endpoint id) nothing else touches.
func TestWebhookMetrics(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("metrics", stripeTrigger, store.NewEndpoint{})
		received := func(status string) float64 {
			return testutil.ToFloat64(metrics.EventsReceived.WithLabelValues(metrics.EventLabels(ep.ID, ep.WorkflowID, "metrics", "stripe", status)...))
		}
		badSig := func() float64 {
			return testutil.ToFloat64(metrics.VerificationFailures.WithLabelValues("stripe", "bad signature"))
		}
		unknown := testutil.ToFloat64(metrics.EventsReceived.WithLabelValues(metrics.EventLabels(unknownEndpoint, "", "", "", outcomeNotFound)...))
		failures := badSig()
		stripeLatency := metrics.IngestLatency.WithLabelValues("stripe").(prometheus.Histogram)
		latencyBefore := histogramCount(t, stripeLatency)
		lagBefore := histogramCount(t, metrics.DispatchLag)

		if w := e.do(e.stripeRequest(ep.Token, stripeBody("evt_m1", 500))); w.Code != http.StatusAccepted {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		e.starter.waitRun(t)
		e.do(e.stripeRequest(ep.Token, stripeBody("evt_m1", 500)))                     // duplicate
		e.do(e.stripeRequest(ep.Token, stripeBody("evt_m2", 50)))                      // the trigger filter ignores it
		e.do(stripeSigned(ep.Token, stripeBody("evt_m3", 500), e.clock.Now(), "nope")) // forged
		e.do(e.stripeRequest("no-such-token", stripeBody("evt_m4", 500)))

		for status, want := range map[string]float64{StatusAccepted: 1, StatusDuplicate: 1, StatusIgnored: 1, outcomeRejected: 1} {
			if got := received(status); got != want {
				t.Errorf("events_received_total{status=%q} = %v, want %v", status, got, want)
			}
		}
		if got := testutil.ToFloat64(metrics.EventsReceived.WithLabelValues(metrics.EventLabels(unknownEndpoint, "", "", "", outcomeNotFound)...)); got != unknown+1 {
			t.Errorf("unknown endpoint counted %v times, want 1", got-unknown)
		}
		if got := badSig(); got != failures+1 {
			t.Errorf("verification_failures_total{stripe,bad signature} moved by %v, want 1", got-failures)
		}
		// Four deliveries reached the endpoint (accepted, duplicate,
		// filtered, forged); the one to an unknown token has no connector.
		if got := histogramCount(t, stripeLatency) - latencyBefore; got != 4 {
			t.Errorf("ingest_latency_seconds{stripe} observed %d deliveries, want 4", got)
		}
		if got := histogramCount(t, metrics.DispatchLag); got < lagBefore+1 {
			t.Errorf("dispatch_lag_seconds observed %d starts, want at least 1", got-lagBefore)
		}
	})
}

// histogramCount returns how many observations a histogram holds.
func histogramCount(t *testing.T, h prometheus.Histogram) uint64 {
	t.Helper()
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}
