package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/runops"
	"github.com/hookflow/hookflow/engine/store"
)

// runView is a run with its step log and each step's attempts. Live is
// true when Steps were read from the running run itself rather than from
// its last saved summary.
type runView struct {
	store.Run
	Steps []interpreter.StepView `json:"steps"`
	Live  bool                   `json:"live"`
}

// bodyMatch reads the search parameters of the run and event lists:
// path (a gjson path into the event body) and value (compared with the
// string form of what the path finds). value without path, or path
// without value, is refused rather than ignored.
func bodyMatch(c *gin.Context) (store.BodyMatch, bool) {
	path, hasPath := c.GetQuery("path")
	value, hasValue := c.GetQuery("value")
	switch {
	case hasValue && path == "":
		badRequest(c, "path", "is required with value: the field of the event body to compare, such as customer.email")
		return store.BodyMatch{}, false
	case path != "" && !hasValue:
		badRequest(c, "value", "is required with path: the value the field must have")
		return store.BodyMatch{}, false
	case !hasPath:
		return store.BodyMatch{}, true
	}
	m := store.BodyMatch{Path: path, Value: value}
	if field, msg := m.Problem(); field != "" {
		badRequest(c, field, msg)
		return store.BodyMatch{}, false
	}
	return m, true
}

func (s *server) listRuns(c *gin.Context) {
	opts, ok := listOptions(c)
	if !ok {
		return
	}
	f := store.RunFilter{WorkflowID: c.Query("workflow_id"), Status: c.Query("status"), EventID: c.Query("event_id"), ListOptions: opts}
	if f.Status != "" && !store.ValidRunStatus(f.Status) {
		badRequest(c, "status", "unknown run status \""+f.Status+"\"")
		return
	}
	if f.Since, ok = timeParam(c, "since"); !ok {
		return
	}
	if f.Until, ok = timeParam(c, "until"); !ok {
		return
	}
	if f.Match, ok = bodyMatch(c); !ok {
		return
	}
	runs, next, err := s.cfg.Manage.Store.SearchRuns(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	for i := range runs {
		runs[i].Steps = nil // lists stay small; GET /runs/{id} has the steps
	}
	c.JSON(http.StatusOK, page(runs, next))
}

// getRun returns a run with every step's status, input, output, error,
// attempts and timings: live from the run while it is running (when this
// process can reach Temporal), from the store once it has finished. A
// step that is retrying shows as such (interpreter.StepViews).
func (s *server) getRun(c *gin.Context) {
	ctx := c.Request.Context()
	run, err := s.cfg.Manage.Store.GetRun(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	steps, live := run.Steps, false
	if run.Status == store.RunRunning && s.cfg.Runs != nil {
		if l, err := s.cfg.Runs.LiveLog(ctx, run.ID); err == nil {
			steps, live = l, true
		} else {
			s.log.Warn("reading the live run log failed; showing the saved one", "run", run.ID, "error", err)
		}
	}
	attempts, err := s.cfg.Manage.Store.ListStepAttempts(ctx, run.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	views, err := interpreter.StepViews(json.RawMessage(steps), attempts)
	if err != nil {
		s.fail(c, fmt.Errorf("showing run %s: %w", run.ID, err))
		return
	}
	run.Steps = nil
	c.JSON(http.StatusOK, runView{Run: run, Steps: views, Live: live})
}

// runningRun loads the run named in the path for an operation on a live
// run (what names it in the 503 when this process has no Temporal): 404
// when it does not exist, 409 when it has already ended.
func (s *server) runningRun(c *gin.Context, what string) (store.Run, bool) {
	run, err := s.cfg.Manage.Store.GetRun(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return store.Run{}, false
	}
	if run.Status != store.RunRunning {
		s.fail(c, fmt.Errorf("run %s has already ended (%s): %w", run.ID, run.Status, ErrConflict))
		return store.Run{}, false
	}
	if s.cfg.Runs == nil {
		s.unavailable(c, what)
		return store.Run{}, false
	}
	return run, true
}

func (s *server) cancelRun(c *gin.Context) {
	run, ok := s.runningRun(c, "cancelling runs")
	if !ok {
		return
	}
	if err := s.cfg.Runs.Cancel(c.Request.Context(), run.ID); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": run.ID, "status": "cancelling"})
}

// retryBody is the body of POST /runs/{id}/retry: from "start" (the
// default), "failed" or a step path; version "same", "current" or a
// version number (0 = current, the original form of this route).
type retryBody struct {
	From    string          `json:"from,omitempty"`
	Version json.RawMessage `json:"version,omitempty"`
}

// options turns the body into runops.RetryOptions. An omitted version is
// the current one for a whole-run retry (as this route always did) and the
// same one for a resume, whose reused outputs came from it.
func (b retryBody) options() (runops.RetryOptions, bool) {
	o := runops.RetryOptions{From: b.From}
	v := bytes.TrimSpace(b.Version)
	switch {
	case len(v) == 0 || string(v) == "null":
		if o.From != "" && o.From != runops.FromStart {
			o.Version = runops.VersionSame
		}
	case v[0] == '"':
		if json.Unmarshal(v, &o.Version) != nil {
			return o, false
		}
	default:
		if json.Unmarshal(v, &o.Number) != nil || o.Number < 0 {
			return o, false
		}
	}
	return o, true
}

func (s *server) retryRun(c *gin.Context) {
	var b retryBody
	if !bindJSON(c, &b, true) {
		return
	}
	o, ok := b.options()
	if !ok {
		badRequest(c, "version", "must be \"same\", \"current\" or a version number (0 for the current version)")
		return
	}
	ctx := c.Request.Context()
	run, err := s.cfg.Manage.Store.GetRun(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if run.Status == store.RunRunning {
		s.fail(c, fmt.Errorf("run %s is still running; cancel it first or wait for it to end: %w", run.ID, ErrConflict))
		return
	}
	if o.Number > 0 {
		if _, err := s.cfg.Manage.Store.GetVersion(ctx, run.WorkflowID, o.Number); err != nil {
			s.fail(c, err)
			return
		}
	}
	if s.cfg.Runs == nil {
		s.unavailable(c, "retrying runs")
		return
	}
	id, err := s.cfg.Runs.Retry(ctx, run, o)
	if !s.inputOK(c, err) {
		return
	}
	from := o.From
	if from == "" {
		from = runops.FromStart
	}
	c.JSON(http.StatusAccepted, gin.H{"id": id, "retry_of": run.ID, "status": store.RunRunning, "from": from})
}
