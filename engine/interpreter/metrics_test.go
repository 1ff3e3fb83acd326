package interpreter

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
)

// TestActivityMetrics runs action, http and outgoing-webhook steps through
// the real activities and checks what they record: one duration per
// attempt, errors by class, deliveries by scheme://host and status, and
// the run counted once when it ends, even when its summary is saved again.
func TestActivityMetrics(t *testing.T) {
	fx := newFixture(t)
	srv := newSink(t)
	calls := 0
	srv.statusFn = func() int {
		calls++
		if calls == 1 {
			return 503
		}
		return 200
	}
	const wf = "wf_metrics"
	def := fmt.Sprintf(`{"name": "m", "trigger": {"type": "webhook"}, "steps": [
		{"id": "flaky", "type": "action", "connector": "test", "action": "flaky", "input": {"fail_times": 1},
			"retry": {"max_attempts": 3, "initial_interval": "1s"}},
		{"id": "reject", "type": "action", "connector": "test", "action": "reject", "input": {"reason": "x"}, "on_error": "continue"},
		{"id": "internal", "type": "http", "url": "http://169.254.169.254/latest/meta-data", "on_error": "continue"},
		{"id": "notify", "type": "action", "connector": "webhook", "action": "send",
			"input": {"url": "%s/fulfil?token=secret-in-query", "event_type": "order.paid", "data": {"id": 7}, "retry_schedule": "0s,5s"}}]}`, srv.URL)
	dest := "http://" + strings.TrimPrefix(srv.URL, "http://")

	durations := func(connector, action string) uint64 {
		return sampleCount(t, metrics.StepDuration.WithLabelValues(connector, action).(prometheus.Histogram))
	}
	errs := func(connector, action, class string) float64 {
		return testutil.ToFloat64(metrics.StepErrors.WithLabelValues(connector, action, class))
	}
	deliveries := func(status string) float64 {
		return testutil.ToFloat64(metrics.Deliveries.WithLabelValues(dest, status))
	}
	runs := func() float64 {
		return testutil.ToFloat64(metrics.Runs.WithLabelValues(metrics.RunLabels(wf, "m", "", StatusCompleted)...))
	}
	before := []float64{float64(durations("test", "flaky")), errs("test", "flaky", classRetryable), errs("test", "reject", classPermanent),
		errs("http", "request", classPermanent), deliveries(store.DeliveryFailed), deliveries(store.DeliverySucceeded), runs()}

	in := input(t, def, `{}`)
	in.WorkflowID = wf
	_, err, l := run(t, fx.newEnv(t), in)
	if err != nil || l.Status != StatusCompleted {
		t.Fatalf("run %s: %v", l.Status, err)
	}
	after := []float64{float64(durations("test", "flaky")), errs("test", "flaky", classRetryable), errs("test", "reject", classPermanent),
		errs("http", "request", classPermanent), deliveries(store.DeliveryFailed), deliveries(store.DeliverySucceeded), runs()}
	names := []string{"flaky durations", "flaky retryable errors", "reject permanent errors", "http permanent errors",
		"failed deliveries", "succeeded deliveries", "completed runs"}
	want := []float64{2, 1, 1, 1, 1, 1, 1}
	for i := range names {
		if got := after[i] - before[i]; got != want[i] {
			t.Errorf("%s moved by %v, want %v", names[i], got, want[i])
		}
	}
	// The destination label never carries the path or the query.
	mfs, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if strings.Contains(lp.GetValue(), "secret-in-query") || strings.Contains(lp.GetValue(), "/fulfil") {
					t.Errorf("%s has the label %s=%q", mf.GetName(), lp.GetName(), lp.GetValue())
				}
			}
		}
	}

	// A retried SaveRun of the finished run does not count it again.
	a := NewActivities(fx.deps())
	if err := a.SaveRun(context.Background(), SaveRunRequest{Log: l}); err != nil {
		t.Fatal(err)
	}
	if got := runs() - before[6]; got != 1 {
		t.Errorf("completed runs moved by %v after a repeated save, want 1", got)
	}
}

func sampleCount(t *testing.T, h prometheus.Histogram) uint64 {
	t.Helper()
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}
