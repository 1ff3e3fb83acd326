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
// event id in a label.
//
// Who increments what:
//
//	triggers:     EventsReceived, VerificationFailures, IngestLatency, DispatchLag, EventsFailed
//	interpreter:  Runs (when a run ends), StepDuration and StepErrors (action/http steps)
//	webhook send: Deliveries (after every attempt)
//	httpedge:     GuardRefusals (slow or excess request bodies)
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
	// EventsReceived counts webhook deliveries by endpoint id and outcome
	// status: accepted, duplicate, ignored, unparseable (an authenticated
	// delivery kept although it cannot be parsed), rejected
	// (verification), invalid (malformed body), rate_limited, forbidden,
	// too_large, unavailable.
	EventsReceived = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "events_received_total",
		Help: "Webhook deliveries received, by endpoint and outcome status.",
	}, []string{"endpoint", "status"})

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

	// Runs counts finished runs by workflow id and final status.
	Runs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "runs_total",
		Help: "Finished runs, by workflow and status.",
	}, []string{"workflow", "status"})

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
		EventsReceived, VerificationFailures, IngestLatency, DispatchLag, EventsFailed,
		Runs, StepDuration, StepErrors, Deliveries, APIRequests, GuardRefusals,
	)
}

// Handler serves Registry in the Prometheus text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}

// Since is a helper for histograms: Since(start) in seconds.
func Since(start time.Time) float64 { return time.Since(start).Seconds() }
