package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/runops"
)

// approveBody is the body of POST /runs/{id}/approve. Approved is
// required, so an empty body never rejects by accident.
type approveBody struct {
	Approved *bool  `json:"approved"`
	By       string `json:"by,omitempty"`
	Comment  string `json:"comment,omitempty"`
	// Step names the waiting approval step; empty answers the first.
	Step string `json:"step,omitempty"`
}

func (s *server) approveRun(c *gin.Context) {
	var b approveBody
	if !bindJSON(c, &b, false) {
		return
	}
	if b.Approved == nil {
		badRequest(c, "approved", "required: true to approve, false to reject")
		return
	}
	d := interpreter.Decision{Approved: *b.Approved, By: b.By, Comment: b.Comment, Step: b.Step}
	key := currentKey(c)
	if d.By == "" {
		d.By = "api key " + key.Name
	}
	if !s.inputOK(c, runops.CheckDecision(d)) {
		return
	}
	run, ok := s.runningRun(c, "approving runs")
	if !ok {
		return
	}
	// An approval with approvers takes decisions by them only: the key's
	// name is the approver, whatever by says.
	a, err := s.cfg.Runs.Approver(c.Request.Context(), run, d.Step, key.Name)
	if errors.Is(err, runops.ErrNotApprover) {
		problem(c, Problem{Type: ProblemForbidden, Title: "not an approver", Status: http.StatusForbidden, Detail: err.Error()})
		return
	}
	if !s.inputOK(c, err) {
		return
	}
	if len(a.Approvers) > 0 {
		d.By, d.Step = key.Name, a.Step
	}
	if err := s.cfg.Runs.Approve(c.Request.Context(), run.ID, d); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": run.ID, "approved": d.Approved, "by": d.By, "step": d.Step, "status": "sent"})
}

// signalBody is the body of POST /signals.
type signalBody struct {
	Type    string          `json:"type"`
	Key     string          `json:"key,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	// EventID makes a retried request safe: a run takes one id once.
	EventID string `json:"event_id,omitempty"`
}

func (s *server) sendSignal(c *gin.Context) {
	var b signalBody
	if !bindJSON(c, &b, false) {
		return
	}
	sig := interpreter.EventSignal{Type: b.Type, Key: b.Key, EventID: b.EventID, Payload: b.Payload}
	if !s.inputOK(c, runops.CheckSignal(sig)) {
		return
	}
	if s.cfg.Runs == nil {
		s.unavailable(c, "signalling waiting runs")
		return
	}
	id, err := s.cfg.Runs.Signal(c.Request.Context(), sig)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"event_id": id, "type": sig.Type, "key": sig.Key, "status": "sent"})
}

// inputOK answers 422 for a runops input error and reports whether err
// was nil.
func (s *server) inputOK(c *gin.Context, err error) bool {
	if err == nil {
		return true
	}
	var ie *runops.InputError
	if errors.As(err, &ie) {
		badRequest(c, ie.Path, ie.Message)
		return false
	}
	s.fail(c, err)
	return false
}
