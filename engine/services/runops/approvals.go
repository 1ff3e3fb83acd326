package runops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
)

// ErrNotApprover is wrapped by the refusal of a decision by someone the
// approval's approvers do not list; the API answers it with 403.
var ErrNotApprover = errors.New("not an approver")

// Approval is the approval wait a decision goes to: its step path, its
// approvers (empty: anyone with an editor key) and its message.
type Approval struct {
	Step      string
	Approvers []string
	Message   string
}

// Approver decides which approval wait of run a decision by who (an API
// key's name) answers, and whether who may decide it. step narrows it to
// one step (its id or path); empty picks the first approval the run waits
// in that who may decide. A run waiting in no approval is checked against
// every approval wait of its definition (the decision is kept for the
// next). It returns the approval, with Step set to the path the decision
// must name when the approval has approvers; an error wrapping
// ErrNotApprover when who may decide none.
func (c *Controller) Approver(ctx context.Context, run store.Run, step, who string) (Approval, error) {
	v, err := c.Store.GetVersion(ctx, run.WorkflowID, run.WorkflowVersion)
	if err != nil {
		return Approval{}, fmt.Errorf("loading the definition of run %s: %w", run.ID, err)
	}
	var def definition.Definition
	if err := json.Unmarshal(v.Definition, &def); err != nil {
		return Approval{}, fmt.Errorf("decoding the definition of run %s: %w", run.ID, err)
	}
	var cands []Approval
	if raw, err := c.LiveLog(ctx, run.ID); err == nil {
		var steps []interpreter.StepRecord
		_ = json.Unmarshal(raw, &steps)
		for _, s := range steps {
			if s.Status != interpreter.StepWaiting && s.Status != interpreter.StepRunning {
				continue
			}
			if a := interpreter.ApprovalStep(&def, s.Path); a != nil {
				cands = append(cands, Approval{Step: s.Path, Approvers: a.Approval.Approvers, Message: waitingMessage(s)})
			}
		}
	}
	if len(cands) == 0 {
		for _, a := range interpreter.ApprovalSteps(&def) {
			cands = append(cands, Approval{Step: a.ID, Approvers: a.Approval.Approvers})
		}
	}
	if step != "" {
		cands = slices.DeleteFunc(cands, func(a Approval) bool { return a.Step != step && lastSegment(a.Step) != step })
		if len(cands) == 0 {
			return Approval{}, &InputError{"step", fmt.Sprintf("run %s has no approval step %q", run.ID, step)}
		}
	}
	var names []string
	for _, a := range cands {
		if interpreter.MayApprove(a.Approvers, who) {
			if len(a.Approvers) == 0 {
				a.Step = step
			}
			return a, nil
		}
		names = append(names, a.Approvers...)
	}
	return Approval{}, fmt.Errorf("the API key %q may not decide this approval: only %v may (by an API key of that name or their approval link): %w",
		who, names, ErrNotApprover)
}

func waitingMessage(s interpreter.StepRecord) string {
	var in struct {
		Approval string `json:"approval"`
	}
	_ = json.Unmarshal(s.Input, &in)
	return in.Approval
}

func lastSegment(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '.' {
			return path[i+1:]
		}
	}
	return path
}

// Link is an approval link, verified, with what its page shows.
type Link struct {
	Claims interpreter.ApprovalClaims
	// Used is true when the link has already decided.
	Used bool
	// Run is the run it decides; Message the approval's message while the
	// run waits ("" otherwise).
	Run     store.Run
	Message string
}

// InspectLink verifies an approval link's token (signature and expiry)
// and says whether it was used and what it decides.
func (c *Controller) InspectLink(ctx context.Context, token string) (Link, error) {
	claims, err := interpreter.VerifyApprovalLink(c.Keyring, token, time.Now())
	if err != nil {
		return Link{}, err
	}
	l := Link{Claims: claims}
	if l.Used, err = c.Store.ApprovalLinkUsed(ctx, claims.ID); err != nil {
		return Link{}, err
	}
	if l.Run, err = c.Store.GetRun(ctx, claims.Run); err != nil {
		return Link{}, err
	}
	if l.Run.Status == store.RunRunning {
		if raw, err := c.LiveLog(ctx, claims.Run); err == nil {
			var steps []interpreter.StepRecord
			_ = json.Unmarshal(raw, &steps)
			for _, s := range steps {
				if s.Path == claims.Step {
					l.Message = waitingMessage(s)
				}
			}
		}
	}
	return l, nil
}

// UseLink decides an approval with a link: it verifies the token, spends
// it (store.UseApprovalLink: an error wrapping store.ErrConflict when it
// was used already) and sends the decision as the link's approver. A run
// that has ended gives an error wrapping store.ErrConflict too.
func (c *Controller) UseLink(ctx context.Context, token string, approved bool, comment string) (interpreter.ApprovalClaims, error) {
	l, err := c.InspectLink(ctx, token)
	if err != nil {
		return interpreter.ApprovalClaims{}, err
	}
	if l.Run.Status != store.RunRunning {
		return l.Claims, fmt.Errorf("run %s has already ended (%s): %w", l.Run.ID, l.Run.Status, store.ErrConflict)
	}
	d := interpreter.Decision{Approved: approved, By: l.Claims.Approver, Comment: comment, Step: l.Claims.Step}
	if err := CheckDecision(d); err != nil {
		return l.Claims, err
	}
	if err := c.Store.UseApprovalLink(ctx, store.ApprovalLinkUse{ID: l.Claims.ID, RunID: l.Claims.Run, Step: l.Claims.Step,
		Approver: l.Claims.Approver, Approved: approved, ExpiresAt: l.Claims.ExpiresAt()}); err != nil {
		return l.Claims, err
	}
	return l.Claims, c.Approve(ctx, l.Claims.Run, d)
}
