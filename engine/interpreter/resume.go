package interpreter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

// Resuming a run. A failed run is retried "from the failed step" by a new
// run (RunInput.RetryOf links the two) whose input carries a Resume: the
// outputs of the steps the failed run completed. The new run walks the
// definition from its first step as any run does, but a step whose path
// has a reused output is not executed: its recorded output becomes its
// output and it shows as StepReused in the run log. So nothing that had
// completed happens twice (no second Slack message, no second charge),
// and the first step without a reused output, the failed one, runs for
// real, and everything after it.
//
// What is reused is decided per step path, at any depth:
//
//   - Steps that do work or wait (action, http, code, data, map, delay,
//     wait_for_event, respond, call_workflow) are reused when they
//     succeeded (or failed with on_error continue/goto, whose recorded
//     output is the error and whose route the reuse keeps).
//   - Steps that only choose the route (filter, branch, switch) and
//     containers (foreach, parallel, loop) are evaluated again: they are
//     pure workflow code, so on the same data they choose the same route
//     and rebuild the same per-item paths ("notify[2].send"). Inside a
//     foreach whose third item failed, items 0 and 1 and the steps of
//     item 2 before the failure are reused; the failed step and the rest
//     of item 2 run again.
//   - A path recorded more than once (a goto that went back) is never
//     reused: which of its outputs to take would be a guess.
//
// Old runs and their histories never carry a Resume, so this needs no
// interpreter version.

// StepReused is the run-log status of a step whose output was reused from
// the run this one resumes, instead of running it again.
const StepReused = "reused"

// QueryStepOutputs returns, for a run (running or closed while its
// history is kept), the full output of every step that completed, by
// path, as map[string]json.RawMessage. The run log keeps outputs
// truncated to Options.LogValueBytes; a resume needs them whole.
const QueryStepOutputs = "step-outputs"

// Resume is the part of a RunInput that resumes another run (see the
// package comment above): From is the path of the step the resume starts
// at (shown in the run, informative only) and Steps the outputs reused.
type Resume struct {
	From  string         `json:"from"`
	Steps []ReusedStep   `json:"steps"`
	index map[string]int // Steps by path, built on first use
}

// ReusedStep is one reused output. Status is the recorded step status
// (StepSucceeded or StepContinued); Next is the step the route went to
// after it when that was not the following one (a wait's on_timeout, an
// on_error goto).
type ReusedStep struct {
	Path   string          `json:"path"`
	Status string          `json:"status"`
	Output json.RawMessage `json:"output,omitempty"`
	Next   string          `json:"next,omitempty"`
}

// reusableKinds are the step kinds whose recorded output a resume reuses
// instead of running the step again.
var reusableKinds = map[definition.Kind]bool{
	definition.KindAction: true, definition.KindHTTP: true, definition.KindCode: true, definition.KindData: true,
	definition.KindMap: true, definition.KindDelay: true, definition.KindWaitForEvent: true,
	definition.KindRespond: true, definition.KindCallWorkflow: true,
}

// Resume errors. Each wraps into a message a non-developer can act on.
var (
	// ErrNothingToResume: the run has no completed step before the step
	// to resume from, so a resume would be the whole-run retry.
	ErrNothingToResume = errors.New("nothing to resume")
	// ErrNoFailedStep: the run did not fail at a step (its definition
	// could not run, or it was cancelled before any step failed).
	ErrNoFailedStep = errors.New("the run has no failed step to resume from")
	// ErrStepNotRun: the step named to resume from did not run in the run.
	ErrStepNotRun = errors.New("the step did not run")
	// ErrStepGone: the step to resume from is not in the version the
	// resume would run.
	ErrStepGone = errors.New("the step is not in that version")
	// ErrOutputLost: a completed step's whole output is no longer known
	// (the run's history has expired and the log kept it truncated).
	ErrOutputLost = errors.New("a completed step's output is no longer known")
)

// PlanResume decides what a resume of a run reuses. steps is the run's
// step log; from is "failed" (or "") for the failed step, or the path of
// a step that ran ("charge", "notify[2].send"). full holds the steps'
// whole outputs by path (from QueryStepOutputs), nil when the run's
// history is gone: the log's outputs are used then, and a truncated one
// fails the plan with ErrOutputLost. def, when not nil, is the definition
// the resume will run: the step to resume from must exist in it.
func PlanResume(steps []StepRecord, from string, full map[string]json.RawMessage, def *definition.Definition) (*Resume, error) {
	counts := map[string]int{}
	for _, s := range steps {
		counts[s.Path]++
	}
	cut := -1 // log index of the step to resume from
	switch from {
	case "", "failed":
		cut = slices.IndexFunc(steps, func(s StepRecord) bool {
			return s.Status == StepFailed && !containerKind(definition.Kind(s.Type))
		})
		if cut < 0 {
			return nil, ErrNoFailedStep
		}
		from = steps[cut].Path
	default:
		cut = slices.IndexFunc(steps, func(s StepRecord) bool { return s.Path == from })
		if cut < 0 {
			ran := []string{}
			for _, s := range steps {
				if !slices.Contains(ran, s.Path) {
					ran = append(ran, s.Path)
				}
			}
			return nil, fmt.Errorf("%w: %q is not in the run's log (steps that ran: %s)", ErrStepNotRun, from, strings.Join(ran, ", "))
		}
	}
	if def != nil && !definitionHasPath(def.Steps, from) {
		return nil, fmt.Errorf("%w: step %q (resume point %s)", ErrStepGone, lastID(from), from)
	}
	// "failed" reuses every completed step, also those a parallel branch
	// completed after the failure; a named step reuses only what ran
	// before it.
	named := steps[cut].Status != StepFailed
	res := &Resume{From: from, Steps: []ReusedStep{}}
	for i, s := range steps {
		if named && i >= cut {
			break
		}
		if s.Path == from || counts[s.Path] > 1 || !reusableKinds[definition.Kind(s.Type)] ||
			(s.Status != StepSucceeded && s.Status != StepContinued && s.Status != StepReused) {
			continue
		}
		out, ok := full[s.Path]
		if !ok {
			out = s.Output
			if isTruncated(out) {
				return nil, fmt.Errorf("%w: the output of step %s was too large to keep in the run log and the run's history has expired; retry the whole run", ErrOutputLost, s.Path)
			}
		}
		res.Steps = append(res.Steps, ReusedStep{Path: s.Path, Status: s.Status, Output: out})
	}
	if len(res.Steps) == 0 {
		return nil, fmt.Errorf("%w: no step completed before %s, so retry the whole run instead", ErrNothingToResume, from)
	}
	return res, nil
}

// Provide adds (or replaces) the output of the step at path, which the
// resume then reuses instead of running it: a manually retried delivery
// that succeeded provides its step's output, so the resumed run goes on
// after it. From becomes the step after it in the route.
func (rs *Resume) Provide(path string, output json.RawMessage) {
	rs.index = nil
	for i := range rs.Steps {
		if rs.Steps[i].Path == path {
			rs.Steps[i].Status, rs.Steps[i].Output = StepSucceeded, output
			return
		}
	}
	rs.Steps = append(rs.Steps, ReusedStep{Path: path, Status: StepSucceeded, Output: output})
}

// containerKind reports whether steps of kind k hold other steps, whose
// records say where inside them a failure was.
func containerKind(k definition.Kind) bool {
	return k == definition.KindForeach || k == definition.KindParallel || k == definition.KindLoop
}

func isTruncated(raw json.RawMessage) bool {
	var m struct {
		T bool `json:"$truncated"`
	}
	return len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &m) == nil && m.T
}

// lastID is the step id at the end of a path ("notify[2].send" → "send").
func lastID(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 {
		return strings.TrimPrefix(path[i+1:], ".")
	}
	return path
}

// definitionHasPath reports whether a step path ("a", "fan.slack.post",
// "notify[2].send") names a step of the definition.
func definitionHasPath(list []*definition.Step, path string) bool {
	return stepAt(list, path) != nil
}

// reused returns the reused output of the step s at path, when the run
// resumes another and reuses it; next is where the recorded route went
// after it.
func (r *runner) reused(s *definition.Step, path string) (ReusedStep, bool) {
	rs := r.in.Resume
	if rs == nil || !reusableKinds[s.Type] {
		return ReusedStep{}, false
	}
	if rs.index == nil {
		rs.index = make(map[string]int, len(rs.Steps))
		for i, st := range rs.Steps {
			rs.index[st.Path] = i
		}
	}
	i, ok := rs.index[path]
	if !ok {
		return ReusedStep{}, false
	}
	st := rs.Steps[i]
	// Use each reused output once: a path met again (a goto back) runs.
	delete(rs.index, path)
	return st, true
}

// reuse records s as reused and returns its output and the next step the
// recorded route took after it: the step's goto target when it had failed
// with on_error goto, a wait's on_timeout when it had timed out.
func (r *runner) reuse(ctx workflow.Context, f *frame, s *definition.Step, st ReusedStep) (string, any) {
	out := r.decode(st.Output)
	if len(st.Output) == 0 {
		out = nil
	}
	now := workflow.Now(ctx).UTC()
	r.log.Steps = append(r.log.Steps, StepRecord{Path: f.prefix + s.ID, ID: s.ID, Type: string(s.Type), Status: StepReused,
		Output: logValue(out, r.opts.LogValueBytes), StartedAt: now, EndedAt: &now})
	r.keepOutput(f.prefix+s.ID, out)
	f.set(s.ID, out)
	if !f.nested {
		r.lastOut = out
	}
	if containsBlob(out) {
		r.anyBlob = true
	}
	next := st.Next
	if next == "" && st.Status == StepContinued {
		next = s.GotoTarget()
	}
	if m, ok := out.(map[string]any); ok && next == "" && s.Type == definition.KindWaitForEvent && m["timed_out"] == true {
		next = s.OnTimeout
	}
	return next, out
}

// keepOutput remembers a completed step's whole output for
// QueryStepOutputs.
func (r *runner) keepOutput(path string, out any) {
	if r.outputs == nil {
		r.outputs = map[string]any{}
	}
	r.outputs[path] = out
}

// setResumeQuery installs the QueryStepOutputs handler.
func (r *runner) setResumeQuery(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStepOutputs, func() (map[string]json.RawMessage, error) {
		return r.stepOutputs(), nil
	}); err != nil {
		return fmt.Errorf("setting step-outputs query: %w", err)
	}
	return nil
}

// stepOutputs is the answer to QueryStepOutputs.
func (r *runner) stepOutputs() map[string]json.RawMessage {
	m := make(map[string]json.RawMessage, len(r.outputs))
	for _, k := range sortedKeys(r.outputs) {
		m[k] = mustJSON(r.outputs[k])
	}
	return m
}

// QueryOutputs asks a run, running or closed, for its steps' whole
// outputs (QueryStepOutputs). It fails when the run's history is gone or
// no worker answers; callers then fall back to the run log.
// execution is the Temporal workflow id that carries the run (its own id,
// or its batch's: store.Run.Execution).
func QueryOutputs(ctx context.Context, c client.Client, execution, workflowID string) (map[string]json.RawMessage, error) {
	v, err := c.QueryWorkflow(ctx, execution, "", QueryStepOutputs, queryArgs(execution, workflowID)...)
	if err != nil {
		return nil, fmt.Errorf("querying step outputs of %s: %w", workflowID, err)
	}
	var m map[string]json.RawMessage
	if err := v.Get(&m); err != nil {
		return nil, fmt.Errorf("decoding step outputs of %s: %w", workflowID, err)
	}
	return m, nil
}

// nestedSteps is the step list nested directly in s under ".<id>" paths:
// an approval wait's notify steps.
func nestedSteps(s *definition.Step) []*definition.Step {
	return s.Notify
}

// StartRetry starts run id as a retry of run on version v: a new run of
// the same event, resuming it when plan is not nil. The summary row is
// written first, so the retry is listed at once; a start that fails turns
// that row into a failed run instead of leaving a phantom "running" one.
func StartRetry(ctx context.Context, st *store.Store, c client.Client, taskQueue, id string, run store.Run, v store.WorkflowVersion, plan *Resume) error {
	ev, err := st.GetEvent(ctx, run.EventID)
	if err != nil {
		return fmt.Errorf("retrying run %s: %w", run.ID, err)
	}
	in := RunInput{
		RunID: id, WorkflowID: run.WorkflowID, Version: v.Version, Definition: v.Definition, Hash: v.Hash,
		Event: EventInfo{ID: ev.ID, ProviderID: ev.ProviderEventID, Type: ev.EventType, ReceivedAt: ev.ReceivedAt, Headers: ev.Headers,
			Replay: ev.ReplayOf != ""},
		RetryOf: run.ID,
		Resume:  plan,
	}
	// A large body goes by reference, as the dispatcher sends it.
	if err := in.Event.SetBody(ctx, st, ev.Body, 0); err != nil {
		return fmt.Errorf("retrying run %s: %w", run.ID, err)
	}
	row := store.Run{ID: id, WorkflowID: run.WorkflowID, WorkflowVersion: v.Version, EventID: ev.ID, Status: store.RunRunning, RetryOf: run.ID}
	if err := st.UpsertRun(ctx, row); err != nil {
		return fmt.Errorf("retrying run %s: %w", run.ID, err)
	}
	if _, err := Start(ctx, c, taskQueue, in); err != nil {
		ended := time.Now().UTC()
		row.Status, row.EndedAt, row.Error = store.RunFailed, &ended, "the retry could not start: "+err.Error()
		_ = st.UpsertRun(context.WithoutCancel(ctx), row)
		return fmt.Errorf("retrying run %s: %w", run.ID, err)
	}
	return nil
}

// ResumeAfterDelivery continues the failed run of a delivery that a
// manual retry has just delivered (see Activities.Redeliver): when the
// run failed at the delivery's step, a new run, retry_of the failed one
// and on the same version, reuses every step the run completed plus the
// delivery's response as that step's output, and runs on after it. The
// new run's id derives from the delivery, so a repeated call starts it
// once. It returns the new run id, or "" when the run did not fail at
// that step (it went on by on_error, or was resumed already).
func ResumeAfterDelivery(ctx context.Context, st *store.Store, c client.Client, taskQueue string, d store.Delivery, output json.RawMessage) (string, error) {
	if d.RunID == "" || d.StepID == "" {
		return "", nil
	}
	if d.ResumedRunID != "" {
		return d.ResumedRunID, nil
	}
	run, err := st.GetRun(ctx, d.RunID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("loading the run of delivery %s: %w", d.ID, err)
	}
	if run.Status != store.RunFailed || run.EventID == "" {
		return "", nil
	}
	var steps []StepRecord
	if err := json.Unmarshal(run.Steps, &steps); err != nil {
		return "", fmt.Errorf("reading the step log of run %s: %w", run.ID, err)
	}
	if !slices.ContainsFunc(steps, func(s StepRecord) bool { return s.Path == d.StepID && s.Status == StepFailed }) {
		return "", nil
	}
	full, err := QueryOutputs(ctx, c, run.Execution(), run.ID)
	if err != nil {
		full = nil
	}
	plan, err := PlanResume(steps, "failed", full, nil)
	if errors.Is(err, ErrNothingToResume) {
		plan, err = &Resume{Steps: []ReusedStep{}}, nil
	}
	if err != nil {
		return "", fmt.Errorf("resuming run %s after delivery %s: %w", run.ID, d.ID, err)
	}
	plan.Provide(d.StepID, output)
	plan.From = d.StepID
	v, err := st.GetVersion(ctx, run.WorkflowID, run.WorkflowVersion)
	if err != nil {
		return "", fmt.Errorf("resuming run %s after delivery %s: %w", run.ID, d.ID, err)
	}
	id := RunWorkflowID(run.WorkflowID, "resume-"+d.ID)
	if err := StartRetry(ctx, st, c, taskQueue, id, run, v, plan); err != nil {
		return "", err
	}
	if err := st.SetDeliveryResumedRun(ctx, d.ID, id); err != nil && !errors.Is(err, store.ErrConflict) {
		return id, err
	}
	return id, nil
}

// ActivityResumeDelivery continues the failed run of a delivery a manual
// retry delivered. Like every activity name it is part of history: never
// rename it.
const ActivityResumeDelivery = "hookflow.ResumeDelivery"

// ResumeDeliveryRequest is the delivered delivery and its step's output.
type ResumeDeliveryRequest struct {
	DeliveryID string          `json:"delivery_id"`
	Output     json.RawMessage `json:"output,omitempty"`
}

// ResumeDelivery runs ResumeAfterDelivery for a delivery just delivered by
// hand and returns the id of the run it started ("" for none).
func (a *Activities) ResumeDelivery(ctx context.Context, req ResumeDeliveryRequest) (string, error) {
	if a.deps.Store == nil || a.deps.Temporal == nil {
		return "", nil
	}
	d, err := a.deps.Store.GetDelivery(ctx, req.DeliveryID)
	if err != nil {
		return "", fmt.Errorf("loading delivery %s: %w", req.DeliveryID, err)
	}
	return ResumeAfterDelivery(ctx, a.deps.Store, a.deps.Temporal, a.deps.TaskQueue, d, req.Output)
}
