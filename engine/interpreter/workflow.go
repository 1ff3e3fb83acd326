package interpreter

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

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
// testdata/ (HOOKFLOW_RECORD_HISTORIES=1 go test ./engine/e2e/ -run Record)
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
	interpreterVersion = 7

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

// RunWorkflow interprets one pinned definition for one event. It is
// registered as WorkflowName. It returns a RunResult for completed and
// filtered runs and fails the workflow (after writing the run summary) for
// failed and timed-out runs.
func RunWorkflow(ctx workflow.Context, in RunInput) (RunResult, error) {
	r := &runner{in: in, opts: in.Options.withDefaults(), srcCache: map[*definition.Step]string{}}
	r.version = workflow.GetVersion(ctx, versionChangeID, workflow.DefaultVersion, interpreterVersion)
	info := workflow.GetInfo(ctx)
	r.runID = info.WorkflowExecution.ID
	r.log = RunLog{RunID: r.runID, WorkflowID: in.WorkflowID, Version: in.Version, Hash: in.Hash,
		EventID: in.Event.ID, Status: StatusRunning, StartedAt: workflow.Now(ctx).UTC(), Steps: []StepRecord{}}
	logger := workflow.GetLogger(ctx)

	if err := r.setHandlers(ctx); err != nil {
		return RunResult{}, err
	}
	def, err := parseDefinition(in)
	if err == nil {
		r.def = def
		err = r.prepare(ctx)
	}
	if !in.Listed || r.version < versionListedRuns {
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
		if err := json.Unmarshal(r.in.Event.Body, &r.trigger); err != nil {
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
	return nil
}

// setHandlers installs the query, the reply update and the signal buffers.
func (r *runner) setHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryRunLog, func() (RunLog, error) {
		l := r.log
		l.Steps = append([]StepRecord(nil), r.log.Steps...)
		l.Response = r.response
		return l, nil
	}); err != nil {
		return fmt.Errorf("setting run-log query: %w", err)
	}
	if err := workflow.SetQueryHandler(ctx, QueryResponse, func() (*Response, error) { return r.response, nil }); err != nil {
		return fmt.Errorf("setting response query: %w", err)
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
		TemporalRunID: workflow.GetInfo(ctx).WorkflowExecution.RunID, UpdateEvent: r.in.Parent == "" && !r.in.Options.TestRun}
	req.Log.Steps = append([]StepRecord(nil), r.log.Steps...)
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
	if !f.nested {
		r.lastOut = out
	}
	if containsBlob(out) {
		r.anyBlob = true
	}
	return next, ctrl, nil
}

// do dispatches on the step kind.
func (r *runner) do(ctx workflow.Context, f *frame, s *definition.Step, rec int) (out any, next string, ctrl control, err error) {
	switch s.Type {
	case definition.KindAction:
		out, err = r.doAction(ctx, f, s, rec)
	case definition.KindHTTP:
		out, err = r.doHTTP(ctx, f, s, rec)
	case definition.KindFilter:
		var ok bool
		ok, err = r.evalBool(ctx, f, s, s.If)
		if err == nil {
			out = map[string]any{"passed": ok}
			if !ok {
				ctrl = ctrlFiltered
			}
		}
	case definition.KindBranch:
		next, err = r.doBranch(ctx, f, s)
		out = map[string]any{"next": next}
	case definition.KindSwitch:
		next, err = r.doSwitch(ctx, f, s)
		out = map[string]any{"next": next}
	case definition.KindMap:
		out, err = r.eval(ctx, f, s, opMap, s.Map)
	case definition.KindForeach:
		out, ctrl, err = r.doForeach(ctx, f, s)
	case definition.KindParallel:
		out, ctrl, err = r.doParallel(ctx, f, s)
	case definition.KindDelay:
		out, err = r.doDelay(ctx, f, s)
	case definition.KindWaitForEvent:
		out, next, err = r.doWait(ctx, f, s, rec)
	case definition.KindRespond:
		out, err = r.doRespond(ctx, f, s)
	case definition.KindCallWorkflow:
		out, err = r.doCall(ctx, f, s)
	case definition.KindStop:
		msg, rerr := r.renderString(ctx, f, s, s.Message)
		out, err, ctrl = map[string]any{"stopped": true, "message": msg}, rerr, ctrlStop
	case definition.KindFail:
		msg, rerr := r.renderString(ctx, f, s, s.Message)
		if rerr != nil {
			return nil, "", ctrlDone, rerr
		}
		if msg == "" {
			msg = "failed by step " + s.ID
		}
		err = &stepFailure{Message: msg, Class: errTypeFail, fatal: true}
	default:
		err = &stepFailure{Message: fmt.Sprintf("step %q: unknown type %q", s.ID, s.Type), Class: errTypeDef, fatal: true}
	}
	return out, next, ctrl, err
}

func (r *runner) doBranch(ctx workflow.Context, f *frame, s *definition.Step) (string, error) {
	for i, c := range s.Cases {
		ok, err := r.evalBool(ctx, f, s, c.If)
		if err != nil {
			return "", fmt.Errorf("cases[%d].if: %w", i, err)
		}
		if ok {
			return c.Next, nil
		}
	}
	return s.Default, nil
}

func (r *runner) doSwitch(ctx workflow.Context, f *frame, s *definition.Step) (string, error) {
	v, err := r.eval(ctx, f, s, opExpr, s.Value)
	if err != nil {
		return "", fmt.Errorf("value: %w", err)
	}
	got := mustJSON(v)
	for i, c := range s.Cases {
		want, err := r.eval(ctx, f, s, opRender, c.Equals)
		if err != nil {
			return "", fmt.Errorf("cases[%d].equals: %w", i, err)
		}
		if string(mustJSON(want)) == string(got) {
			return c.Next, nil
		}
	}
	return s.Default, nil
}

func (r *runner) doForeach(ctx workflow.Context, f *frame, s *definition.Step) (any, control, error) {
	v, err := r.eval(ctx, f, s, opExpr, s.Items)
	if err != nil {
		return nil, ctrlDone, fmt.Errorf("items: %w", err)
	}
	var items []any
	switch x := v.(type) {
	case nil:
	case []any:
		items = x
	default:
		return nil, ctrlDone, failf(classPermanent, "items gave %T, want an array", v)
	}
	if len(items) > r.opts.MaxForeachItems {
		return nil, ctrlDone, failf(classPermanent, "items has %d elements, over the limit of %d", len(items), r.opts.MaxForeachItems)
	}
	if s.MaxItems > 0 && len(items) > s.MaxItems {
		items = items[:s.MaxItems]
	}
	conc := s.Concurrency
	if conc <= 0 {
		conc = 1
	}
	conc = min(conc, r.opts.MaxConcurrency)
	results := make([]any, len(items))
	errs := make([]error, len(items))
	ctrls := make([]control, len(items))
	running, failed := 0, false
	wg := workflow.NewWaitGroup(ctx)
	for i, item := range items {
		if err := workflow.Await(ctx, func() bool { return running < conc }); err != nil {
			return nil, ctrlDone, err
		}
		if failed {
			break
		}
		running++
		wg.Add(1)
		sub := f.child(f.prefix + s.ID + "[" + strconv.Itoa(i) + "].")
		sub.item, sub.index, sub.loop = item, i, true
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			defer func() { running-- }()
			ctrls[i], errs[i] = r.runList(gctx, sub, s.Steps)
			if errs[i] != nil {
				failed = true
			}
			results[i] = sub.own
		})
	}
	wg.Wait(ctx)
	ctrl := ctrlDone
	for i := range items {
		if errs[i] != nil {
			return nil, ctrlDone, errs[i]
		}
		if ctrls[i] == ctrlStop {
			ctrl = ctrlStop
		}
	}
	return results, ctrl, nil
}

func (r *runner) doParallel(ctx workflow.Context, f *frame, s *definition.Step) (any, control, error) {
	n := len(s.Branches)
	subs := make([]*frame, n)
	errs := make([]error, n)
	ctrls := make([]control, n)
	wg := workflow.NewWaitGroup(ctx)
	for i, b := range s.Branches {
		subs[i] = f.child(f.prefix + s.ID + "." + b.Name + ".")
		wg.Add(1)
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			ctrls[i], errs[i] = r.runList(gctx, subs[i], b.Steps)
		})
	}
	wg.Wait(ctx)
	out := make(map[string]any, n)
	ctrl := ctrlDone
	for i, b := range s.Branches {
		if errs[i] != nil {
			return nil, ctrlDone, errs[i]
		}
		if ctrls[i] == ctrlStop {
			ctrl = ctrlStop
		}
		out[b.Name] = subs[i].own
	}
	// Steps of every branch are visible after the join, in branch order.
	for _, sub := range subs {
		for _, k := range sortedKeys(sub.own) {
			f.steps[k] = sub.own[k]
		}
	}
	return out, ctrl, nil
}

func (r *runner) doDelay(ctx workflow.Context, f *frame, s *definition.Step) (any, error) {
	d := s.Duration.Value()
	if s.Until != "" {
		v, err := r.eval(ctx, f, s, opExpr, s.Until)
		if err != nil {
			return nil, fmt.Errorf("until: %w", err)
		}
		t, err := toTime(v)
		if err != nil {
			return nil, failf(classPermanent, "until: %v", err)
		}
		d = t.Sub(workflow.Now(ctx))
	}
	if d > 0 {
		if err := workflow.Sleep(ctx, d); err != nil {
			return nil, err
		}
	}
	return map[string]any{"until": workflow.Now(ctx).UTC().Format(time.RFC3339Nano)}, nil
}

func (r *runner) doRespond(ctx workflow.Context, f *frame, s *definition.Step) (any, error) {
	status := s.Status
	if status == 0 {
		status = 200
	}
	resp := &Response{Status: status, Headers: map[string]string{}}
	for _, k := range sortedKeys(s.Headers) {
		v, err := r.renderString(ctx, f, s, s.Headers[k])
		if err != nil {
			return nil, fmt.Errorf("headers.%s: %w", k, err)
		}
		resp.Headers[k] = v
	}
	if s.Body != nil {
		body, err := r.eval(ctx, f, s, opRender, s.Body)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		if str, ok := body.(string); ok {
			resp.Body = mustJSON(str)
			if _, set := resp.Headers["Content-Type"]; !set {
				resp.Headers["Content-Type"] = "text/plain; charset=utf-8"
			}
		} else {
			resp.Body = mustJSON(body)
		}
	}
	if _, set := resp.Headers["Content-Type"]; !set {
		resp.Headers["Content-Type"] = "application/json"
	}
	if r.response != nil {
		// The caller has had its reply; later respond steps are recorded only.
		return map[string]any{"status": status, "sent": false}, nil
	}
	r.response = resp
	return map[string]any{"status": status, "sent": true}, nil
}

// doWait waits for an approval or a correlated event, up to the timeout.
func (r *runner) doWait(ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, string, error) {
	r.log.Steps[rec].Status = StepWaiting
	timeout := s.WaitTimeout.Value()
	await := func(cond func() bool) (bool, error) {
		if timeout <= 0 {
			return true, workflow.Await(ctx, cond)
		}
		return workflow.AwaitWithTimeout(ctx, timeout, cond)
	}
	path := f.prefix + s.ID
	if s.Approval != nil {
		msg, err := r.renderString(ctx, f, s, s.Approval.Message)
		if err != nil {
			return nil, "", fmt.Errorf("approval.message: %w", err)
		}
		r.log.Steps[rec].Input = logValue(map[string]any{"approval": msg, "approvers": s.Approval.Approvers}, r.opts.LogValueBytes)
		var got *Decision
		ok, err := await(func() bool {
			for i, d := range r.decisions {
				if d.Step == "" || d.Step == s.ID || d.Step == path {
					got = &r.decisions[i]
					r.decisions = append(r.decisions[:i:i], r.decisions[i+1:]...)
					return true
				}
			}
			return false
		})
		if err != nil {
			return nil, "", err
		}
		if !ok {
			return map[string]any{"timed_out": true, "approved": false, "by": nil, "comment": nil}, s.OnTimeout, nil
		}
		return map[string]any{"timed_out": false, "approved": got.Approved, "by": got.By, "comment": got.Comment}, "", nil
	}

	key := ""
	if s.CorrelationKey != "" {
		v, err := r.eval(ctx, f, s, opExpr, s.CorrelationKey)
		if err != nil {
			return nil, "", fmt.Errorf("correlation_key: %w", err)
		}
		if key, err = CorrelationKey(v); err != nil {
			return nil, "", failf(classPermanent, "correlation_key: %v", err)
		}
	}
	r.log.Steps[rec].Input = logValue(map[string]any{"event": s.Event, "correlation_key": key}, r.opts.LogValueBytes)
	if err := r.registerWait(ctx, s.Event, key, true); err != nil {
		return nil, "", err
	}
	var matched *EventSignal
	var matchErr error
	data := r.data(f)
	now := workflow.Now(ctx)
	ok, err := await(func() bool {
		for i := range r.events {
			e := r.events[i]
			if e.Type != s.Event || (s.CorrelationKey != "" && e.Key != key) {
				continue
			}
			if s.Match != "" {
				var received any
				_ = json.Unmarshal(e.Payload, &received)
				d := maps.Clone(data)
				d[expression.RootReceived] = received
				hit, err := evaluate(opBool, s.Match, r.scope(d, now))
				if err != nil {
					matchErr = err
					return true
				}
				if hit != true {
					continue
				}
			}
			matched = &e
			r.events = append(r.events[:i:i], r.events[i+1:]...)
			return true
		}
		return false
	})
	// Unregister whatever happened; a failure only leaves a stale entry
	// that the router drops on its next delivery.
	_ = r.registerWait(ctx, s.Event, key, false)
	if err != nil {
		return nil, "", err
	}
	if matchErr != nil {
		return nil, "", fmt.Errorf("match: %w", matchErr)
	}
	if !ok {
		return map[string]any{"timed_out": true, "event": nil}, s.OnTimeout, nil
	}
	var payload any
	_ = json.Unmarshal(matched.Payload, &payload)
	return map[string]any{"timed_out": false, "event": payload}, "", nil
}

func (r *runner) registerWait(ctx workflow.Context, eventType, key string, register bool) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10, MaximumInterval: time.Minute},
	})
	req := WaitRegistration{Router: WaitRouterID(eventType, key), EventType: eventType, Key: key, RunID: r.runID, Register: register}
	if err := workflow.ExecuteActivity(actx, ActivityRegisterWait, req).Get(ctx, nil); err != nil {
		return activityFailure(err)
	}
	return nil
}

// CorrelationKey turns a correlation value into the text waits and
// incoming events are matched on: a string is itself, anything else its
// JSON form (so 42 and "42" meet, and a large id keeps its float64 digits
// on both sides). Null, objects and arrays are not keys. The triggers
// pipeline keys incoming events with it, so both sides follow one rule.
func CorrelationKey(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "", errors.New("gave null, want a string or number")
	case map[string]any, []any:
		return "", fmt.Errorf("gave %T, want a string or number", v)
	}
	b, _ := json.Marshal(v)
	return string(b), nil
}

// doCall runs another hookflow workflow as a child run.
func (r *runner) doCall(ctx workflow.Context, f *frame, s *definition.Step) (any, error) {
	input, err := r.eval(ctx, f, s, opRender, s.WorkflowInput)
	if err != nil {
		return nil, fmt.Errorf("workflow_input: %w", err)
	}
	return r.startChild(ctx, s.Workflow, f.prefix+s.ID, "call_workflow", input, s.WaitsForChild())
}

func (r *runner) startChild(ctx workflow.Context, target, path, eventType string, body any, wait bool) (any, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{classPermanent}},
	})
	var wf LoadedWorkflow
	if err := workflow.ExecuteActivity(actx, ActivityLoadWorkflow, target).Get(ctx, &wf); err != nil {
		return nil, activityFailure(err)
	}
	childID := r.runID + "/" + path
	in := RunInput{RunID: childID, WorkflowID: wf.ID, Version: wf.Version, Definition: wf.Definition, Hash: wf.Hash,
		Event:   EventInfo{ID: r.in.Event.ID + "/" + path, ProviderID: r.in.Event.ProviderID, Type: eventType, ReceivedAt: workflow.Now(ctx).UTC(), Body: mustJSON(body)},
		Options: r.in.Options, Parent: r.runID}
	cwo := workflow.ChildWorkflowOptions{WorkflowID: childID}
	if !wait {
		cwo.ParentClosePolicy = enumspb.PARENT_CLOSE_POLICY_ABANDON // the child outlives this run
	}
	fut := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, cwo), WorkflowName, in)
	var exec workflow.Execution
	if err := fut.GetChildWorkflowExecution().Get(ctx, &exec); err != nil {
		return nil, failf(classPermanent, "starting workflow %q: %v", target, err)
	}
	if !wait {
		return map[string]any{"run_id": exec.ID}, nil
	}
	var res RunResult
	if err := fut.Get(ctx, &res); err != nil {
		if temporal.IsCanceledError(err) {
			return nil, err
		}
		var app *temporal.ApplicationError
		if errors.As(err, &app) {
			return nil, failf(errTypeChild, "workflow %q failed: %s", target, app.Message())
		}
		return nil, failf(errTypeChild, "workflow %q failed: %v", target, err)
	}
	var out any
	if len(res.Output) > 0 {
		_ = json.Unmarshal(res.Output, &out)
	}
	return out, nil
}

// data is the expression data context of a frame.
func (r *runner) data(f *frame) map[string]any {
	d := map[string]any{
		expression.RootTrigger: r.trigger,
		expression.RootEvent:   r.event,
		expression.RootSteps:   f.steps,
		expression.RootVars:    r.vars,
	}
	if f.loop {
		d[expression.RootItem] = f.item
		d[expression.RootIndex] = f.index
	}
	return d
}

// Evaluation operations, shared by workflow code and the Resolve activity.
const (
	opExpr   = "expr"
	opBool   = "bool"
	opRender = "render"
	opMap    = "map"
)

func evaluate(op string, src any, scope *expression.Scope) (any, error) {
	switch op {
	case opExpr, opBool:
		s, _ := src.(string)
		e, err := compiler.Expr(s)
		if err != nil {
			return nil, err
		}
		if op == opBool {
			return e.EvalBool(scope)
		}
		return e.Eval(scope)
	case opRender:
		return compiler.Render(src, scope)
	case opMap:
		m, _ := src.(map[string]any)
		return compiler.Map(m, scope)
	}
	return nil, fmt.Errorf("unknown evaluation %q", op)
}

// scope is the evaluation scope of workflow code: the default, purely
// deterministic budget (expression.DefaultWork, no wall clock), or for
// runs started before interpreter version 7, which evaluated without a
// budget, an unlimited one so that they replay as they ran.
func (r *runner) scope(data map[string]any, now time.Time) *expression.Scope {
	s := expression.NewScope(data, now)
	if r.version < versionBudgets {
		return s.WithBudget(expression.Budget{Work: expression.UnlimitedWork})
	}
	return s
}

// eval evaluates in workflow code, or in the Resolve activity when the
// step reads a step output (or a trigger) kept as a blob, which the
// activity loads.
func (r *runner) eval(ctx workflow.Context, f *frame, s *definition.Step, op string, src any) (any, error) {
	return r.evalData(ctx, op, src, r.data(f), r.anyBlob && r.readsBlob(f, s))
}

// evalData evaluates src over data. An evaluation that needs more work
// than workflow code allows goes to the Resolve activity too: there it is
// bounded by wall-clock time instead, and history records its result, so
// a replay never evaluates it again.
func (r *runner) evalData(ctx workflow.Context, op string, src any, data map[string]any, loadBlobs bool) (any, error) {
	now := workflow.Now(ctx).UTC()
	if loadBlobs {
		return r.resolve(ctx, op, src, data, now)
	}
	v, err := evaluate(op, src, r.scope(data, now))
	if expression.IsBudgetKind(err, expression.BudgetWork) {
		return r.resolve(ctx, op, src, data, now)
	}
	if err != nil {
		return nil, &stepFailure{Message: err.Error(), Class: classEvaluation}
	}
	return v, nil
}

// resolve evaluates in the Resolve activity. Evaluation errors, budget
// overruns included, are permanent step failures.
func (r *runner) resolve(ctx workflow.Context, op string, src any, data map[string]any, now time.Time) (any, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: r.opts.ActivityTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{classPermanent, classEvaluation}},
	})
	var out ResolveResult
	req := ResolveRequest{Op: op, Source: src, Data: data, Now: now}
	if err := workflow.ExecuteActivity(actx, ActivityResolve, req).Get(ctx, &out); err != nil {
		return nil, activityFailure(err)
	}
	return out.Value, nil
}

func (r *runner) evalBool(ctx workflow.Context, f *frame, s *definition.Step, src string) (bool, error) {
	v, err := r.eval(ctx, f, s, opBool, src)
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}

func (r *runner) renderString(ctx workflow.Context, f *frame, s *definition.Step, src string) (string, error) {
	if src == "" {
		return "", nil
	}
	v, err := r.eval(ctx, f, s, opRender, src)
	if err != nil {
		return "", err
	}
	if str, ok := v.(string); ok {
		return str, nil
	}
	return string(mustJSON(v)), nil
}

// readsBlob reports whether s mentions a step whose output holds a blob
// reference. The check is textual and so errs towards loading.
func (r *runner) readsBlob(f *frame, s *definition.Step) bool {
	src, ok := r.srcCache[s]
	if !ok {
		src = string(mustJSON(s))
		r.srcCache[s] = src
	}
	if r.in.Event.BodyBlob != "" && strings.Contains(src, expression.RootTrigger) {
		return true
	}
	for _, id := range sortedKeys(f.steps) {
		if containsBlob(f.steps[id]) && strings.Contains(src, id) {
			return true
		}
	}
	return false
}

// blobKey marks a step output kept in the store: {"$blob": id, "bytes": n}.
const blobKey = "$blob"

func containsBlob(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x[blobKey]; ok {
			return true
		}
		for _, e := range x {
			if containsBlob(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if containsBlob(e) {
				return true
			}
		}
	}
	return false
}

func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", x)
		}
		return t, nil
	case float64:
		return time.Unix(0, int64(x*float64(time.Second))).UTC(), nil
	case int:
		return time.Unix(int64(x), 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("gave %T, want a time, an RFC 3339 string or unix seconds", v)
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
