package metrics

import "github.com/prometheus/client_golang/prometheus"

// The metrics of the trigger options sequence, reorder_window and
// concurrency, counted and set by the triggers dispatcher. Labels are
// workflow ids and fixed outcome names.
var (
	// SequenceEvents counts events of triggers with a sequence option by
	// workflow and outcome: in_order (passed the check and ran), stale
	// (older than the newest already processed for its order key; not
	// run), held (held for the reorder_window) and unsequenced (no order
	// key or no usable sequence value: run without the check, with the
	// reason in the events log).
	SequenceEvents = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "sequence_events_total",
		Help: "Events of triggers with a sequence option, by workflow and outcome (in_order, stale, held, unsequenced).",
	}, []string{"workflow", "outcome"})

	// EventsQueued counts the times an event had to wait for a run slot
	// of its workflow (trigger concurrency.limit).
	EventsQueued = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "concurrency_queued_total",
		Help: "Events that waited for a free run slot of their workflow (concurrency.limit), by workflow.",
	}, []string{"workflow"})

	// WorkflowRunsInFlight is, per workflow with a concurrency limit, the runs
	// holding a slot (started and not finished, waiting ones included),
	// and ConcurrencyLimit that limit; QueuedEvents is the events waiting
	// for a slot. The sweeper sets them from the store, so every process
	// reports the same, cluster-wide numbers.
	WorkflowRunsInFlight = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "workflow_runs_in_flight",
		Help: "Runs holding a concurrency slot of their workflow (waiting runs included).",
	}, []string{"workflow"})
	ConcurrencyLimit = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "workflow_concurrency_limit",
		Help: "The concurrency.limit of a workflow's trigger.",
	}, []string{"workflow"})
	QueuedEvents = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "workflow_events_queued",
		Help: "Events waiting for a free run slot of their workflow.",
	}, []string{"workflow"})
)

func init() {
	Registry.MustRegister(SequenceEvents, EventsQueued, WorkflowRunsInFlight, ConcurrencyLimit, QueuedEvents)
}
