package interpreter

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

// Workflow, query, update and signal names. They are part of the wire
// contract with running workflows: never rename one.
const (
	// WorkflowName is the one workflow type that interprets every definition.
	WorkflowName = "hookflow.Run"
	// MailboxWorkflowName runs the events of one order key one at a time.
	MailboxWorkflowName = "hookflow.Mailbox"
	// WaitRouterWorkflowName forwards correlated events to waiting runs.
	WaitRouterWorkflowName = "hookflow.WaitRouter"
	// RedeliverWorkflowName re-sends one outgoing webhook delivery by hand.
	RedeliverWorkflowName = "hookflow.Redeliver"

	// QueryRunLog returns the live RunLog of a run.
	QueryRunLog = "run-log"
	// QueryResponse returns the run's synchronous reply (*Response, nil
	// while none is set).
	QueryResponse = "response"
	// UpdateAwaitResponse blocks until a respond step sets the reply or the
	// run ends, and returns the Response. StartAndAwaitResponse sends it
	// with update-with-start, so the reply is as durable as the run.
	UpdateAwaitResponse = "await-response"
	// SignalEvent delivers an EventSignal to a run that waits in a
	// wait_for_event step (normally through the wait router, see
	// SignalWaiting).
	SignalEvent = "event"
	// SignalApproval delivers a Decision to a run waiting for an approval.
	SignalApproval = "approval"
	// SignalEnqueue feeds a RunInput to an ordering mailbox.
	SignalEnqueue = "enqueue"
	// SignalRouter carries a RouterMessage to the wait router.
	SignalRouter = "route"
)

// Run statuses reported in RunResult and RunLog (the store's run statuses).
const (
	StatusRunning   = "running"
	StatusCompleted = "completed"
	StatusFailed    = "failed"
	StatusFiltered  = "filtered"
	StatusCancelled = "cancelled"
	StatusTimedOut  = "timed_out"
)

// EventInfo is the event that started a run. Body is the JSON the
// definition sees as `trigger`.
type EventInfo struct {
	ID string `json:"id"`
	// ProviderID is the provider's own event id (Stripe's evt_…, Shopify's
	// X-Shopify-Event-Id), the natural idempotency key for downstream calls.
	ProviderID string            `json:"provider_id,omitempty"`
	Type       string            `json:"type,omitempty"`
	ReceivedAt time.Time         `json:"received_at"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       json.RawMessage   `json:"body,omitempty"`
	// BodyBlob, when set, is the blob that holds the body instead of Body
	// (see SetBody): the run sees `trigger` as a blob reference, and
	// evaluations that mention trigger run in the Resolve activity, which
	// loads it. BodyBytes is the body's size.
	BodyBlob  string `json:"body_blob,omitempty"`
	BodyBytes int    `json:"body_bytes,omitempty"`
	// Replay is true when the event was replayed by hand from the event log.
	Replay bool `json:"replay,omitempty"`
}

// DefaultInlineBodyBytes is the largest event body, as encoded in a run's
// input (EncodedSizeBound), that SetBody keeps inline. Temporal refuses a
// payload over 2 MiB (and warns from 512 KiB), the input also carries the
// definition, and an inline body rides along in every Resolve activity
// of the run; well below all of that, the common event stays inline and
// costs no store read.
const DefaultInlineBodyBytes = 256 << 10

// SetBody sets the event body of a run's input: inline when its encoded
// size is at most inlineBytes (DefaultInlineBodyBytes when <= 0),
// otherwise stored under a blob derived from the event id (so a second
// start of the same event overwrites the same blob) and referenced by
// BodyBlob. The body must be JSON. st may be nil only for small bodies.
func (e *EventInfo) SetBody(ctx context.Context, st BlobStore, body []byte, inlineBytes int) error {
	if inlineBytes <= 0 {
		inlineBytes = DefaultInlineBodyBytes
	}
	e.Body, e.BodyBlob, e.BodyBytes = body, "", 0
	if len(body) == 0 || EncodedSizeBound(body) <= inlineBytes {
		return nil
	}
	if st == nil {
		return fmt.Errorf("storing the %d-byte body of event %s: no store for large bodies", len(body), e.ID)
	}
	sum := sha256.Sum256([]byte("event-body\x00" + e.ID))
	id := "blob_" + hex.EncodeToString(sum[:16])
	if err := st.PutBlob(ctx, id, body); err != nil {
		return fmt.Errorf("storing the %d-byte body of event %s: %w", len(body), e.ID, err)
	}
	e.Body, e.BodyBlob, e.BodyBytes = nil, id, len(body)
	return nil
}

// Payload is the body as a run sees it: nil for a body kept inline (the
// caller has it), or the blob reference {"$blob": id, "bytes": n} that
// the Resolve activity loads, for a body SetBody stored. A wait_for_event
// step that receives such a reference keeps it as its output, and steps
// that read that output load it the same way.
func (e EventInfo) Payload() json.RawMessage {
	if e.BodyBlob == "" {
		return nil
	}
	return mustJSON(e.bodyRef())
}

// bodyRef is the trigger value of a run whose body is kept by reference.
func (e EventInfo) bodyRef() map[string]any {
	return map[string]any{blobKey: e.BodyBlob, "bytes": float64(e.BodyBytes)}
}

// BlobStore keeps large values out of Temporal history; *store.Store is
// one. PutBlob replaces any data under the same id.
type BlobStore interface {
	PutBlob(ctx context.Context, id string, data []byte) error
}

// EncodedSizeBound is an upper bound of the size of a JSON body once
// encoded into a run's input: Go's JSON encoder, which the Temporal SDK
// uses, writes each <, > and & as \u003c (6 bytes for 1) and U+2028 and
// U+2029 as \u2028 (6 bytes for 3); compaction only makes it smaller.
// So 400 KB of "<" is 2.4 MB in the payload, over Temporal's 2 MiB.
func EncodedSizeBound(body []byte) int {
	n := len(body)
	n += 5 * (bytes.Count(body, []byte("<")) + bytes.Count(body, []byte(">")) + bytes.Count(body, []byte("&")))
	n += 3 * (bytes.Count(body, []byte("\u2028")) + bytes.Count(body, []byte("\u2029")))
	return n
}

// Options are per-run settings captured when the run starts, so a worker
// restarted with other defaults still replays the run the same way. Zero
// fields take the named defaults.
type Options struct {
	// MaxForeachItems is the hard cap on the items of one foreach step; a
	// step's own max_items may only lower it.
	MaxForeachItems int `json:"max_foreach_items,omitempty"`
	// MaxConcurrency caps a foreach step's concurrency.
	MaxConcurrency int `json:"max_concurrency,omitempty"`
	// LogValueBytes truncates inputs and outputs shown in the run log.
	LogValueBytes int `json:"log_value_bytes,omitempty"`
	// ActivityTimeout is the start-to-close timeout of a step without its
	// own timeout.
	ActivityTimeout time.Duration `json:"activity_timeout,omitempty"`
	// MaxAttempts is the retry budget of a step without a retry policy.
	MaxAttempts int `json:"max_attempts,omitempty"`
	// TestRun marks a run started from the editor with a sample event.
	TestRun bool `json:"test_run,omitempty"`
}

// Named defaults of Options.
const (
	DefaultMaxForeachItems = 1000
	DefaultMaxConcurrency  = 20
	DefaultLogValueBytes   = 4 << 10
	DefaultActivityTimeout = time.Minute
	DefaultMaxAttempts     = 5
	// DefaultInitialInterval and DefaultBackoff and DefaultMaxInterval
	// complete a step retry policy that leaves them out.
	DefaultInitialInterval = time.Second
	DefaultBackoff         = 2.0
	DefaultMaxInterval     = 5 * time.Minute
)

func (o Options) withDefaults() Options {
	if o.MaxForeachItems <= 0 {
		o.MaxForeachItems = DefaultMaxForeachItems
	}
	if o.MaxConcurrency <= 0 {
		o.MaxConcurrency = DefaultMaxConcurrency
	}
	if o.LogValueBytes <= 0 {
		o.LogValueBytes = DefaultLogValueBytes
	}
	if o.ActivityTimeout <= 0 {
		o.ActivityTimeout = DefaultActivityTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	return o
}

// RunInput is the input of the interpreter workflow: a pinned definition
// snapshot and the event. It carries no secrets: credentials are named and
// read by the activities that use them.
type RunInput struct {
	// RunID is the Temporal workflow id of the run. Start, StartOrdered and
	// StartAndAwaitResponse fill it with RunWorkflowID(WorkflowID, Event.ID)
	// when it is empty; the dispatcher sets it from the endpoint instead.
	RunID string `json:"run_id,omitempty"`
	// WorkflowID is the hookflow workflow (store id) the definition belongs to.
	WorkflowID string `json:"workflow_id"`
	Version    int    `json:"version"`
	// Definition is the definition JSON of Version, as saved; the run
	// never reads the store's current definition.
	Definition json.RawMessage `json:"definition"`
	Hash       string          `json:"hash"`
	Event      EventInfo       `json:"event"`
	Options    Options         `json:"options,omitzero"`
	// RetryOf is the run id this run retries, if any.
	RetryOf string `json:"retry_of,omitempty"`
	// Parent is the run id of the run that called this one (call_workflow
	// or the error workflow), if any.
	Parent string `json:"parent,omitempty"`
	// Listed means the starter lists the run as running in the store
	// itself (the triggers dispatcher does, with store.MarkDispatchedListed,
	// right after the start), so from interpreter version 6 the run skips
	// its own first summary save and writes its summary once, at the end.
	Listed bool `json:"listed,omitempty"`
	// Resume, when set, makes this run reuse the recorded outputs of the
	// steps the run RetryOf completed instead of running them again (see
	// resume.go): "retry from the failed step". Runs started before it
	// existed never set it.
	Resume *Resume `json:"resume,omitempty"`
	// Scheduled marks a run its Temporal Schedule started: no delivery
	// logged an event for it, so it logs its own (RunEvent), linked to
	// it, and takes that row's id as its event id. Runs started before
	// this field existed never set it and replay as they ran.
	Scheduled bool `json:"scheduled,omitempty"`
}

// RunResult is what a finished run returns (and what call_workflow steps
// see as the child's output).
type RunResult struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// Response is a synchronous webhook reply, set by a respond step, or built
// from the run's end when the trigger waits for completion.
type Response struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// EventSignal is an event delivered to waiting runs. Type and Key select
// which waits may receive it (see the wait_for_event step); Payload is
// what the step's match expression sees as `received` and what becomes
// its output.
type EventSignal struct {
	Type    string          `json:"type"`
	Key     string          `json:"key"`
	EventID string          `json:"event_id,omitempty"`
	Payload json.RawMessage `json:"payload"`
}

// Decision answers an approval wait.
type Decision struct {
	Approved bool   `json:"approved"`
	By       string `json:"by,omitempty"`
	Comment  string `json:"comment,omitempty"`
	// Step optionally names the waiting step; empty answers any approval.
	Step string `json:"step,omitempty"`
}

// RunWorkflowID derives the Temporal workflow id of the run for one event of
// one endpoint (or hookflow workflow). The same inputs always give the same
// id, so a second start of the same event is refused by Temporal instead of
// running twice.
func RunWorkflowID(endpointOrWorkflowID, eventID string) string {
	return "hookflow-run/" + idPart(endpointOrWorkflowID) + "/" + idPart(eventID)
}

// idPart keeps ids readable and bounded: long values are replaced by a hash.
func idPart(s string) string {
	if len(s) <= 200 && !strings.Contains(s, "/") {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "h" + hex.EncodeToString(sum[:12])
}

func (in RunInput) runID() (string, error) {
	if in.RunID != "" {
		return in.RunID, nil
	}
	if in.WorkflowID == "" || in.Event.ID == "" {
		return "", errors.New("starting run: RunInput needs RunID, or WorkflowID and Event.ID")
	}
	return RunWorkflowID(in.WorkflowID, in.Event.ID), nil
}

// RunTaskTimeout is the workflow task timeout of every run. Temporal arms
// a timer for each started workflow task and, when it fires, loads the
// workflow to check the task; with the default 10 s the state of a short
// run had left the history cache by then and was read back from the
// database, 5% of `hookflow dev`'s CPU under load. Fired within 3 s it
// finds the state still cached. A local activity longer than that is
// safe: the SDK heartbeats its workflow task at 80% of the timeout. A
// worker that dies mid-task also has its task retried sooner.
const RunTaskTimeout = 3 * time.Second

// startOptions are the options of every run start: a workflow id that can
// never be reused, so a duplicate start never runs the definition twice.
func startOptions(workflowID, taskQueue string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                                       workflowID,
		TaskQueue:                                taskQueue,
		WorkflowTaskTimeout:                      RunTaskTimeout,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}
}

// Start starts a run under in.RunID (see RunWorkflowID) and returns the
// Temporal run id. A run that already exists under that id, running or
// finished, counts as success: its run id is returned when Temporal names
// it. The dispatcher calls Start for every committed event.
func Start(ctx context.Context, c client.Client, taskQueue string, in RunInput) (string, error) {
	workflowID, err := in.runID()
	if err != nil {
		return "", err
	}
	in.RunID = workflowID
	opts := startOptions(workflowID, taskQueue)
	// Eager start: when this client also runs the worker (hookflow dev, or
	// a server with a worker), Temporal hands the first workflow task back
	// in the start response and the run begins without a trip through
	// matching. Without a local worker the SDK asks for nothing eager.
	opts.EnableEagerStart = true
	run, err := c.ExecuteWorkflow(ctx, opts, WorkflowName, in)
	if err != nil {
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			return started.RunId, nil
		}
		if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return "", nil
		}
		return "", fmt.Errorf("starting run %s: %w", workflowID, err)
	}
	return run.GetRunID(), nil
}

// DefaultResponseTimeout bounds StartAndAwaitResponse when it is given no
// timeout.
const DefaultResponseTimeout = 30 * time.Second

// StartAndAwaitResponse starts a run (or attaches to the running run with
// the same id) with update-with-start and waits up to timeout for its
// synchronous reply: the first respond step, or the run's end. started is
// true when the run exists for this input (started now or still running);
// it is false for a duplicate of a run that has already finished, in which
// case the finished run's reply is returned when a worker can answer the
// query, and a zero Response otherwise. When the timeout passes first, the
// error wraps context.DeadlineExceeded and the run goes on.
func StartAndAwaitResponse(ctx context.Context, c client.Client, taskQueue string, in RunInput, timeout time.Duration) (resp Response, started bool, err error) {
	workflowID, err := in.runID()
	if err != nil {
		return Response{}, false, err
	}
	in.RunID = workflowID
	if timeout <= 0 {
		timeout = DefaultResponseTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opts := startOptions(workflowID, taskQueue)
	// Attach to a running run with this id: a provider retry of the same
	// event then gets the reply of the one run instead of a second run.
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	op := c.NewWithStartWorkflowOperation(opts, WorkflowName, in)
	handle, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName:   UpdateAwaitResponse,
			WaitForStage: client.WorkflowUpdateStageAccepted,
		},
	})
	if err != nil {
		if temporal.IsWorkflowExecutionAlreadyStartedError(err) || isAlreadyStarted(err) {
			r, qerr := queryResponse(ctx, c, workflowID)
			if qerr != nil || r == nil {
				return Response{}, false, nil
			}
			return *r, false, nil
		}
		return Response{}, false, fmt.Errorf("starting run %s with a reply: %w", workflowID, err)
	}
	if err := handle.Get(ctx, &resp); err != nil {
		return Response{}, true, fmt.Errorf("waiting for the reply of run %s: %w", workflowID, err)
	}
	return resp, true, nil
}

func isAlreadyStarted(err error) bool {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	return errors.As(err, &started)
}

func queryResponse(ctx context.Context, c client.Client, workflowID string) (*Response, error) {
	v, err := c.QueryWorkflow(ctx, workflowID, "", QueryResponse)
	if err != nil {
		return nil, fmt.Errorf("querying reply of %s: %w", workflowID, err)
	}
	var r *Response
	if err := v.Get(&r); err != nil {
		return nil, fmt.Errorf("decoding reply of %s: %w", workflowID, err)
	}
	return r, nil
}

// QueryLog returns the live run log of a run carried by execution (its own
// workflow id, or its batch's: store.Run.Execution).
func QueryLog(ctx context.Context, c client.Client, execution, workflowID string) (RunLog, error) {
	v, err := c.QueryWorkflow(ctx, execution, "", QueryRunLog, queryArgs(execution, workflowID)...)
	if err != nil {
		return RunLog{}, fmt.Errorf("querying run log of %s: %w", workflowID, err)
	}
	var l RunLog
	if err := v.Get(&l); err != nil {
		return RunLog{}, fmt.Errorf("decoding run log of %s: %w", workflowID, err)
	}
	return l, nil
}

// MailboxWorkflowID is the id of the ordering mailbox of one order key of
// one hookflow workflow.
func MailboxWorkflowID(workflowID, orderKey string) string {
	return "hookflow-order/" + idPart(workflowID) + "/" + idPart(orderKey)
}

// StartOrdered queues a run in the mailbox of its order key, starting the
// mailbox when it is not running (signal-with-start). Runs of one key
// start one after another, in the order StartOrdered was called; each run
// gets in.RunID as its workflow id (see Start), so a duplicate event is
// still run only once. It returns the mailbox's Temporal run id.
func StartOrdered(ctx context.Context, c client.Client, taskQueue, orderKey string, in RunInput) (string, error) {
	runWorkflowID, err := in.runID()
	if err != nil {
		return "", err
	}
	in.RunID = runWorkflowID
	id := MailboxWorkflowID(in.WorkflowID, orderKey)
	opts := client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}
	item := MailboxItem{Input: in}
	run, err := c.SignalWithStartWorkflow(ctx, id, SignalEnqueue, item, opts, MailboxWorkflowName, MailboxState{})
	if err != nil {
		return "", fmt.Errorf("queueing run %s in mailbox %s: %w", runWorkflowID, id, err)
	}
	return run.GetRunID(), nil
}

// WaitRouterID is the id of the router that forwards events of one type
// and correlation key to the runs waiting for them.
func WaitRouterID(eventType, key string) string {
	sum := sha256.Sum256([]byte(eventType + "\x00" + key))
	return "hookflow-wait/" + hex.EncodeToString(sum[:16])
}

// SignalWaiting delivers an event to every run currently waiting for its
// type and correlation key (a wait_for_event step with event = sig.Type
// whose correlation_key evaluated to sig.Key; steps without a
// correlation_key wait under the key ""). The triggers dispatcher calls it
// for every accepted event, with the inbox event id as sig.EventID: a run
// drops an EventID it has already received, so re-sending a signal whose
// delivery is uncertain is safe. It returns nil when no run waits: waits
// only see events that arrive after they start.
//
// The router of a type and key exists only while some run waits (the wait
// step starts it), so the event is signalled to it without starting one:
// a router that does not exist means nobody waits, and the event costs one
// call instead of a new workflow. taskQueue is unused for that reason; it
// stays for callers written against the starting version.
func SignalWaiting(ctx context.Context, c client.Client, taskQueue string, sig EventSignal) error {
	id := WaitRouterID(sig.Type, sig.Key)
	err := c.SignalWorkflow(ctx, id, "", SignalRouter, RouterMessage{Deliver: &sig})
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("delivering %s event to waiting runs: %w", sig.Type, err)
	}
	return nil
}

// SignalRun delivers an event straight to one run (by Temporal workflow
// id), bypassing correlation routing.
func SignalRun(ctx context.Context, c client.Client, workflowID string, sig EventSignal) error {
	if err := c.SignalWorkflow(ctx, workflowID, "", SignalEvent, sig); err != nil {
		return fmt.Errorf("signalling run %s: %w", workflowID, err)
	}
	return nil
}

// Approve answers the approval a run waits for.
func Approve(ctx context.Context, c client.Client, workflowID string, d Decision) error {
	if err := c.SignalWorkflow(ctx, workflowID, "", SignalApproval, d); err != nil {
		return fmt.Errorf("sending approval to run %s: %w", workflowID, err)
	}
	return nil
}

// RedeliverWorkflowID is the workflow id of a manual retry of a delivery.
// Attempt makes each manual retry its own workflow.
func RedeliverWorkflowID(deliveryID string, attempt int) string {
	return fmt.Sprintf("hookflow-redeliver/%s/%d", idPart(deliveryID), attempt)
}

// RetryDelivery re-sends a failed or dead outgoing webhook delivery once
// (the dead-letter list's "retry"): it starts a workflow that requeues the
// delivery, signs and sends it again with the same webhook id and records
// the attempt. attempt must differ between manual retries of one delivery
// (the API passes the delivery's attempt count).
func RetryDelivery(ctx context.Context, c client.Client, taskQueue, deliveryID string, attempt int) (string, error) {
	id := RedeliverWorkflowID(deliveryID, attempt)
	run, err := c.ExecuteWorkflow(ctx, startOptions(id, taskQueue), RedeliverWorkflowName, deliveryID)
	if err != nil {
		if isAlreadyStarted(err) || temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return "", nil
		}
		return "", fmt.Errorf("retrying delivery %s: %w", deliveryID, err)
	}
	return run.GetRunID(), nil
}

// EventRoot is the `event` root that expressions see:
// {id, provider_id, type, received_at, headers, replay}. Runs build it in
// workflow code and the webhook pipeline builds it for trigger filters,
// both here, so a filter reads exactly as it would in a step. Copying the
// headers into a new map does not depend on the iteration order, so it is
// deterministic in workflow code too.
func EventRoot(e EventInfo) map[string]any {
	headers := make(map[string]any, len(e.Headers))
	for k, v := range e.Headers {
		headers[k] = v
	}
	return map[string]any{"id": e.ID, "provider_id": e.ProviderID, "type": e.Type,
		"received_at": e.ReceivedAt.UTC().Format(time.RFC3339Nano), "headers": headers, "replay": e.Replay}
}

// Pinned is one workflow version as every layer of a run needs it,
// decoded once: the definition bytes a run input carries, the decoded
// definition, and the trigger settings the webhook path reads for every
// delivery. One Pinned is shared by every caller that asks for the same
// version, so nothing may modify it, Def included.
type Pinned struct {
	WorkflowID string
	Version    int
	Hash       string
	// Definition is the definition JSON as saved: what a run input
	// carries and what the run decodes.
	Definition json.RawMessage
	// Def is Definition decoded.
	Def *definition.Definition
	// Trigger is &Def.Trigger.
	Trigger *definition.Trigger
	// OrderKey and CorrelationKey are the trigger's gjson paths (empty
	// when unset): events with the same order key run one after another;
	// an event is offered to waiting runs under its correlation key.
	OrderKey       string
	CorrelationKey string
	// RespondTimeout is the trigger's respond_timeout (0 when unset).
	RespondTimeout time.Duration
}

// DefaultPinnedVersions bounds a Pins cache: a full cache starts over, so
// an unbounded number of workflows cannot grow it without limit.
const DefaultPinnedVersions = 1024

// Pins decodes workflow versions once and keeps them by workflow id and
// version. Versions are immutable once saved, so an entry never goes
// stale; Pin still compares the bytes it is given with the entry's, so a
// definition that is not a saved version (a test run of an edited
// definition carries its workflow's id and version) is never mistaken for
// one. Safe for concurrent use.
type Pins struct {
	mu  sync.Mutex
	max int
	m   map[pinKey]*Pinned
}

type pinKey struct {
	workflowID string
	version    int
}

// NewPins returns a cache of at most max versions (DefaultPinnedVersions
// when max <= 0).
func NewPins(max int) *Pins {
	if max <= 0 {
		max = DefaultPinnedVersions
	}
	return &Pins{max: max, m: map[pinKey]*Pinned{}}
}

// VersionSource loads a saved workflow version; *store.Store is one. A
// version it does not have gives an error wrapping store.ErrNotFound;
// any other error is a failure to read, which may pass.
type VersionSource interface {
	GetVersion(ctx context.Context, workflowID string, version int) (store.WorkflowVersion, error)
}

// Pin returns the Pinned of version version of workflowID whose saved
// definition is raw. It decodes raw only when the cache holds no entry
// for the version with these very bytes. A definition that does not
// decode gives the decoder's error, unwrapped, and is not cached.
func (c *Pins) Pin(workflowID string, version int, hash string, raw []byte) (*Pinned, error) {
	k := pinKey{workflowID, version}
	c.mu.Lock()
	p, ok := c.m[k]
	c.mu.Unlock()
	if ok && p.Hash == hash && bytes.Equal(p.Definition, raw) {
		return p, nil
	}
	p, err := decodePinned(workflowID, version, hash, raw)
	if err != nil {
		return nil, err
	}
	c.put(k, p)
	return p, nil
}

// Load returns the Pinned of a saved version, reading it from src only
// when it is not cached. A version src does not have gives src's error
// (store.ErrNotFound from a store); one that does not decode an error
// naming the workflow and the version.
func (c *Pins) Load(ctx context.Context, src VersionSource, workflowID string, version int) (*Pinned, error) {
	k := pinKey{workflowID, version}
	c.mu.Lock()
	p, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	wv, err := src.GetVersion(ctx, workflowID, version)
	if err != nil {
		return nil, err
	}
	p, err = decodePinned(workflowID, version, wv.Hash, wv.Definition)
	if err != nil {
		return nil, fmt.Errorf("decoding version %d of workflow %s: %w", version, workflowID, err)
	}
	c.put(k, p)
	return p, nil
}

// Reset forgets every entry.
func (c *Pins) Reset() {
	c.mu.Lock()
	c.m = map[pinKey]*Pinned{}
	c.mu.Unlock()
}

func (c *Pins) put(k pinKey, p *Pinned) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		c.m = map[pinKey]*Pinned{}
	}
	c.m[k] = p
	c.mu.Unlock()
}

func decodePinned(workflowID string, version int, hash string, raw []byte) (*Pinned, error) {
	var d definition.Definition
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	return &Pinned{WorkflowID: workflowID, Version: version, Hash: hash, Definition: json.RawMessage(raw), Def: &d,
		Trigger: &d.Trigger, OrderKey: d.Trigger.OrderKey, CorrelationKey: d.Trigger.CorrelationKey,
		RespondTimeout: d.Trigger.RespondTimeout.Value()}, nil
}

// runPins holds the definitions runs decode, so a worker decodes each
// pinned version once instead of once per run. Decoding is pure and a
// Pinned is never modified, so sharing one across runs, and across the
// replays of a run, changes nothing they do.
var runPins = NewPins(DefaultPinnedVersions)

// parseDefinition decodes the pinned snapshot of a run. Definitions are
// validated when saved, so only a corrupt snapshot fails here.
func parseDefinition(in RunInput) (*definition.Definition, error) {
	p, err := runPins.Pin(in.WorkflowID, in.Version, in.Hash, in.Definition)
	if err != nil {
		return nil, fmt.Errorf("decoding definition snapshot: %w", err)
	}
	return p.Def, nil
}
