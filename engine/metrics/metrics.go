// Package metrics holds hookflow's Prometheus metrics: one set of handles
// that the triggers pipeline, the interpreter's activities, the outgoing
// webhook sender and the API increment, and the registry GET /metrics
// serves.
//
// The handles are package-level so that any package can count without
// threading a value through every constructor; they are registered on
// Registry (not the global default registry), so tests and embedders that
// build several processes in one binary never collide. Label values must
// come from small, bounded sets (endpoint ids, workflow ids, connector and
// action names, fixed reasons): never put a user-supplied string or an
// event id in a label. Workflow names are the one exception, for people
// reading dashboards: a name is bounded by the workflows (at most one
// live name per workflow id), so it adds no series beyond the id's; a
// renamed workflow starts new series under its new name.
//
// Who increments what:
//
//	triggers:     EventsReceived, VerificationFailures, IngestLatency, DispatchLag, EventsFailed,
//	              BatchesStarted, BatchRuns
//	interpreter:  Runs (when a run ends), StepDuration and StepErrors (action/http steps)
//	webhook send: Deliveries (after every attempt)
//	httpedge:     GuardRefusals (slow or excess request bodies)
//	health:       the gauges EventsBacklog, RunsInFlight, RunsWaiting and
//	              AlertIncidentsOpen, set from store counts once per
//	              evaluation pass (engine/services/health), not per scrape
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every hookflow metric.
const Namespace = "hookflow"

// Registry holds every hookflow metric plus the Go runtime and process
// collectors. Handler serves it.
var Registry = prometheus.NewRegistry()

var (
	// EventsReceived counts webhook deliveries by endpoint id, the
	// endpoint's workflow (id and name), the trigger's connector and the
	// outcome status: accepted, duplicate, ignored, unparseable (an
	// authenticated delivery kept although it cannot be parsed), rejected
	// (verification), invalid (malformed body), rate_limited, forbidden,
	// too_large, unavailable. A delivery to no endpoint has endpoint
	// "unknown" and the other three labels empty. Use EventLabels.
	EventsReceived = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "events_received_total",
		Help: "Webhook deliveries received, by endpoint, workflow, connector and outcome status.",
	}, []string{"endpoint", "workflow", "workflow_name", "connector", "status"})

	// VerificationFailures counts rejected signatures by connector and the
	// verifier's fixed reason string (never a value from the request).
	VerificationFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "verification_failures_total",
		Help: "Webhook signature verification failures, by connector and reason.",
	}, []string{"connector", "reason"})

	// IngestLatency observes the time from reading a delivery to writing
	// its response (commit included), by connector.
	IngestLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "ingest_latency_seconds",
		Help:    "Time from receiving a webhook delivery to acknowledging it.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"connector"})

	// EventsFailed counts accepted events that ended failed before their
	// run started, by a fixed reason: too_large, invalid_argument,
	// encoding, version_missing. Each is a cause retrying cannot cure, so
	// any increase deserves an alert.
	EventsFailed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "events_failed_total",
		Help: "Accepted events whose run could never start, by reason.",
	}, []string{"reason"})

	// DispatchLag observes the time from an event's commit to the start
	// of its Temporal workflow.
	DispatchLag = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "dispatch_lag_seconds",
		Help:    "Time from committing an event to starting its run.",
		Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 15, 60, 300, 1800},
	})

	// BatchesStarted counts batch executions started (see
	// interpreter.BatchWorkflow); BatchRuns observes how many runs each
	// carried. Together with DispatchLag they show whether the load
	// forms the batches that make completions cheap.
	BatchesStarted = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: Namespace, Name: "batches_started_total",
		Help: "Batch executions started, each carrying the runs of several events of one workflow version.",
	})
	BatchRuns = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "batch_runs",
		Help:    "Runs carried by one batch execution.",
		Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200},
	})

	// Runs counts finished runs by workflow id, workflow name, the
	// connector of the workflow's trigger ("" for a generic webhook or a
	// schedule) and final status. Use RunLabels.
	Runs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "runs_total",
		Help: "Finished runs, by workflow, connector and status.",
	}, []string{"workflow", "workflow_name", "connector", "status"})

	// StepDuration observes connector step durations (one observation per
	// attempt) by connector and action; http steps use connector "http",
	// action "request".
	StepDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "step_duration_seconds",
		Help:    "Duration of action and http step attempts, by connector and action.",
		Buckets: prometheus.DefBuckets,
	}, []string{"connector", "action"})

	// StepErrors counts failed step attempts by connector, action and
	// error class (retryable, permanent, rate_limited).
	StepErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "step_errors_total",
		Help: "Failed action and http step attempts, by connector, action and error class.",
	}, []string{"connector", "action", "class"})

	// Deliveries counts outgoing webhook attempts by destination host and
	// result status (succeeded, failed, dead).
	Deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "deliveries_total",
		Help: "Outgoing webhook delivery attempts, by destination host and status.",
	}, []string{"destination", "status"})

	// GuardRefusals counts requests the HTTP edge cut short, by reason:
	// busy (503 at the cap on webhook bodies in flight) or body_timeout
	// (the body did not arrive within the body deadline).
	GuardRefusals = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "http_guard_refusals_total",
		Help: "Requests refused or cut short by the HTTP edge, by reason (busy, body_timeout).",
	}, []string{"reason"})

	// EventsBacklog is the number of events stored but not yet started
	// (status pending): a growing backlog means Temporal is slow or down.
	EventsBacklog = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "events_backlog",
		Help: "Events stored but not yet dispatched to a run.",
	})

	// RunsInFlight is the number of runs whose summary says running,
	// waiting ones included.
	RunsInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "runs_in_flight",
		Help: "Runs in flight (started and not ended, waiting ones included).",
	})

	// RunsWaiting is the number of runs in flight that are parked in a
	// wait_for_event, an approval or a delay.
	RunsWaiting = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "runs_waiting",
		Help: "Runs waiting for an event, an approval or a delay.",
	})

	// AlertIncidentsOpen is the number of health alert incidents firing.
	AlertIncidentsOpen = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "alert_incidents_open",
		Help: "Health alert incidents currently firing.",
	})

	// APIRequests counts REST API requests by route template and status code.
	APIRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "api_requests_total",
		Help: "REST API requests, by method, route and status code.",
	}, []string{"method", "route", "code"})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		EventsReceived, VerificationFailures, IngestLatency, DispatchLag, EventsFailed, BatchesStarted, BatchRuns,
		Runs, StepDuration, StepErrors, Deliveries, APIRequests, GuardRefusals,
		EventsBacklog, RunsInFlight, RunsWaiting, AlertIncidentsOpen,
	)
}

// EventLabels are the label values of EventsReceived, in order.
func EventLabels(endpoint, workflowID, workflowName, connector, status string) []string {
	return []string{endpoint, workflowID, workflowName, connector, status}
}

// RunLabels are the label values of Runs, in order.
func RunLabels(workflowID, workflowName, connector, status string) []string {
	return []string{workflowID, workflowName, connector, status}
}

// Handler serves Registry in the Prometheus text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}

// Since is a helper for histograms: Since(start) in seconds.
func Since(start time.Time) float64 { return time.Since(start).Seconds() }
