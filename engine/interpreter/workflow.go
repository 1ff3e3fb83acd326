package interpreter

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
)

// Versioning. Every change to what RunWorkflow does, in an order that
// could differ for a run already in flight, must be guarded:
//
//	v := workflow.GetVersion(ctx, versionChangeID, workflow.DefaultVersion, interpreterVersion)
//
// is recorded once, at the start of every run, and kept in runner.version.
// To change behaviour, raise interpreterVersion to N+1, branch on
// r.version >= N+1 where the new code differs, and record a new history in
// testdata/ (HOOKFLOW_RECORD_HISTORIES=1 go test ./cmd/hookflow/e2e/ -run Record)
// while keeping the old ones: the replay test then proves old runs still
// replay. Versions:
//
//	1  the first interpreter.
//	2  an EventSignal whose EventID the run has already received is
//	   dropped: the triggers dispatcher re-sends a signal it is not sure
//	   was delivered, and one event must feed a run's waits only once.
//	3  the run summary is written by a local activity: a short store
//	   write that needs no activity task, no trip through matching and no
//	   extra workflow task; the two saves were two of every run's three
//	   activity round trips in the benchmark.
//	4  http and action steps whose own timeout is at most
//	   LocalCallMaxTimeout run as local activities.
//	5  such a local call makes one attempt; a retryable failure continues
//	   as a regular activity with the rest of the step's retry budget.
//	6  a run whose starter lists it (RunInput.Listed) makes no summary save
//	   at its start: one local activity, one history event and one store
//	   transaction less per run.
//	7  evaluations in workflow code run under expression.DefaultWork, a
//	   deterministic budget; one that runs out is evaluated again in the
//	   Resolve activity under a wall-clock timeout, whose result history
//	   records. Before, an expression could loop for minutes inside the
//	   workflow task.
//	8  exact numbers: integers in the event body, step outputs and
//	   lookups are ints, not float64s, so 64-bit ids keep every digit and
//	   string(id) prints them as sent (see numbers.go); and a template's
//	   bare path missing from the data ({{ trigger.customer.nmae }}) fails
//	   its step instead of rendering as "" (versionStrictPaths); and a
//	   retry handed from a failed local attempt to a regular activity
//	   waits the retry interval first (versionRetryHandoff); and a foreach
//	   over more than max_items items fails or, with on_overflow
//	   "truncate", says so on the step (versionForeachOverflow).
//	9  an approval wait with approvers takes only decisions by one of
//	   them, and first makes their signed one-time approval links in the
//	   ApprovalLinks activity and runs its notify steps
//	   (versionApprovers, kind_wait.go).
//
// triggerRefChangeID versions the runs whose event body travels by
// reference (EventInfo.BodyBlob). It is its own change id, recorded only
// by such runs, so the common run's history gains no marker.
const (
	triggerRefChangeID                  = "hookflow-trigger-by-reference"
	triggerRefVersion  workflow.Version = 1
)

const (
	versionChangeID    = "hookflow-interpreter"
	interpreterVersion = 9

	// versionDedupeEvents is the first version that drops repeated
	// EventIDs.
	versionDedupeEvents workflow.Version = 2
	// versionLocalSave is the first version that saves the run summary
	// with a local activity.
	versionLocalSave workflow.Version = 3
	// versionLocalCalls is the first version that runs short calls as
	// local activities (see runner.call).
	versionLocalCalls workflow.Version = 4
	// versionLocalOnce is the first version whose local calls make one
	// attempt before handing retries to a regular activity.
	versionLocalOnce workflow.Version = 5
	// versionListedRuns is the first version that skips the first summary
	// save of a run its starter lists.
	versionListedRuns workflow.Version = 6
	// versionBudgets is the first version whose workflow-code evaluations
	// run under a work budget and fall back to the Resolve activity.
	versionBudgets workflow.Version = 7
)

// Named limits of workflow code that are not per-run options.
const (
	// maxStepsPerList stops a malformed graph that slipped past validation
	// from looping forever.
	maxStepsPerList = 10000
	// maxBufferedSignals bounds events and decisions kept while no wait
	// step wants them.
	maxBufferedSignals = 100
	// maxSeenEventIDs bounds the EventIDs a run remembers to drop
	// re-sent signals; the oldest are forgotten first. A re-send follows
	// its original within the dispatcher's backoff, long before a run
	// sees this many other events.
	maxSeenEventIDs = 1000
	// saveRunTimeout bounds the run-summary activity.
	saveRunTimeout = 30 * time.Second
)

// compiler is shared by all runs of the process: compiled programs depend
// only on their source, so caching them cannot change a run's behaviour.
var compiler = expression.NewCompiler(expression.Limits{})

// Error types of failures the interpreter raises itself (connector
// failures carry their connectors.Class as type).
const (
	errTypeFail     = "hookflow.fail"    // a fail step
	errTypeStep     = "hookflow.step"    // a step that failed, with on_error fail
	errTypeDef      = "hookflow.invalid" // a definition the interpreter cannot run
	errTypeTimeout  = "timeout"
	errTypeChild    = "child_failed"
	classPermanent  = "permanent"
	classRetryable  = "retryable"
	classRateLimit  = "rate_limited"
	classEvaluation = "expression"
)

// control says how a step list ended.
type control int

const (
	ctrlDone     control = iota // ran to its end
	ctrlFiltered                // a filter stopped it
	ctrlStop                    // a stop step ended the run
)

// stepFailure is a failed step: message (safe to show), class and the
// attempts made.
type stepFailure struct {
	Message  string
	Class    string
	Attempts int
	// fatal failures (fail steps, invalid definitions) ignore on_error.
	fatal bool
}

func (e *stepFailure) Error() string { return e.Message }

func failf(class, format string, args ...any) *stepFailure {
	return &stepFailure{Message: fmt.Sprintf(format, args...), Class: class}
}

// runner is the state of one run. All of it lives in workflow memory and is
// rebuilt identically on replay.
type runner struct {
	in      RunInput
	def     *definition.Definition
	opts    Options
	version workflow.Version
	runID   string
	// registry answers which actions deliver durably; nil: none does.
	registry *connectors.Registry

	trigger any
	event   map[string]any
	vars    map[string]any

	log       RunLog
	response  *Response
	done      bool
	events    []EventSignal
	seen      map[string]bool // EventIDs received (version >= versionDedupeEvents)
	seenOrder []string        // seen, oldest first, to forget beyond maxSeenEventIDs
	decisions []Decision
	anyBlob   bool
	lastOut   any
	srcCache  map[*definition.Step]string
	// outputs are the whole outputs of completed steps by path, for
	// QueryStepOutputs (a resume of this run reuses them).
	outputs map[string]any
	// redact are texts (approval links) the run log shows masked: anyone
	// who may read a run must not be able to decide its approvals.
	redact []string
	// runEvent is the event row a scheduled run logs (scheduledEvent).
	runEvent *RunEvent
	// execution is the workflow id of the batch that carries the run; ""
	// when the run has its own execution (see batch.go).
	execution string
	// saver, when set, takes the run's summary saves instead of the
	// SaveRun local activity: a batch saves its runs' summaries together.
	saver func(SaveRunRequest)
}

// frame is the data context of one step list: the root list, one foreach
// iteration or one parallel branch.
type frame struct {
	steps  map[string]any // every visible step output
	own    map[string]any // outputs of steps run in this frame
	item   any
	index  int
	loop   bool
	prefix string
	nested bool
}

func (f *frame) set(id string, v any) {
	f.steps[id] = v
	f.own[id] = v
}

func (f *frame) child(prefix string) *frame {
	return &frame{steps: maps.Clone(f.steps), own: map[string]any{}, item: f.item, index: f.index,
		loop: f.loop, prefix: prefix, nested: true}
}

// RunWorkflow returns the workflow function that interprets one pinned
// definition for one event, registered as WorkflowName. It returns a
// RunResult for completed and filtered runs and fails the workflow (after
// writing the run summary) for failed and timed-out runs.
//
// Workflow code reads one thing from registry: whether an action step's
// action delivers durably (connectors.DurableDelivery) and on what
// schedule. Every worker and replayer of a deployment must therefore hold
// the same connectors; nil means no action delivers durably.
func RunWorkflow(registry *connectors.Registry) func(workflow.Context, RunInput) (RunResult, error) {
	return func(ctx workflow.Context, in RunInput) (RunResult, error) {
		return runWorkflow(ctx, in, registry)
	}
}

func runWorkflow(ctx workflow.Context, in RunInput, registry *connectors.Registry) (RunResult, error) {
	version := workflow.GetVersion(ctx, versionChangeID, workflow.DefaultVersion, interpreterVersion)
	r := newRunner(ctx, in, registry, version, workflow.GetInfo(ctx).WorkflowExecution.ID)
	if err := r.setHandlers(ctx); err != nil {
		return RunResult{}, err
	}
	return r.execute(ctx)
}

// newRunner is the state of one run of in under runID, which is the
// run's own Temporal workflow id or, in a batch, the id the dispatcher
// gave it. It issues no command.
func newRunner(ctx workflow.Context, in RunInput, registry *connectors.Registry, version workflow.Version, runID string) *runner {
	r := &runner{in: in, opts: in.Options.withDefaults(), srcCache: map[*definition.Step]string{}, registry: registry,
		version: version, runID: runID}
	r.log = RunLog{RunID: r.runID, WorkflowID: in.WorkflowID, Version: in.Version, Hash: in.Hash,
		EventID: in.Event.ID, Status: StatusRunning, StartedAt: workflow.Now(ctx).UTC(), Steps: []StepRecord{}}
	if in.Scheduled {
		r.scheduledEvent()
	}
	return r
}

// execute runs the definition from its first step to the saved summary
// (see RunWorkflow for what it returns). The run's own workflow and a
// batch's coroutine of the run both call it, with the same commands.
func (r *runner) execute(ctx workflow.Context) (RunResult, error) {
	in := r.in
	logger := workflow.GetLogger(ctx)
	def, err := parseDefinition(in)
	if err == nil {
		r.def = def
		err = r.prepare(ctx)
	}
	// A named run saves at its start even when its starter listed it:
	// the list shows the name while the run is still going (only
	// definitions with a run_name, all newer than every recorded
	// history, pay this local activity).
	if !in.Listed || r.version < versionListedRuns || r.log.Name != "" {
		r.save(ctx)
	}
	if err != nil {
		return r.finish(ctx, ctrlDone, &stepFailure{Message: err.Error(), Class: errTypeDef, fatal: true})
	}

	runCtx, cancelRun := workflow.WithCancel(ctx)
	defer cancelRun()
	timedOut := false
	if d := def.Settings.RunTimeout.Value(); d > 0 {
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		defer cancelTimer()
		workflow.Go(timerCtx, func(gctx workflow.Context) {
			if err := workflow.NewTimer(gctx, d).Get(gctx, nil); err == nil {
				timedOut = true
				cancelRun()
			}
		})
	}
	root := &frame{steps: map[string]any{}, own: map[string]any{}}
	ctrl, err := r.runList(runCtx, root, def.Steps)
	if timedOut && err != nil {
		logger.Info("run timed out", "timeout", def.Settings.RunTimeout)
		r.log.Status = StatusTimedOut
		err = &stepFailure{Message: fmt.Sprintf("run timed out after %s", def.Settings.RunTimeout), Class: errTypeTimeout, fatal: true}
	}
	return r.finish(ctx, ctrl, err)
}

// prepare decodes the event and renders vars once, in workflow time.
func (r *runner) prepare(ctx workflow.Context) error {
	if r.in.Event.BodyBlob != "" {
		// A large body travels by reference (EventInfo.SetBody): trigger
		// holds the blob reference, and every evaluation that mentions
		// trigger runs in the Resolve activity, which loads it. Only
		// inputs made since this change carry BodyBlob, so older runs
		// never reach this branch; the marker guards later changes to it.
		workflow.GetVersion(ctx, triggerRefChangeID, workflow.DefaultVersion, triggerRefVersion)
		r.trigger = r.in.Event.bodyRef()
		r.anyBlob = true
	} else if len(r.in.Event.Body) > 0 {
		var err error
		if r.version >= versionExactNumbers {
			r.trigger, err = expression.DecodeJSON(r.in.Event.Body)
		} else {
			err = json.Unmarshal(r.in.Event.Body, &r.trigger)
		}
		if err != nil {
			return fmt.Errorf("decoding event body: %w", err)
		}
	}
	r.event = EventRoot(r.in.Event)
	r.vars = map[string]any{}
	if len(r.def.Vars) > 0 {
		data := map[string]any{expression.RootTrigger: r.trigger, expression.RootEvent: r.event}
		// A trigger kept by reference is loaded by the Resolve activity.
		v, err := r.evalData(ctx, opRender, r.def.Vars, data, r.in.Event.BodyBlob != "")
		if err != nil {
			return fmt.Errorf("rendering vars: %w", err)
		}
		r.vars, _ = v.(map[string]any)
	}
	r.renderRunName(ctx, r.runNameData())
	return nil
}

// setHandlers installs the query, the reply update and the signal buffers.
func (r *runner) setHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryRunLog, func() (RunLog, error) { return r.liveLog(), nil }); err != nil {
		return fmt.Errorf("setting run-log query: %w", err)
	}
	if err := workflow.SetQueryHandler(ctx, QueryResponse, func() (*Response, error) { return r.response, nil }); err != nil {
		return fmt.Errorf("setting response query: %w", err)
	}
	if err := r.setResumeQuery(ctx); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateAwaitResponse, func(ctx workflow.Context) (Response, error) {
		if err := workflow.Await(ctx, func() bool { return r.response != nil || r.done }); err != nil {
			return Response{}, err
		}
		if r.response == nil {
			return Response{}, errors.New("the run ended without a reply")
		}
		return *r.response, nil
	}); err != nil {
		return fmt.Errorf("setting reply update: %w", err)
	}
	events := workflow.GetSignalChannel(ctx, SignalEvent)
	workflow.Go(ctx, func(gctx workflow.Context) {
		for {
			var sig EventSignal
			events.Receive(gctx, &sig)
			if r.repeated(sig) {
				workflow.GetLogger(gctx).Debug("dropping an event already received", "event", sig.EventID)
				continue
			}
			r.events = append(r.events, sig)
			if len(r.events) > maxBufferedSignals {
				r.events = r.events[1:]
			}
		}
	})
	decisions := workflow.GetSignalChannel(ctx, SignalApproval)
	workflow.Go(ctx, func(gctx workflow.Context) {
		for {
			var d Decision
			decisions.Receive(gctx, &d)
			r.decisions = append(r.decisions, d)
			if len(r.decisions) > maxBufferedSignals {
				r.decisions = r.decisions[1:]
			}
		}
	})
	return nil
}

// liveLog is the answer to QueryRunLog: the run log so far, masked.
func (r *runner) liveLog() RunLog {
	l := r.log
	l.Steps = r.redacted(r.log.Steps)
	l.Response = r.response
	return l
}

// repeated reports whether sig carries an EventID this run has already
// received, and remembers it otherwise. Signals without an EventID (sent by
// hand or by older senders) are never treated as repeats. Runs started
// before versionDedupeEvents keep taking every signal, as they did.
func (r *runner) repeated(sig EventSignal) bool {
	if r.version < versionDedupeEvents || sig.EventID == "" {
		return false
	}
	if r.seen[sig.EventID] {
		return true
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[sig.EventID] = true
	r.seenOrder = append(r.seenOrder, sig.EventID)
	if len(r.seenOrder) > maxSeenEventIDs {
		delete(r.seen, r.seenOrder[0])
		r.seenOrder = r.seenOrder[1:]
	}
	return false
}

// finish sets the final status, the default reply, writes the summary,
// starts the error workflow of a failed run and waits for reply handlers.
func (r *runner) finish(ctx workflow.Context, ctrl control, runErr error) (RunResult, error) {
	ctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	now := workflow.Now(ctx).UTC()
	r.log.EndedAt = &now
	res := RunResult{Output: mustJSON(r.lastOut)}
	var failure *stepFailure
	switch {
	case runErr != nil && temporal.IsCanceledError(runErr) && r.log.Status != StatusTimedOut:
		r.log.Status = StatusCancelled
		r.log.Error = "run cancelled"
	case runErr != nil:
		if !errors.As(runErr, &failure) {
			failure = &stepFailure{Message: runErr.Error(), Class: classRetryable}
		}
		if r.log.Status != StatusTimedOut {
			r.log.Status = StatusFailed
		}
		r.log.Error = failure.Message
	case ctrl == ctrlFiltered:
		r.log.Status = StatusFiltered
	default:
		r.log.Status = StatusCompleted
	}
	res.Status, res.Error = r.log.Status, r.log.Error
	if r.response == nil {
		status := 200
		if r.log.Status == StatusFailed || r.log.Status == StatusTimedOut {
			status = 500
		}
		body := map[string]any{"run_id": r.runID, "status": r.log.Status}
		switch {
		case status == 500:
			// The caller of a synchronous webhook gets no internal error
			// text (a connector's reply, a URL, an expression): the
			// detail stays in the run, which the run id finds. Only the
			// reply's content changes, no command, so runs in flight
			// replay unchanged.
			body["error"] = failureReply(r.log.Status)
		case r.log.Error != "":
			body["error"] = r.log.Error
		case r.lastOut != nil:
			body["output"] = r.lastOut
		}
		r.response = &Response{Status: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: mustJSON(body)}
	}
	r.done = true
	r.save(ctx)
	if (r.log.Status == StatusFailed || r.log.Status == StatusTimedOut) && r.def != nil && r.def.Settings.ErrorWorkflow != "" {
		r.startErrorWorkflow(ctx)
	}
	// Let every reply update return before the workflow closes.
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	if r.log.Status == StatusCompleted || r.log.Status == StatusFiltered {
		return res, nil
	}
	if r.log.Status == StatusCancelled {
		return res, runErr
	}
	return res, temporal.NewNonRetryableApplicationError(r.log.Error, failure.Class, nil, res)
}

// failureReply is the error text of the default reply of a run that
// failed or timed out.
func failureReply(status string) string {
	if status == StatusTimedOut {
		return "the workflow run timed out; its run id leads to the details"
	}
	return "the workflow run failed; its run id leads to the details"
}

// save writes the run summary and step log; a store that stays down for the
// activity's whole retry budget costs the summary, never the run.
func (r *runner) save(ctx workflow.Context) {
	retry := &temporal.RetryPolicy{MaximumAttempts: 10, MaximumInterval: time.Minute}
	req := SaveRunRequest{Log: r.log, Output: mustJSON(r.lastOut), RetryOf: r.in.RetryOf,
		TemporalRunID: workflow.GetInfo(ctx).WorkflowExecution.RunID, ExecutionID: r.execution, UpdateEvent: r.in.Parent == "" && !r.in.Options.TestRun,
		Event: r.runEvent}
	req.Log.Steps = r.redacted(r.log.Steps)
	if r.def != nil {
		req.WorkflowName, req.Connector = r.def.Name, r.def.Trigger.Connector
	}
	if r.saver != nil {
		r.saver(req)
		return
	}
	var f workflow.Future
	if r.version >= versionLocalSave {
		// SaveRun is an upsert keyed by the run id, so the repeat a local
		// activity may see after a worker crash writes the same row again.
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: saveRunTimeout,
			RetryPolicy:         retry,
		})
		f = workflow.ExecuteLocalActivity(lctx, ActivitySaveRun, req)
	} else {
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: saveRunTimeout,
			RetryPolicy:         retry,
		})
		f = workflow.ExecuteActivity(actx, ActivitySaveRun, req)
	}
	if err := f.Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("saving run summary failed", "error", err)
	}
}

func (r *runner) startErrorWorkflow(ctx workflow.Context) {
	body := map[string]any{"run_id": r.runID, "workflow_id": r.in.WorkflowID, "version": r.in.Version,
		"event_id": r.in.Event.ID, "status": r.log.Status, "error": r.log.Error}
	for i := len(r.log.Steps) - 1; i >= 0; i-- {
		if r.log.Steps[i].Status == StepFailed {
			body["failed_step"] = r.log.Steps[i].Path
			break
		}
	}
	if _, err := r.startChild(ctx, r.def.Settings.ErrorWorkflow, "error-workflow", "hookflow.run_failed", body, false); err != nil {
		workflow.GetLogger(ctx).Warn("starting error workflow failed", "workflow", r.def.Settings.ErrorWorkflow, "error", err)
	}
}

// runList runs one step list from its first step, following next
// pointers, until it ends, is filtered, stops or fails.
func (r *runner) runList(ctx workflow.Context, f *frame, list []*definition.Step) (control, error) {
	if len(list) == 0 {
		return ctrlDone, nil
	}
	pos := make(map[string]int, len(list))
	for i, s := range list {
		pos[s.ID] = i
	}
	i := 0
	for n := 0; i < len(list); n++ {
		if n >= maxStepsPerList {
			return ctrlDone, &stepFailure{Message: fmt.Sprintf("more than %d steps ran in one list: the graph loops", maxStepsPerList), Class: errTypeDef, fatal: true}
		}
		s := list[i]
		next, ctrl, err := r.exec(ctx, f, s)
		if err != nil || ctrl != ctrlDone {
			return ctrl, err
		}
		if next == "" {
			next = s.Next
		}
		if next == "" {
			i++
			continue
		}
		j, ok := pos[next]
		if !ok {
			return ctrlDone, &stepFailure{Message: fmt.Sprintf("step %q: next step %q is not in its list", s.ID, next), Class: errTypeDef, fatal: true}
		}
		i = j
	}
	return ctrlDone, nil
}

// exec runs one step with its run-log record and on_error handling.
func (r *runner) exec(ctx workflow.Context, f *frame, s *definition.Step) (next string, ctrl control, err error) {
	if st, ok := r.reused(s, f.prefix+s.ID); ok {
		next, _ := r.reuse(ctx, f, s, st)
		return next, ctrlDone, nil
	}
	idx := len(r.log.Steps)
	r.log.Steps = append(r.log.Steps, StepRecord{Path: f.prefix + s.ID, ID: s.ID, Type: string(s.Type),
		Status: StepRunning, StartedAt: workflow.Now(ctx).UTC()})
	rec := func() *StepRecord { return &r.log.Steps[idx] } // the slice may grow meanwhile
	out, next, ctrl, err := r.do(ctx, f, s, idx)
	now := workflow.Now(ctx).UTC()
	rec().EndedAt = &now
	if err != nil {
		var failure *stepFailure
		if !errors.As(err, &failure) {
			if temporal.IsCanceledError(err) || ctx.Err() != nil {
				rec().Status, rec().Error = StepFailed, "cancelled"
				return "", ctrlDone, err
			}
			failure = &stepFailure{Message: err.Error(), Class: classRetryable}
		}
		rec().Error, rec().ErrorClass = failure.Message, failure.Class
		if failure.Attempts > 0 {
			rec().Attempts = failure.Attempts
		}
		target := s.GotoTarget()
		if failure.fatal || (s.OnError != definition.OnErrorContinue && target == "") {
			rec().Status = StepFailed
			if failure.Class != errTypeFail && !failure.fatal {
				return "", ctrlDone, &stepFailure{Message: fmt.Sprintf("step %s: %s", f.prefix+s.ID, failure.Message),
					Class: failure.Class, Attempts: failure.Attempts}
			}
			return "", ctrlDone, failure
		}
		out = map[string]any{"error": map[string]any{"message": failure.Message, "class": failure.Class}}
		rec().Status = StepContinued
		rec().Output = logValue(out, r.opts.LogValueBytes)
		f.set(s.ID, out)
		r.keepOutput(f.prefix+s.ID, out)
		r.lastOut = out
		return target, ctrlDone, nil
	}
	if rec().Status == StepRunning || rec().Status == StepWaiting {
		rec().Status = StepSucceeded
	}
	if ctrl == ctrlFiltered {
		rec().Status = StepFiltered
	}
	rec().Output = logValue(out, r.opts.LogValueBytes)
	f.set(s.ID, out)
	if ctrl != ctrlFiltered {
		r.keepOutput(f.prefix+s.ID, out)
	}
	if !f.nested {
		r.lastOut = out
	}
	if containsBlob(out) {
		r.anyBlob = true
	}
	return next, ctrl, nil
}

// do runs the step with its kind's executor (see stepKinds).
func (r *runner) do(ctx workflow.Context, f *frame, s *definition.Step, rec int) (out any, next string, ctrl control, err error) {
	k, ok := stepKinds[s.Type]
	if !ok {
		return nil, "", ctrlDone, &stepFailure{Message: fmt.Sprintf("step %q: unknown type %q", s.ID, s.Type), Class: errTypeDef, fatal: true}
	}
	return k.run(r, ctx, f, s, rec)
}

func mustJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"$unencodable": err.Error()})
	}
	return b
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
