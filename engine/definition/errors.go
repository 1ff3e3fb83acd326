package definition

import (
	"errors"
	"strings"

	"github.com/hookflow/hookflow/engine/expression"
)

// Error is one problem in a definition. The API returns a list of them as
// JSON; `hookflow validate` prints each with Error().
type Error struct {
	// Path is the JSON path of the offending value, e.g. "steps[2].if".
	Path string `json:"path"`
	// Message names the problem.
	Message string `json:"message"`
	// Position is "line:col": within the expression or template string for
	// expression errors, within the JSON document for parse errors
	// (syntax, unknown field, wrong type), and "" otherwise.
	Position string `json:"position,omitempty"`
	// Snippet is the source line with a caret under Position (expression
	// errors only), each line prefixed with "\n | ".
	Snippet string `json:"snippet,omitempty"`
}

// Error renders `steps[2].if: unknown name "amout" (1:1)` followed by the
// caret lines for expressions.
func (e Error) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Position != "" {
		b.WriteString(" (" + e.Position + ")")
	}
	b.WriteString(e.Snippet)
	return b.String()
}

// Errors joins a list of errors into one error, one per line, or returns
// nil for an empty list.
func Errors(list []Error) error {
	if len(list) == 0 {
		return nil
	}
	errs := make([]error, len(list))
	for i, e := range list {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// exprError converts an expression error at path.
func exprError(path string, err error) Error {
	var ee *expression.Error
	if errors.As(err, &ee) {
		return Error{Path: path, Message: ee.Message, Position: ee.Position(), Snippet: ee.Snippet}
	}
	return Error{Path: path, Message: err.Error()}
}
