package definition

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/jsruntime"
)

// KindCode runs JavaScript: the escape hatch for what mappings and
// expressions cannot say.
const KindCode Kind = "code"

var codeKind = &KindSpec{
	Kind:  KindCode,
	Title: "Code (JavaScript)",
	Description: "Run JavaScript over trigger, steps, vars and event, and use what it returns. " +
		"It has no network, file or timer access, and runs under time, memory and output limits.",
	Output: "What the code returns (undefined becomes null), as JSON. Lines it writes with console.log are kept in the run's step record under logs.",
	Flow:   FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "code", Title: "JavaScript", Type: connectors.TypeString, Required: true,
			Example: "return {total: trigger.items.reduce((a, i) => a + i.price, 0)}",
			Help: "The body of a function of trigger, steps, vars and event (plain JSON values; item and index too inside a foreach or loop); return the step's output. " +
				"console.log lines are kept with the step; require, fetch and timers do not exist."}},
		{Field: connectors.Field{Name: "timeout", Title: "Time limit", Type: connectors.TypeString, Default: "1s", Example: "3s",
			Help: "How long the code may compute before it is stopped (at most 10s)."}, Format: FormatDuration, Option: true},
		{Field: connectors.Field{Name: "memory_mb", Title: "Memory limit (MB)", Type: connectors.TypeInteger, Default: jsruntime.DefaultMemoryMB,
			Help: "How much memory the code may allocate before it is stopped."},
			Minimum: bound(1), Maximum: bound(jsruntime.MaxMemoryMB)},
		optNext, optOnError,
	},
	validate: func(r *run, n *node) {
		s, p := n.step, n.path
		if strings.TrimSpace(s.Code) == "" {
			r.errorf(p+".code", "is required: the JavaScript to run, ending in return <output>")
		} else if _, err := jsruntime.Compile(s.Code); err != nil {
			r.errs = append(r.errs, codeError(p+".code", s.Code, err))
		}
		if t := s.Timeout.Value(); t > jsruntime.MaxTimeout {
			r.errorf(p+".timeout", "%q is over the code step's limit of %s", s.Timeout, jsruntime.MaxTimeout)
		}
		if s.MemoryMB != 0 && (s.MemoryMB < 1 || s.MemoryMB > jsruntime.MaxMemoryMB) {
			r.errorf(p+".memory_mb", "must be between 1 and %d, got %d", jsruntime.MaxMemoryMB, s.MemoryMB)
		}
	},
	edges: continues,
}

// codeError reports a script's syntax error at path with its line:column
// and a caret under it.
func codeError(path, src string, err error) Error {
	var je *jsruntime.Error
	if !errors.As(err, &je) || je.Line == 0 {
		return Error{Path: path, Message: err.Error()}
	}
	e := Error{Path: path, Message: je.Message, Position: fmt.Sprintf("%d:%d", je.Line, je.Column)}
	if lines := strings.Split(src, "\n"); je.Line <= len(lines) {
		e.Snippet = "\n | " + lines[je.Line-1] + "\n | " + strings.Repeat(".", max(je.Column-1, 0)) + "^"
	}
	return e
}
