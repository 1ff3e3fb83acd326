package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/services/dryrun"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
)

// definitionBody is the body of create, update, validate and apply.
type definitionBody struct {
	Definition json.RawMessage `json:"definition"`
}

// saveBody is the body of create and update: a definition, optionally
// saved as an incomplete draft, with the sample event to keep with it.
type saveBody struct {
	Definition json.RawMessage `json:"definition"`
	Draft      bool            `json:"draft,omitempty"`
	Sample     json.RawMessage `json:"sample,omitempty"`
}

func (b saveBody) request() manage.SaveRequest {
	return manage.SaveRequest{Definition: b.Definition, Draft: b.Draft, Sample: b.Sample}
}

func (s *server) listWorkflows(c *gin.Context) {
	opts, ok := listOptions(c)
	if !ok {
		return
	}
	f := store.WorkflowFilter{ListOptions: opts}
	if v := c.Query("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			badRequest(c, "active", "must be true or false")
			return
		}
		f.Active = &b
	}
	items, next, err := s.cfg.Manage.ListWorkflows(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(items, next))
}

func (s *server) createWorkflow(c *gin.Context) {
	var b saveBody
	if !bindJSON(c, &b, false) {
		return
	}
	wf, err := s.cfg.Manage.Create(c.Request.Context(), b.request())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", Prefix+"/workflows/"+wf.ID)
	c.JSON(http.StatusCreated, wf)
}

// applyResult is the body of POST /workflows/apply.
type applyResult struct {
	Created  bool                `json:"created"`
	Workflow manage.WorkflowView `json:"workflow"`
}

func (s *server) applyWorkflow(c *gin.Context) {
	var b definitionBody
	if !bindJSON(c, &b, false) {
		return
	}
	wf, created, err := s.cfg.Manage.ApplyWorkflow(c.Request.Context(), b.Definition)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, applyResult{Created: created, Workflow: wf})
}

// validateResult is the body of POST /workflows/validate.
type validateResult struct {
	Valid  bool                `json:"valid"`
	Errors []ValidationProblem `json:"errors"`
	// Warnings are trigger paths the trigger's sample does not hold; they
	// never make a definition invalid.
	Warnings []ValidationProblem `json:"warnings,omitempty"`
	Hash     string              `json:"hash,omitempty"`
}

// validateWorkflow answers 200 either way: the validation result is the
// resource here, not an error of the request.
func (s *server) validateWorkflow(c *gin.Context) {
	var b definitionBody
	if !bindJSON(c, &b, false) {
		return
	}
	def, err := s.cfg.Manage.Validate(c.Request.Context(), b.Definition)
	if ve, ok := manage.IsValidation(err); ok {
		c.JSON(http.StatusOK, validateResult{Valid: false, Errors: validationProblems(ve.Errors)})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	warns, err := s.cfg.Manage.Warnings(c.Request.Context(), def)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, validateResult{Valid: true, Errors: []ValidationProblem{}, Warnings: validationProblems(warns), Hash: definition.Hash(def)})
}

func (s *server) getWorkflow(c *gin.Context) {
	wf, err := s.cfg.Manage.GetWorkflow(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, wf)
}

func (s *server) updateWorkflow(c *gin.Context) {
	var b saveBody
	if !bindJSON(c, &b, false) {
		return
	}
	wf, err := s.cfg.Manage.Update(c.Request.Context(), c.Param("id"), b.request())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, wf)
}

func (s *server) deleteWorkflow(c *gin.Context) {
	if err := s.cfg.Manage.DeleteWorkflow(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) listVersions(c *gin.Context) {
	opts, ok := listOptions(c)
	if !ok {
		return
	}
	items, next, err := s.cfg.Manage.ListVersions(c.Request.Context(), c.Param("id"), opts)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(items, next))
}

func (s *server) getVersion(c *gin.Context) {
	n, ok := intParam(c, "version")
	if !ok {
		return
	}
	v, err := s.cfg.Manage.GetVersion(c.Request.Context(), c.Param("id"), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// restoreVersion saves an old version as the workflow's next version.
func (s *server) restoreVersion(c *gin.Context) {
	n, ok := intParam(c, "version")
	if !ok {
		return
	}
	wf, err := s.cfg.Manage.RestoreVersion(c.Request.Context(), c.Param("id"), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, wf)
}

func (s *server) activateWorkflow(c *gin.Context)   { s.setActive(c, true) }
func (s *server) deactivateWorkflow(c *gin.Context) { s.setActive(c, false) }

func (s *server) setActive(c *gin.Context, active bool) {
	wf, err := s.cfg.Manage.SetActive(c.Request.Context(), c.Param("id"), active)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, wf)
}

// testBody is the body of POST /workflows/{id}/test and /workflows/test.
type testBody struct {
	// Definition is only for /workflows/test (an unsaved definition).
	Definition json.RawMessage `json:"definition,omitempty"`
	// Version tests a saved version instead of the current one.
	Version   int                        `json:"version,omitempty"`
	Event     json.RawMessage            `json:"event"`
	EventID   string                     `json:"event_id,omitempty"`
	EventType string                     `json:"event_type,omitempty"`
	Headers   map[string]string          `json:"headers,omitempty"`
	Live      bool                       `json:"live,omitempty"`
	Outputs   map[string]json.RawMessage `json:"outputs,omitempty"`
	// Mocks and Expect are checked by the dry-run service, which names
	// the JSON path of a mistake (see dryrun.Fixture).
	Mocks  json.RawMessage `json:"mocks,omitempty"`
	Expect json.RawMessage `json:"expect,omitempty"`
}

func (s *server) testWorkflow(c *gin.Context) {
	var b testBody
	if !bindJSON(c, &b, false) {
		return
	}
	if len(b.Definition) > 0 {
		badRequest(c, "definition", "not allowed here: this route tests the saved workflow; use POST /api/v1/workflows/test for an unsaved definition")
		return
	}
	ctx := c.Request.Context()
	wf, err := s.cfg.Manage.GetWorkflow(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	run := TestRun{WorkflowID: wf.ID, Version: wf.CurrentVersion, Definition: wf.Definition}
	if b.Version > 0 && b.Version != wf.CurrentVersion {
		v, err := s.cfg.Manage.GetVersion(ctx, wf.ID, b.Version)
		if err != nil {
			s.fail(c, err)
			return
		}
		run.Version, run.Definition = v.Version, v.Definition
	}
	s.test(c, run, b)
}

func (s *server) testDefinition(c *gin.Context) {
	var b testBody
	if !bindJSON(c, &b, false) {
		return
	}
	def, err := s.cfg.Manage.Validate(c.Request.Context(), b.Definition)
	if err != nil {
		s.fail(c, err)
		return
	}
	canon, err := definition.Canonical(def)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.test(c, TestRun{Definition: canon}, b)
}

func (s *server) test(c *gin.Context, run TestRun, b testBody) {
	if s.cfg.Tester == nil {
		s.unavailable(c, "testing workflows")
		return
	}
	if len(b.Event) == 0 {
		badRequest(c, "event", "required: the sample event body the workflow sees as `trigger`")
		return
	}
	run.Event, run.EventID, run.EventType, run.Headers, run.Live, run.Outputs = b.Event, b.EventID, b.EventType, b.Headers, b.Live, b.Outputs
	run.Mocks, run.Expect = b.Mocks, b.Expect
	ctx, cancel := context.WithTimeout(c.Request.Context(), DefaultTestTimeout)
	defer cancel()
	res, err := s.cfg.Tester(ctx, run)
	if ie, ok := dryrun.AsInputError(err); ok {
		badRequest(c, ie.Path, ie.Message)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// runBody is the body of POST /workflows/{id}/run.
type runBody struct {
	Input json.RawMessage `json:"input"`
}

func (s *server) runWorkflow(c *gin.Context) {
	var b runBody
	if !bindJSON(c, &b, true) {
		return
	}
	if s.cfg.Triggers == nil {
		s.unavailable(c, "starting runs")
		return
	}
	if len(b.Input) == 0 {
		b.Input = json.RawMessage(`{}`)
	}
	ctx := c.Request.Context()
	wf, err := s.cfg.Manage.GetWorkflow(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := manage.Runnable(wf); err != nil {
		s.fail(c, err)
		return
	}
	ev, err := s.cfg.Triggers.RunManual(ctx, wf.ID, b.Input)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, ev)
}

func (s *server) listWorkflowEndpoints(c *gin.Context) {
	eps, err := s.cfg.Manage.ListEndpoints(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(eps, ""))
}
