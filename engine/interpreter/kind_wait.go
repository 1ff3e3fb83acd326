package interpreter

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
)

// waitStep waits durably for a correlated event or an approval.
type waitStep struct{}

func (waitStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, string, control, error) {
	if s.Approval != nil && len(s.Approval.Approvers) > 0 && r.version >= versionApprovers {
		return r.doApproval(ctx, f, s, rec)
	}
	out, next, err := r.doWait(ctx, f, s, rec)
	return out, next, ctrlDone, err
}

// doApproval is an approval wait with approvers (from versionApprovers):
// it makes each approver's signed one-time link, runs the notify steps
// (which see steps.<id>.links and steps.<id>.message), then waits for a
// decision by one of the approvers.
func (r *runner) doApproval(ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, string, control, error) {
	path := f.prefix + s.ID
	msg, err := r.renderString(ctx, f, s, s.Approval.Message)
	if err != nil {
		return nil, "", ctrlDone, fmt.Errorf("approval.message: %w", err)
	}
	r.log.Steps[rec].Input = logValue(map[string]any{"approval": msg, "approvers": s.Approval.Approvers}, r.opts.LogValueBytes)
	timeout := s.WaitTimeout.Value()
	expires := workflow.Now(ctx).Add(timeout).UTC()
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{classPermanent}},
	})
	var links ApprovalLinks
	req := ApprovalLinksRequest{RunID: r.runID, Step: path, Approvers: s.Approval.Approvers, ExpiresAt: expires}
	if err := workflow.ExecuteActivity(actx, ActivityApprovalLinks, req).Get(ctx, &links); err != nil {
		return nil, "", ctrlDone, activityFailure(err)
	}
	linkMap := make(map[string]any, len(links.Links))
	for _, k := range sortedKeys(links.Links) {
		linkMap[k] = links.Links[k]
		r.redact = append(r.redact, links.Links[k])
	}
	if len(s.Notify) > 0 {
		// The notify steps see the wait's links as its output so far.
		f.set(s.ID, map[string]any{"links": linkMap, "message": msg, "approvers": s.Approval.Approvers,
			"expires_at": expires.Format(time.RFC3339)})
		ctrl, err := r.runList(ctx, f.child(path+"."), s.Notify)
		delete(f.steps, s.ID)
		delete(f.own, s.ID)
		if err != nil {
			return nil, "", ctrlDone, fmt.Errorf("notify: %w", err)
		}
		if ctrl == ctrlStop {
			return nil, "", ctrl, nil
		}
	}
	r.log.Steps[rec].Status = StepWaiting
	var got *Decision
	cond := func() bool {
		for i, d := range r.decisions {
			if (d.Step == "" || d.Step == s.ID || d.Step == path) && MayApprove(s.Approval.Approvers, d.By) {
				got = &r.decisions[i]
				r.decisions = append(r.decisions[:i:i], r.decisions[i+1:]...)
				return true
			}
		}
		return false
	}
	ok, err := workflow.AwaitWithTimeout(ctx, timeout, cond)
	if err != nil {
		return nil, "", ctrlDone, err
	}
	if !ok {
		return map[string]any{"timed_out": true, "approved": false, "by": nil, "comment": nil}, s.OnTimeout, ctrlDone, nil
	}
	return map[string]any{"timed_out": false, "approved": got.Approved, "by": got.By, "comment": got.Comment}, "", ctrlDone, nil
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
				received := r.decode(e.Payload)
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
	payload := r.decode(matched.Payload)
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
