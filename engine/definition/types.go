// Package definition holds the hookflow workflow definition: the JSON step
// graph a user saves, its Go types, parsing with precise error positions,
// complete validation (every error at once), a content hash for version
// pinning and the JSON Schema that editors and the API publish.
//
// A definition is checked completely when it is saved (Parse, then Validate)
// and only then handed to the interpreter, which may therefore assume every
// reference resolves, every expression compiles and every duration parses.
//
// # Step graph
//
// Steps run in list order unless a step names its Next. Branch and switch
// steps pick their next step with expressions; filter steps stop the run
// quietly (status "filtered") when their condition is false; stop and fail
// end the run. Targets of next, case next, default, on_timeout and
// on_error "goto:<id>" must name a step in the same step list: a foreach
// body or a parallel branch is its own list, entered at its first step.
// The graph is a DAG; the only loop is foreach.
//
// # Step kinds
//
// A step kind is declared once, like a connector: a KindSpec in its own
// file (kind_filter.go, kind_foreach.go, …) holds its fields as data, its
// validation, its moves in the step graph and, for foreach and parallel,
// the step lists nested in it; kinds.go registers them in one ordered
// list. validate.go is the generic walk over those specs: step lists,
// reachability, cycles, which steps have run where, references, and the
// checks every step shares (id, type, fields of other kinds, targets,
// on_error, retry, timeout). The API serves the specs at
// GET /api/v1/step-kinds and the editor builds its step forms from them.
//
// The interpreter runs each kind from its own engine/interpreter/kind_<name>.go,
// keyed by the same Kind; a test there checks that every kind here has
// exactly one executor. Execution stays in the interpreter because it is
// workflow code that needs the runner's internals (frames, the run log,
// signal buffers, activities, versioning): passing those through an
// interface would make them a public contract without making a kind any
// shorter. The specs stay in this package because validation needs Step
// and the validator's internals, which a package below definition could
// not see and one above it could not be called from.
//
// # Data context
//
// Expressions and templates see these roots (see package expression):
//
//	trigger   the event body as JSON, e.g. trigger.data.object.amount
//	event     {id, provider_id, type, received_at, headers, replay} of the triggering event
//	steps     steps.<id> is the output of a step that has already run
//	vars      the definition's vars, rendered once when the run starts
//	item      inside a foreach body: the current element
//	index     inside a foreach body: the current element's 0-based index
//	received  only in wait_for_event.match: the payload of the candidate event
//	now()     the run's deterministic clock (workflow time), never the wall clock
//
// What steps.<id> holds after a step has run is its kind's output: see
// KindSpec.Output (kind_<name>.go), which GET /api/v1/step-kinds serves.
//
// A step whose on_error is "continue" and that fails has the output
// {"error": {"message": "...", "class": "..."}}.
//
// # Waiting for events
//
// A wait_for_event step with an event waits durably (for days if need be)
// for an event of that type whose key equals the step's correlation_key,
// an expression evaluated when the wait starts; an optional match
// expression then looks at the candidate as received. Events come from
// webhooks: every accepted event (not a duplicate, an ignored or a
// rejected delivery) of any webhook workflow is offered to the waiting
// runs of its type, under the key found at its trigger's correlation_key,
// a gjson path into the event body. A trigger without correlation_key (or
// an event without a value at the path) offers its events under no key.
// A wait without correlation_key receives every event of its type, keyed
// or not. Waits see only events that arrive after they start. Replays
// offer the event again, under the replay's own event id; a provider's
// retry of the same event is a duplicate and is offered once.
//
// Keys compare as strings: a string is itself, a number its JSON form
// (42 → "42", so `"contact_id": 42` and `"contact_id": "42"` meet), true
// and false their names. Write the wait's key as the plain value
// (trigger.objectId), not string(trigger.objectId): string() of a large
// number such as a HubSpot id gives exponent notation ("1.2345678901e+10").
//
// The usual pattern, "wait up to 2 days for a qualified event": workflow
// A waits with
//
//	{"id": "qualified", "type": "wait_for_event", "event": "qualified",
//	 "correlation_key": "trigger.objectId", "wait_timeout": "2d", "on_timeout": "remind"}
//
// and the app that decides a contact is qualified posts
// {"event": "qualified", "contact_id": 123} to workflow B's generic webhook,
// whose trigger names the type and the key:
//
//	"trigger": {"type": "webhook", "connector": "webhook", "credential": "crm-signing",
//	            "options": {"type_path": "event"}, "correlation_key": "contact_id"}
//
// B's event also starts a run of B as usual (B may be just a stop step).
// An approval wait (approval instead of event) is answered through the API
// (POST /api/v1/runs/{id}/approve) or `hookflow approve RUN_ID`; a signal
// can be sent by hand with POST /api/v1/signals.
package definition

import (
	"strings"
	"time"

	"github.com/hookflow/hookflow/engine/expression"
)

// Kind is a step's type.
type Kind string

// The Kind constants (KindAction, KindFilter, …) and each kind's spec live
// in kind_<name>.go; Kinds and KindSpecs list them all.

// Trigger types.
const (
	TriggerWebhook  = "webhook"
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// Respond modes of a webhook trigger.
const (
	RespondImmediate  = "immediate"   // 202 with the event id as soon as the event is committed
	RespondOnComplete = "on_complete" // wait for a respond step (or the run's end) up to RespondTimeout
)

// On-error policies. A third form is "goto:<step id>".
const (
	OnErrorFail       = "fail"
	OnErrorContinue   = "continue"
	OnErrorGotoPrefix = "goto:"
)

// Definition is one workflow: a trigger and a step graph.
type Definition struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Trigger     Trigger        `json:"trigger"`
	Steps       []*Step        `json:"steps"`
	Vars        map[string]any `json:"vars,omitempty"`
	Settings    Settings       `json:"settings,omitzero"`
}

// Settings are workflow-level options.
type Settings struct {
	// RunTimeout bounds a whole run, waits and delays included.
	RunTimeout Duration `json:"run_timeout,omitempty"`
	// ErrorWorkflow is the id of a workflow started (with the failed run's
	// summary as its manual trigger input) when a run fails.
	ErrorWorkflow string `json:"error_workflow,omitempty"`
}

// Trigger says what starts a run.
type Trigger struct {
	Type       string   `json:"type"` // webhook | schedule | manual
	Connector  string   `json:"connector,omitempty"`
	Credential string   `json:"credential,omitempty"`
	Events     []string `json:"events,omitempty"`
	// Filter is an expression over trigger and event; events for which it
	// is false are recorded but start no run.
	Filter string `json:"filter,omitempty"`
	// Respond is immediate (default) or on_complete.
	Respond        string   `json:"respond,omitempty"`
	RespondTimeout Duration `json:"respond_timeout,omitempty"`
	// OrderKey is a gjson path into the event body; events with the same
	// key run one after another, in the order received.
	OrderKey string `json:"order_key,omitempty"`
	// CorrelationKey is a gjson path into the event body (webhook
	// triggers only). Every accepted event of this trigger is offered to
	// the runs waiting in a wait_for_event step for its type, under the
	// value at this path (see the package documentation, "Waiting for
	// events"). Without it the event is still offered, under no key, to
	// the waits that set no correlation_key.
	CorrelationKey string `json:"correlation_key,omitempty"`
	// Sequence, ReorderWindow and Concurrency are the out-of-order and
	// concurrency options; see trigger.go.
	Sequence      string            `json:"sequence,omitempty"`
	ReorderWindow Duration          `json:"reorder_window,omitempty"`
	Concurrency   *ConcurrencyLimit `json:"concurrency,omitempty"`
	Options       map[string]any    `json:"options,omitempty"`
	Schedule      *Schedule         `json:"schedule,omitempty"`
	// RunName is a template naming each run in lists ("Order {{
	// trigger.order_id }}"), over trigger, event and vars (see
	// checkRunName).
	RunName string `json:"run_name,omitempty"`
}

// Schedule configures a schedule trigger: exactly one of Cron or Every.
type Schedule struct {
	Cron     string   `json:"cron,omitempty"`     // standard 5-field cron, or @hourly/@daily…
	Timezone string   `json:"timezone,omitempty"` // IANA name; default UTC
	Every    Duration `json:"every,omitempty"`
}

// Step is one node of the graph. Which fields may be set depends on Type;
// Validate rejects fields that belong to another kind.
type Step struct {
	ID          string `json:"id"`
	Type        Kind   `json:"type"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Next        string `json:"next,omitempty"`

	// Per-step options (any kind that does work; see Validate).
	Retry   *Retry   `json:"retry,omitempty"`
	Timeout Duration `json:"timeout,omitempty"`
	OnError string   `json:"on_error,omitempty"` // fail | continue | goto:<id>

	// action (Connector, Action, Credential, Input); http uses Credential too.
	Connector  string         `json:"connector,omitempty"`
	Action     string         `json:"action,omitempty"`
	Credential string         `json:"credential,omitempty"`
	Input      map[string]any `json:"input,omitempty"` // templates allowed in every string

	// http (and respond: Headers, Body, Status).
	Method  string            `json:"method,omitempty"`
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Query   map[string]string `json:"query,omitempty"`
	Body    any               `json:"body,omitempty"`
	Status  int               `json:"status,omitempty"`

	// filter.
	If string `json:"if,omitempty"`

	// branch and switch. Switch compares Value (an expression string)
	// with each case's Equals. Value is also the data step's value (any
	// JSON), which is why it is not a string.
	Value   any     `json:"value,omitempty"`
	Cases   []*Case `json:"cases,omitempty"`
	Default string  `json:"default,omitempty"`

	// map: output field → gjson path, template, nested mapping or literal
	// (see expression.Mapping).
	Map map[string]any `json:"map,omitempty"`

	// foreach.
	Items       string  `json:"items,omitempty"`
	Steps       []*Step `json:"steps,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
	MaxItems    int     `json:"max_items,omitempty"`
	// OnOverflow says what a list longer than max_items does:
	// OnOverflowFail (the default) or OnOverflowTruncate.
	OnOverflow string `json:"on_overflow,omitempty"`

	// parallel.
	Branches []*Branch `json:"branches,omitempty"`

	// delay: exactly one of Duration or Until (an expression giving a time
	// or an RFC 3339 string).
	Duration Duration `json:"duration,omitempty"`
	Until    string   `json:"until,omitempty"`

	// wait_for_event: Event (an event type) or Approval; CorrelationKey is
	// an expression evaluated when the wait starts; Match an optional
	// expression over `received`; WaitTimeout and OnTimeout say how long and
	// where to go when nothing arrives (default: continue at the next step).
	Event          string    `json:"event,omitempty"`
	CorrelationKey string    `json:"correlation_key,omitempty"`
	Match          string    `json:"match,omitempty"`
	Approval       *Approval `json:"approval,omitempty"`
	WaitTimeout    Duration  `json:"wait_timeout,omitempty"`
	OnTimeout      string    `json:"on_timeout,omitempty"`
	// Notify (approvals only) runs once when the wait starts, before it
	// waits: steps that tell the approvers, which see the wait's links as
	// steps.<wait id>.links.
	Notify []*Step `json:"notify,omitempty"`

	// call_workflow. Wait defaults to true.
	Workflow      string `json:"workflow,omitempty"`
	WorkflowInput any    `json:"workflow_input,omitempty"`
	Wait          *bool  `json:"wait,omitempty"`

	// stop and fail.
	Message string `json:"message,omitempty"`

	// data: Op on Key (a template) of Store ("" is the workflow's private
	// store), with Value (set, append; get's fallback), TTL, By
	// (increment, default 1) and MaxItems (append).
	Op    string   `json:"op,omitempty"`
	Store string   `json:"store,omitempty"`
	Key   string   `json:"key,omitempty"`
	TTL   Duration `json:"ttl,omitempty"`
	By    *int64   `json:"by,omitempty"`

	// code: JavaScript run as a function body (see package jsruntime);
	// MemoryMB is its heap budget.
	Code     string `json:"code,omitempty"`
	MemoryMB int    `json:"memory_mb,omitempty"`

	// loop: Steps run again until the expression Until holds, at most
	// MaxIterations times, with Delay between iterations; OnMax says what
	// reaching MaxIterations does (OnMaxFail or OnMaxContinue).
	MaxIterations int      `json:"max_iterations,omitempty"`
	Delay         Duration `json:"delay,omitempty"`
	OnMax         string   `json:"on_max,omitempty"`
}

// Case is one arm of a branch (If) or switch (Equals).
type Case struct {
	If     string `json:"if,omitempty"`
	Equals any    `json:"equals,omitempty"`
	Next   string `json:"next"`
}

// Branch is one named branch of a parallel step.
type Branch struct {
	Name  string  `json:"name"`
	Steps []*Step `json:"steps"`
}

// Approval turns a wait_for_event into a human approval: the run waits for
// an approve/reject decision signal. When Approvers is set only they may
// decide: by an API key of that name, or through the signed one-time
// link the wait makes for each of them.
type Approval struct {
	Message   string   `json:"message,omitempty"` // template, shown to approvers
	Approvers []string `json:"approvers,omitempty"`
}

// Retry is a step's retry policy, mapped onto Temporal's RetryPolicy.
type Retry struct {
	MaxAttempts     int      `json:"max_attempts,omitempty"`
	InitialInterval Duration `json:"initial_interval,omitempty"`
	Backoff         float64  `json:"backoff,omitempty"` // coefficient, >= 1
	MaxInterval     Duration `json:"max_interval,omitempty"`
	// NonRetryable lists error classes ("permanent", "rate_limited") or
	// provider error codes that must not be retried.
	NonRetryable []string `json:"non_retryable,omitempty"`
}

// WaitsForChild reports whether a call_workflow step waits for the child.
func (s *Step) WaitsForChild() bool { return s.Wait == nil || *s.Wait }

// GotoTarget returns the step id of an on_error "goto:<id>", or "".
func (s *Step) GotoTarget() string {
	if t, ok := strings.CutPrefix(s.OnError, OnErrorGotoPrefix); ok {
		return t
	}
	return ""
}

// Duration is a duration written as a string: Go's syntax ("90s", "1h30m")
// plus whole days ("3d", "2d12h"). Validate rejects any that does not parse,
// so the interpreter may use Value.
type Duration string

// Parse returns the duration. The empty string is zero.
func (d Duration) Parse() (time.Duration, error) { return ParseDuration(string(d)) }

// Value returns the duration, or 0 when it does not parse (only possible
// for a definition that has not been validated).
func (d Duration) Value() time.Duration {
	v, _ := d.Parse()
	return v
}

// ParseDuration parses Go duration syntax extended with a leading whole
// number of days ("3d", "1d12h", "-2d"); the empty string is zero.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return expression.ParseDuration(s)
}
