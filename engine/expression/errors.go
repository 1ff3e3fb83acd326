package expression

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/file"
)

// Error is an expression or template error with its position in the
// source string as written (for a template, in the whole template, not
// just the part inside {{ }}).
type Error struct {
	Message string
	// Line and Column are 1-based; both are 0 when the error concerns the
	// whole source (a length limit, for example).
	Line, Column int
	// Snippet is the source line and a caret under the column, each line
	// prefixed with "\n | ", as expr prints it. Empty without a position.
	Snippet string
	// Missing is set when the error is a strict template's missing path.
	Missing *MissingPathError
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("%s (%s)%s", e.Message, e.Position(), e.Snippet)
}

// Position returns "line:col", or "" when the error has no position.
func (e *Error) Position() string {
	if e.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%d:%d", e.Line, e.Column)
}

// newError returns an Error at rune offset pos of src.
func newError(src string, pos int, format string, args ...any) *Error {
	e := &Error{Message: fmt.Sprintf(format, args...)}
	e.place(src, pos)
	return e
}

// place sets Line, Column and Snippet for rune offset pos of src.
func (e *Error) place(src string, pos int) {
	line, col, lineStart, i := 1, 0, 0, 0
	for bi, r := range src {
		if i == pos {
			break
		}
		if r == '\n' {
			line++
			col = 0
			lineStart = bi + 1
		} else {
			col++
		}
		i++
	}
	e.Line, e.Column = line, col+1
	end := strings.IndexByte(src[lineStart:], '\n')
	text := src[lineStart:]
	if end >= 0 {
		text = text[:end]
	}
	text = strings.ReplaceAll(text, "\t", " ")
	e.Snippet = "\n | " + text + "\n | " + strings.Repeat(".", col) + "^"
}

// positioned converts an expr error about inner, which starts at byte
// offset of full, into an *Error positioned in full.
func positioned(err error, full, inner string, offset int) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return &Error{Message: err.Error()}
	}
	msg := fe.Message
	if name, ok := strings.CutPrefix(msg, "unknown name "); ok && !strings.ContainsAny(name, " \"") {
		msg = fmt.Sprintf("unknown name %q", name)
	}
	pos := fe.From
	if pos < 0 {
		pos = 0
	}
	if n := utf8.RuneCountInString(inner); pos > n {
		pos = n
	}
	return newError(full, utf8.RuneCountInString(full[:offset])+pos, "%s", rewriteMessage(msg, inner, pos))
}
