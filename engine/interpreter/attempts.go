package interpreter

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/store"
)

// Attempts of http and action steps.
//
// Temporal retries an activity on its own server-side timer: workflow code
// sees only the final outcome, so it cannot log the attempts in between.
// The activity can: it knows its attempt number and, from the AttemptPlan
// the interpreter sends along, the step's whole retry policy. So each
// attempt that fails writes one store row (store.RecordStepAttempt) as the
// activity returns, with its error, HTTP status, host, duration and, when
// the policy lets another attempt follow, when that attempt is due. The
// successful attempt that ends a series of failures writes one row too,
// so the series reads complete. A step that succeeds at its first attempt
// writes nothing: that is almost every step of almost every run, and the
// benchmark's hot path stays one activity with no extra store write.
//
// Why not let the interpreter drive the retries itself (a timer and a new
// activity per attempt): it would put every attempt into history, add a
// workflow task per retry and change the commands of every run in flight,
// which needs an interpreter version; recording from the activity changes
// only activity inputs, which replay does not compare.
//
// What this cannot see: an attempt whose worker died mid-call leaves no
// row (Temporal retries it after its timeout; the next attempt's row
// shows the gap in numbering). The run page merges the rows into the step
// log (MergeAttempts) and shows a running step whose last kept attempt
// failed with a next attempt due as "retrying".

// AttemptPlan is where an http or action activity stands in its step's
// retry budget, sent in the activity's input by runner.call.
type AttemptPlan struct {
	// Offset is the attempts the step made before this activity: 1 for
	// the regular activity that continues a failed local attempt.
	Offset int `json:"offset,omitempty"`
	// MaxAttempts is the step's budget; 0 means unlimited.
	MaxAttempts int `json:"max_attempts,omitempty"`
	// The step's backoff, which schedules attempt n+1 after attempt n
	// failed: min(InitialInterval × Backoff^(n-1), MaxInterval).
	InitialInterval time.Duration `json:"initial_interval,omitempty"`
	Backoff         float64       `json:"backoff,omitempty"`
	MaxInterval     time.Duration `json:"max_interval,omitempty"`
	// NonRetryable are the error types the step never retries.
	NonRetryable []string `json:"non_retryable,omitempty"`
}

// planOf is the AttemptPlan of a step under retry policy rp.
func planOf(rp *temporal.RetryPolicy, offset int) AttemptPlan {
	return AttemptPlan{Offset: offset, MaxAttempts: int(rp.MaximumAttempts), InitialInterval: rp.InitialInterval,
		Backoff: rp.BackoffCoefficient, MaxInterval: rp.MaximumInterval, NonRetryable: rp.NonRetryableErrorTypes}
}

// delayAfter is the wait before the attempt that follows attempt n.
func (p AttemptPlan) delayAfter(n int) time.Duration {
	d := float64(p.InitialInterval)
	if p.Backoff > 1 && n > 1 {
		d *= math.Pow(p.Backoff, float64(n-1))
	}
	if p.MaxInterval > 0 && d > float64(p.MaxInterval) {
		return p.MaxInterval
	}
	return time.Duration(d)
}

// planned is a request that carries an AttemptPlan.
type planned interface {
	withPlan(AttemptPlan) any
}

func (r ActionRequest) withPlan(p AttemptPlan) any { r.Attempts = &p; return r }
func (r HTTPRequest) withPlan(p AttemptPlan) any   { r.Attempts = &p; return r }

// withPlan returns req carrying plan when it is a request that takes one.
func withPlan(req any, plan AttemptPlan) any {
	if p, ok := req.(planned); ok {
		return p.withPlan(plan)
	}
	return req
}

// attemptWriteTimeout bounds the write of one attempt row. It runs on a
// context detached from the activity's, so an attempt that failed by
// running out of its own time is still recorded.
const attemptWriteTimeout = 5 * time.Second

// attemptNote carries, through the activity's context, what fail saw: the
// classified error before it became a Temporal failure, and the attempt
// as the step counts it.
type attemptNote struct {
	attempt int
	cause   error
}

type attemptNoteKey struct{}

// noteOf returns the attemptNote of ctx, or nil.
func noteOf(ctx context.Context) *attemptNote {
	n, _ := ctx.Value(attemptNoteKey{}).(*attemptNote)
	return n
}

// attempting starts the bookkeeping of one attempt of a step's activity.
// The returned context carries the note fail fills in; the returned
// function, deferred with the activity's named results, records the
// attempt (see the top of this file for which attempts are recorded).
func (a *Activities) attempting(ctx context.Context, runID, step string, plan *AttemptPlan, host string) (context.Context, func(*StepOutput, *error)) {
	info := activity.GetInfo(ctx)
	var p AttemptPlan
	switch {
	case plan != nil:
		p = *plan
	case info.RetryPolicy != nil:
		// An input scheduled before plans existed: the activity's own
		// policy is the step's (no local attempt came first).
		p = planOf(info.RetryPolicy, 0)
	}
	note := &attemptNote{attempt: p.Offset + int(info.Attempt)}
	ctx = context.WithValue(ctx, attemptNoteKey{}, note)
	start := time.Now()
	return ctx, func(out *StepOutput, errp *error) {
		if (*errp == nil && note.attempt == 1) || a.deps.Store == nil || runID == "" {
			return
		}
		rec := store.StepAttempt{RunID: runID, Step: step, Attempt: note.attempt, MaxAttempts: p.MaxAttempts,
			StartedAt: start.UTC(), Duration: time.Since(start), Host: host}
		if *errp == nil {
			rec.Status = store.AttemptSucceeded
			rec.HTTPStatus = outputStatus(out.Output)
		} else {
			a.describeFailure(ctx, &rec, p, note, *errp)
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), attemptWriteTimeout)
		defer cancel()
		if err := a.deps.Store.RecordStepAttempt(wctx, rec); err != nil {
			// Only the run page's history of attempts loses a line; the
			// step's outcome is unchanged.
			a.log.Warn("recording a step attempt", "run", runID, "step", step, "attempt", note.attempt, "error", err)
		}
	}
}

// describeFailure fills in a failed attempt: its message, class, HTTP
// status and, when the step will try again, when.
func (a *Activities) describeFailure(ctx context.Context, rec *store.StepAttempt, p AttemptPlan, note *attemptNote, err error) {
	rec.Status = store.AttemptFailed
	rec.Error, rec.ErrorClass = err.Error(), classRetryable
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		rec.Error = app.Message()
		if app.Type() != "" {
			rec.ErrorClass = app.Type()
		}
	}
	if ce := connectors.AsError(note.cause); ce != nil {
		rec.HTTPStatus = ce.Status
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		rec.ErrorClass = errTypeTimeout
		rec.Error = fmt.Sprintf("timed out after %s: %s", rec.Duration.Round(time.Millisecond), rec.Error)
	}
	final := app != nil && (app.NonRetryable() || slices.Contains(p.NonRetryable, app.Type()))
	if final || (p.MaxAttempts > 0 && rec.Attempt >= p.MaxAttempts) || p.InitialInterval <= 0 {
		return
	}
	wait := p.delayAfter(rec.Attempt)
	if app != nil && app.NextRetryDelay() > 0 {
		wait = app.NextRetryDelay() // Retry-After
	}
	next := time.Now().Add(wait).UTC()
	rec.NextAttemptAt = &next
}

// outputStatus is the HTTP status of an http step's output, 0 for others.
func outputStatus(v any) int {
	m, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	switch s := m["status"].(type) {
	case int:
		return s
	case float64:
		return int(s)
	}
	return 0
}

// hostOf is the host an http step calls, for its attempts ("" when the
// URL does not parse).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
