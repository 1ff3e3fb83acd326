package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
)

// ProblemTypeBase prefixes every problem type URI. The URIs are stable:
// clients switch on them, never on titles or details.
const ProblemTypeBase = "https://hookflow.dev/problems/"

// Problem types.
const (
	ProblemUnauthorized  = ProblemTypeBase + "unauthorized"
	ProblemForbidden     = ProblemTypeBase + "forbidden"
	ProblemNotFound      = ProblemTypeBase + "not-found"
	ProblemConflict      = ProblemTypeBase + "conflict"
	ProblemInUse         = ProblemTypeBase + "in-use"
	ProblemValidation    = ProblemTypeBase + "validation"
	ProblemBadRequest    = ProblemTypeBase + "bad-request"
	ProblemInvalidCursor = ProblemTypeBase + "invalid-cursor"
	ProblemUnavailable   = ProblemTypeBase + "unavailable"
	ProblemTimeout       = ProblemTypeBase + "timeout"
	ProblemInternal      = ProblemTypeBase + "internal"
)

// ProblemContentType is the media type of error bodies (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details body. Errors lists validation
// problems; Workflows names the active workflows that block a deletion.
type Problem struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail,omitempty"`
	Instance  string               `json:"instance,omitempty"`
	Errors    []ValidationProblem  `json:"errors,omitempty"`
	Workflows []manage.WorkflowRef `json:"workflows,omitempty"`
}

// ValidationProblem is one validation error: the JSON path of the bad
// value, what is wrong, and the "line:col" position when known.
type ValidationProblem struct {
	Path     string `json:"path"`
	Message  string `json:"message"`
	Position string `json:"position,omitempty"`
}

func validationProblems(list []definition.Error) []ValidationProblem {
	out := make([]ValidationProblem, len(list))
	for i, e := range list {
		out[i] = ValidationProblem{Path: e.Path, Message: e.Message, Position: e.Position}
	}
	return out
}

// problem writes p and aborts the request.
func problem(c *gin.Context, p Problem) {
	if p.Instance == "" {
		p.Instance = c.Request.URL.Path
	}
	c.Header("Content-Type", ProblemContentType)
	c.AbortWithStatusJSON(p.Status, p)
	// AbortWithStatusJSON sets application/json; restore ours.
	c.Writer.Header().Set("Content-Type", ProblemContentType)
}

func badRequest(c *gin.Context, path, message string) {
	problem(c, Problem{Type: ProblemValidation, Title: "the request is invalid", Status: http.StatusUnprocessableEntity,
		Detail: path + ": " + message, Errors: []ValidationProblem{{Path: path, Message: message}}})
}

// fail maps a service error onto a problem: validation → 422, in use →
// 409 naming the workflows, store sentinels → 404/409/400, unavailable
// services → 503, anything else → 500 (logged, never shown).
func (s *server) fail(c *gin.Context, err error) {
	var ve *manage.ValidationError
	var inUse *manage.InUseError
	switch {
	case errors.As(err, &ve):
		problem(c, Problem{Type: ProblemValidation, Title: ve.Title, Status: http.StatusUnprocessableEntity,
			Detail: err.Error(), Errors: validationProblems(ve.Errors)})
	case errors.As(err, &inUse):
		problem(c, Problem{Type: ProblemInUse, Title: "the resource is in use", Status: http.StatusConflict,
			Detail: inUse.Error(), Workflows: inUse.Workflows})
	case errors.Is(err, store.ErrNotFound):
		problem(c, Problem{Type: ProblemNotFound, Title: "not found", Status: http.StatusNotFound, Detail: err.Error()})
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrDuplicate), errors.Is(err, ErrConflict):
		problem(c, Problem{Type: ProblemConflict, Title: "conflict", Status: http.StatusConflict, Detail: err.Error()})
	case errors.Is(err, store.ErrInvalidCursor):
		problem(c, Problem{Type: ProblemInvalidCursor, Title: "the cursor is invalid", Status: http.StatusBadRequest,
			Detail: "cursor: not a value returned as next_cursor by this list; start again without it"})
	case errors.Is(err, store.ErrInvalidArgument):
		problem(c, Problem{Type: ProblemValidation, Title: "the request is invalid", Status: http.StatusUnprocessableEntity, Detail: err.Error()})
	case errors.Is(err, ErrUnavailable), errors.Is(err, manage.ErrNoKeyring), errors.Is(err, manage.ErrScheduleSync),
		errors.Is(err, secrets.ErrNotEncrypted):
		problem(c, Problem{Type: ProblemUnavailable, Title: "the service is unavailable", Status: http.StatusServiceUnavailable, Detail: err.Error()})
	case errors.Is(err, context.DeadlineExceeded):
		problem(c, Problem{Type: ProblemTimeout, Title: "the operation timed out", Status: http.StatusGatewayTimeout, Detail: err.Error()})
	default:
		s.log.Error("api request failed", "method", c.Request.Method, "route", c.FullPath(), "error", err)
		problem(c, Problem{Type: ProblemInternal, Title: "internal error", Status: http.StatusInternalServerError,
			Detail: "the server failed to handle the request; the error is in the server log"})
	}
}

// ErrUnavailable is wrapped by errors from an optional service (Temporal,
// the triggers service) this process does not run; the API answers 503.
var ErrUnavailable = errors.New("not available in this process")

// ErrConflict is wrapped by service errors that the API answers with 409,
// such as cancelling a run that has already finished.
var ErrConflict = errors.New("conflict")
