package api

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/runops"
	"github.com/hookflow/hookflow/engine/store"
)

// approvalTmpl is the page of a signed one-time approval link
// (GET/POST /approve/{token}): a plain form with Approve and Reject
// buttons, so it works in any mail client's browser without JavaScript.
// The token is the credential, so the page needs no API key; GET only
// shows it (mail scanners that open links must not decide), POST decides.
var approvalTmpl = template.Must(template.New("approve").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}} · hookflow</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
.msg{white-space:pre-wrap;border-left:4px solid #888;padding:.5rem 1rem;background:#f6f6f6}
button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}textarea{width:100%}</style></head>
<body><h1>{{.Title}}</h1>
{{if .Detail}}<p>{{.Detail}}</p>{{end}}
{{if .Message}}<p class="msg">{{.Message}}</p>{{end}}
{{if .Form}}<p>Run <code>{{.Run}}</code>, step <code>{{.Step}}</code>, deciding as <strong>{{.Approver}}</strong>. This link works once.</p>
<form method="post"><p><label for="comment">Comment (optional)</label><br><textarea id="comment" name="comment" rows="3" maxlength="4096"></textarea></p>
<button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="reject">Reject</button></form>{{end}}
</body></html>`))

type approvalView struct {
	Title, Detail, Message, Run, Step, Approver string
	Form                                        bool
}

func (s *server) renderApproval(c *gin.Context, status int, v approvalView) {
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := approvalTmpl.Execute(c.Writer, v); err != nil {
		s.log.Warn("rendering the approval page failed", "error", err)
	}
}

// linkProblem renders the page of a link that cannot decide.
func (s *server) linkProblem(c *gin.Context, err error) {
	switch {
	case errors.Is(err, interpreter.ErrLinkInvalid), errors.Is(err, store.ErrNotFound):
		s.renderApproval(c, http.StatusNotFound, approvalView{Title: "Invalid approval link", Detail: interpreter.ErrLinkInvalid.Error()})
	case errors.Is(err, interpreter.ErrLinkExpired):
		s.renderApproval(c, http.StatusGone, approvalView{Title: "Approval link expired", Detail: "The approval this link was for has timed out; ask for a new one."})
	case errors.Is(err, store.ErrConflict):
		s.renderApproval(c, http.StatusConflict, approvalView{Title: "Already decided", Detail: err.Error()})
	default:
		var ie *runops.InputError
		if errors.As(err, &ie) {
			s.renderApproval(c, http.StatusBadRequest, approvalView{Title: "Cannot decide", Detail: ie.Error()})
			return
		}
		s.log.Error("approval link failed", "error", err)
		s.renderApproval(c, http.StatusInternalServerError, approvalView{Title: "Something went wrong", Detail: "The decision was not sent; try the link again in a moment."})
	}
}

// approvalPage shows what a link decides, with Approve and Reject.
func (s *server) approvalPage(c *gin.Context) {
	if s.cfg.Runs == nil {
		s.renderApproval(c, http.StatusServiceUnavailable, approvalView{Title: "Approvals are unavailable", Detail: "This server does not reach the workflow engine."})
		return
	}
	l, err := s.cfg.Runs.InspectLink(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.linkProblem(c, err)
		return
	}
	switch {
	case l.Used:
		s.renderApproval(c, http.StatusConflict, approvalView{Title: "Already decided", Detail: "This link has already been used; a link decides once."})
	case l.Run.Status != store.RunRunning:
		s.renderApproval(c, http.StatusConflict, approvalView{Title: "No longer waiting", Detail: "The run has already ended (" + l.Run.Status + ")."})
	default:
		s.renderApproval(c, http.StatusOK, approvalView{Title: "Approval requested", Message: l.Message, Run: l.Claims.Run,
			Step: l.Claims.Step, Approver: l.Claims.Approver, Form: true})
	}
}

// approvalDecide decides with a link: form field decision = approve or
// reject, optional comment.
func (s *server) approvalDecide(c *gin.Context) {
	if s.cfg.Runs == nil {
		s.renderApproval(c, http.StatusServiceUnavailable, approvalView{Title: "Approvals are unavailable", Detail: "This server does not reach the workflow engine."})
		return
	}
	var approved bool
	switch c.PostForm("decision") {
	case "approve":
		approved = true
	case "reject":
	default:
		s.renderApproval(c, http.StatusBadRequest, approvalView{Title: "Cannot decide", Detail: "decision: send approve or reject"})
		return
	}
	claims, err := s.cfg.Runs.UseLink(c.Request.Context(), c.Param("token"), approved, c.PostForm("comment"))
	if err != nil {
		s.linkProblem(c, err)
		return
	}
	word := "rejected"
	if approved {
		word = "approved"
	}
	s.renderApproval(c, http.StatusOK, approvalView{Title: "Thank you", Detail: "You " + word + " step " + claims.Step + " of run " + claims.Run + " as " + claims.Approver + "."})
}
