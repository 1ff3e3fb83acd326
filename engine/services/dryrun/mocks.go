package dryrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/interpreter"
)

// Mock replaces what one step's call returns in a dry run: its output, or
// a failure. It is given by step id (every run of that step) or by step
// path ("notify[1].send", one iteration of a foreach):
//
//	{"output": {"ok": true, "ts": "1712.0001"}}
//	{"error": {"class": "permanent", "status": 400, "message": "channel_not_found"}}
//	{"error": {"class": "retryable", "status": 503}, "times": 2, "output": {"ok": true}}
//
// A failure goes through the same path as a real connector's failure: the
// activity fails with the error's class, so a permanent error is not
// retried, a retryable or rate_limited one is retried under the step's
// retry policy (every attempt counts, and the backoff passes in the dry
// run's virtual time, never in real time), and when the attempts are
// spent the step's on_error decides (fail the run, continue, or goto).
// Without Times every attempt fails; with Times only the first Times
// attempts fail and the next returns Output (or the step's usual dry-run
// output when Output is absent), which tests a retry that recovers.
//
// Mocks apply to the steps that call out: action (including AI steps and
// outgoing webhooks, which then end as a dead letter), http, code, data
// and call_workflow. A call_workflow mock stands in for the called
// workflow: its child run returns Output, or fails with Error's message
// (a child's failure is never retried, so Times does not apply); it is
// keyed by the target, so call_workflow steps that call the same
// workflow share it.
type Mock struct {
	Output json.RawMessage `json:"output,omitempty"`
	Error  *MockError      `json:"error,omitempty"`
	Times  int             `json:"times,omitempty"`
}

// MockError is a mocked failure. Class is required: "permanent",
// "retryable" or "rate_limited". Status is the provider's HTTP status, if
// any; Message defaults to "mocked failure"; RetryAfter (a duration such
// as "30s") is the wait a rate_limited failure asks for (default
// connectors.DefaultRateLimitWait).
type MockError struct {
	Class      string `json:"class"`
	Status     int    `json:"status,omitempty"`
	Message    string `json:"message,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"`
}

// MockableKinds are the step kinds a Mock may name.
var MockableKinds = []definition.Kind{definition.KindAction, definition.KindHTTP, definition.KindCode, definition.KindData, definition.KindCallWorkflow}

// mockError is the classified error a MockError stands for.
func (e *MockError) err() error {
	msg := e.Message
	if msg == "" {
		msg = "mocked failure"
	}
	ce := connectors.NewError(connectors.Class(e.Class), e.Status, msg)
	if e.Class == string(connectors.ClassRateLimited) {
		wait := connectors.DefaultRateLimitWait
		if d, err := definition.ParseDuration(e.RetryAfter); err == nil && d > 0 {
			wait = d
		}
		connectors.AsError(ce).RetryAfter = wait
	}
	return ce
}

// mockFor returns the mock of a step path: by full path first, then by
// the step's own id (the last path element).
func (f *fixtures) mockFor(path string) (Mock, bool) {
	if m, ok := f.req.Mocks[path]; ok {
		return m, true
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		m, ok := f.req.Mocks[path[i+1:]]
		return m, ok
	}
	return Mock{}, false
}

// fromMock answers a call of the step at path from its mock or recorded
// output. handled is false when neither applies (or a mock's failures are
// spent and it has no output), and the caller does what it does without.
//
// The mock's Times counts every call of the step; the attempt reported
// back is the activity's own, as a real activity reports it (the
// interpreter adds the local attempt that a retried call began with).
func (f *fixtures) fromMock(ctx context.Context, path string) (out interpreter.StepOutput, handled bool, err error) {
	f.mu.Lock()
	f.calls[path]++
	call := f.calls[path]
	f.mu.Unlock()
	attempt := int(activity.GetInfo(ctx).Attempt)
	m, ok := f.mockFor(path)
	if !ok {
		if v, ok := f.recorded(path); ok {
			f.markMocked(path)
			return interpreter.StepOutput{Output: v, Attempt: attempt}, true, nil
		}
		return interpreter.StepOutput{}, false, nil
	}
	f.markMocked(path)
	if m.Error != nil && (m.Times <= 0 || call <= m.Times) {
		return interpreter.StepOutput{}, true, interpreter.ActivityError(m.Error.err(), attempt)
	}
	if len(m.Output) == 0 {
		return interpreter.StepOutput{}, false, nil
	}
	v, err := decodeOutput(m.Output)
	if err != nil {
		return interpreter.StepOutput{}, true, interpreter.ActivityError(connectors.Permanent(fmt.Errorf("the mocked output of %s: %w", path, err)), attempt)
	}
	return interpreter.StepOutput{Output: v, Attempt: attempt}, true, nil
}

// code answers a code step from its mock, else runs the script for real:
// a script has no side effects to spare.
func (f *fixtures) code(ctx context.Context, req interpreter.CodeRequest) (interpreter.CodeResult, error) {
	out, handled, err := f.fromMock(ctx, req.Step)
	if handled {
		return interpreter.CodeResult{Output: out.Output}, err
	}
	return f.real.Code(ctx, req)
}

// validMockClasses are the classes a MockError may have.
var validMockClasses = []string{string(connectors.ClassPermanent), string(connectors.ClassRetryable), string(connectors.ClassRateLimited)}

// checkMock reports what is wrong with one mock; path is its JSON path.
func checkMock(m Mock, kind definition.Kind, path string) error {
	if m.Error == nil && len(m.Output) == 0 {
		return &InputError{Path: path, Message: `give "output" (what the step returns) or "error" (how it fails)`}
	}
	if kind == definition.KindCallWorkflow && m.Times != 0 {
		return &InputError{Path: path + ".times", Message: "a called workflow's failure is not retried, so times does not apply"}
	}
	if m.Times < 0 {
		return &InputError{Path: path + ".times", Message: "must be 1 or more"}
	}
	if m.Times > 0 && m.Error == nil {
		return &InputError{Path: path + ".times", Message: `only means something with "error": the first times attempts fail`}
	}
	if e := m.Error; e != nil {
		ok := false
		for _, c := range validMockClasses {
			ok = ok || e.Class == c
		}
		if !ok {
			return &InputError{Path: path + ".error.class", Message: fmt.Sprintf("%q: want permanent, retryable or rate_limited", e.Class)}
		}
		if e.Status != 0 && (e.Status < 100 || e.Status > 599) {
			return &InputError{Path: path + ".error.status", Message: fmt.Sprintf("%d is not an HTTP status", e.Status)}
		}
		if e.RetryAfter != "" {
			d, err := definition.ParseDuration(e.RetryAfter)
			if err != nil || d <= 0 {
				return &InputError{Path: path + ".error.retry_after", Message: fmt.Sprintf("%q: want a duration such as \"30s\"", e.RetryAfter)}
			}
			if e.Class != string(connectors.ClassRateLimited) {
				return &InputError{Path: path + ".error.retry_after", Message: "only a rate_limited error waits before its retry"}
			}
		}
	}
	if len(m.Output) > 0 {
		if _, err := decodeOutput(m.Output); err != nil {
			return &InputError{Path: path + ".output", Message: err.Error()}
		}
	}
	return nil
}

// InputError is a mock, expectation or fixture that cannot be used, with
// the JSON path of the offending member ("mocks.tell.error.class").
type InputError struct {
	Path    string
	Message string
}

func (e *InputError) Error() string { return e.Path + ": " + e.Message }

// AsInputError returns err's InputError, if it has one.
func AsInputError(err error) (*InputError, bool) {
	var ie *InputError
	ok := errors.As(err, &ie)
	return ie, ok
}

// decodeOutput decodes a mocked output the way step outputs are decoded.
func decodeOutput(raw json.RawMessage) (any, error) {
	v, err := expression.DecodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	return v, nil
}

// callMocks returns the mocks of call_workflow steps by their target.
func callMocks(def json.RawMessage, mocks map[string]Mock) map[string]Mock {
	if len(mocks) == 0 {
		return nil
	}
	d, errs := definition.Parse(def)
	if d == nil || len(errs) > 0 {
		return nil
	}
	out := map[string]Mock{}
	var walk func([]*definition.Step)
	walk = func(steps []*definition.Step) {
		for _, s := range steps {
			if s == nil {
				continue
			}
			if s.Type == definition.KindCallWorkflow {
				for _, k := range sortedKeys(mocks) {
					if _, taken := out[s.Workflow]; !taken && stepID(k) == s.ID {
						out[s.Workflow] = mocks[k]
					}
				}
			}
			walk(s.Steps)
			for _, b := range s.Branches {
				if b != nil {
					walk(b.Steps)
				}
			}
		}
	}
	walk(d.Steps)
	return out
}

// loadWorkflow stands a one-step workflow in for a mocked call_workflow
// target: a code step returning the mocked output, or a fail step with
// the mocked error. Other targets load for real (which needs a store).
func (f *fixtures) loadWorkflow(ctx context.Context, target string) (interpreter.LoadedWorkflow, error) {
	m, ok := f.callTargets[target]
	if !ok {
		return f.real.LoadWorkflow(ctx, target)
	}
	step := map[string]any{"id": "mocked", "type": "code", "code": "return " + string(m.Output) + ";"}
	if m.Error != nil {
		step = map[string]any{"id": "mocked", "type": "fail", "message": m.Error.err().Error()}
	}
	def, err := json.Marshal(map[string]any{"name": "mock of " + target, "trigger": map[string]any{"type": "manual"}, "steps": []any{step}})
	if err != nil {
		return interpreter.LoadedWorkflow{}, err
	}
	return interpreter.LoadedWorkflow{ID: target, Version: 1, Definition: def}, nil
}
