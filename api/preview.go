package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/store"
)

// previewCompiler evaluates previews with the interpreter's default
// limits, so a preview accepts what a run accepts.
var previewCompiler = expression.NewCompiler(expression.Limits{})

// previewRoutes serves the editor's live preview: one field's expression,
// condition, template or mapping evaluated against the sample event and
// the known outputs of earlier steps.
func (s *server) previewRoutes(v1 *gin.RouterGroup) {
	v1.POST("/preview", require(store.ScopeViewer), s.preview)
}

// previewBody is the request of POST /preview.
type previewBody struct {
	Kind   expression.PreviewKind `json:"kind"`
	Source any                    `json:"source"`
	// Trigger is the sample event body, Steps the outputs of earlier
	// steps by id, Vars the definition's vars; all optional.
	Trigger any            `json:"trigger"`
	Steps   map[string]any `json:"steps"`
	Vars    map[string]any `json:"vars"`
	Event   map[string]any `json:"event"`
}

// previewError is an evaluation error with its place in the source.
type previewError struct {
	Message  string `json:"message"`
	Position string `json:"position,omitempty"`
	Snippet  string `json:"snippet,omitempty"`
}

// previewResult is the response of POST /preview: 200 whether or not the
// source evaluates, as for validation.
type previewResult struct {
	Value    any                      `json:"value"`
	Error    *previewError            `json:"error,omitempty"`
	Warnings []expression.PathWarning `json:"warnings"`
}

func (s *server) preview(c *gin.Context) {
	var b previewBody
	if !bindJSON(c, &b, false) {
		return
	}
	if b.Source == nil {
		badRequest(c, "source", "required: the expression, template or mapping to preview")
		return
	}
	data := map[string]any{
		expression.RootTrigger: b.Trigger,
		expression.RootSteps:   orEmpty(b.Steps),
		expression.RootVars:    orEmpty(b.Vars),
		expression.RootEvent:   b.Event,
	}
	res, err := previewCompiler.Preview(b.Kind, b.Source, data, time.Now().UTC())
	if errors.Is(err, expression.ErrPreviewKind) {
		badRequest(c, "kind", err.Error()+` (kind is one of "expression", "condition", "template", "mapping")`)
		return
	}
	out := previewResult{Value: res.Value, Warnings: res.Warnings}
	if res.Error != nil {
		out.Error = &previewError{Message: res.Error.Message, Position: res.Error.Position(), Snippet: res.Error.Snippet}
	}
	c.JSON(http.StatusOK, out)
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
