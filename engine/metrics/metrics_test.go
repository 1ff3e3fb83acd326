package metrics_test

import (
	"slices"
	"testing"

	"github.com/hookflow/hookflow/engine/metrics"
)

// TestRegistryNamesAndLabels pins what dashboards and alerts query: the
// health gauges exist, and the events and runs counters carry workflow
// names and connectors beside the ids, in the order the label helpers
// give them.
func TestRegistryNamesAndLabels(t *testing.T) {
	metrics.EventsReceived.WithLabelValues(metrics.EventLabels("ep_1", "wf_1", "Orders", "stripe", "accepted")...).Inc()
	metrics.Runs.WithLabelValues(metrics.RunLabels("wf_1", "Orders", "stripe", "failed")...).Inc()
	metrics.EventsBacklog.Set(3)
	metrics.RunsInFlight.Set(2)
	metrics.RunsWaiting.Set(1)
	metrics.AlertIncidentsOpen.Set(1)

	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	values := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			got[f.GetName()] = labels
			if g := m.GetGauge(); g != nil {
				values[f.GetName()] = g.GetValue()
			}
		}
	}
	for _, tc := range []struct {
		name   string
		labels []string
	}{
		{"hookflow_events_received_total", []string{"connector=stripe", "endpoint=ep_1", "status=accepted", "workflow=wf_1", "workflow_name=Orders"}},
		{"hookflow_runs_total", []string{"connector=stripe", "status=failed", "workflow=wf_1", "workflow_name=Orders"}},
	} {
		if !slices.Equal(got[tc.name], tc.labels) {
			t.Errorf("%s labels %v, want %v", tc.name, got[tc.name], tc.labels)
		}
	}
	for name, want := range map[string]float64{"hookflow_events_backlog": 3, "hookflow_runs_in_flight": 2,
		"hookflow_runs_waiting": 1, "hookflow_alert_incidents_open": 1} {
		if v, ok := values[name]; !ok || v != want {
			t.Errorf("gauge %s = %v (present %v), want %v", name, v, ok, want)
		}
	}
}
