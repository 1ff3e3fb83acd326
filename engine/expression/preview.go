package expression

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Previews: what a field of the workflow editor gives against sample data,
// evaluated by the same compiler and scope rules as a run (exact numbers,
// strict template paths), so the editor never re-implements expr. A
// preview runs outside workflow code, on data the user typed or captured,
// so it is bounded by wall-clock time as well as by work.

// PreviewKind says how a previewed source is read.
type PreviewKind string

// The kinds of preview.
const (
	// PreviewExpression is an expression giving any value (foreach items,
	// a switch value).
	PreviewExpression PreviewKind = "expression"
	// PreviewCondition is an expression read as true or false (filter,
	// branch, loop until): null is false, a non-boolean is an error.
	PreviewCondition PreviewKind = "condition"
	// PreviewTemplate is a JSON value whose strings are templates.
	PreviewTemplate PreviewKind = "template"
	// PreviewMapping is a map step's mapping object.
	PreviewMapping PreviewKind = "mapping"
)

// PreviewKinds lists the valid kinds, for error messages.
var PreviewKinds = []PreviewKind{PreviewExpression, PreviewCondition, PreviewTemplate, PreviewMapping}

// PreviewTimeout bounds the wall-clock time of one preview.
const PreviewTimeout = DefaultTimeout

// PathWarning is a path a previewed source reads that the sample data does
// not contain: a misspelt field, or one this sample lacks.
type PathWarning struct {
	// Path is the path as written, in dotted form.
	Path string `json:"path"`
	// Suggest is the closest existing path, when one is close.
	Suggest string `json:"suggest,omitempty"`
	Message string `json:"message"`
	// Position is "line:col" in the source, when known.
	Position string `json:"position,omitempty"`
}

// PreviewResult is the outcome of Preview: the value, or the evaluation
// error (with its position), and the path warnings either way.
type PreviewResult struct {
	Value    any           `json:"value"`
	Error    *Error        `json:"-"`
	Warnings []PathWarning `json:"warnings"`
}

// ErrPreviewKind is returned by Preview for a kind it does not know, or a
// source of the wrong JSON type for its kind.
var ErrPreviewKind = errors.New("bad preview request")

// Preview evaluates src as kind over data (roots as in the package doc)
// at now, under DefaultWork and PreviewTimeout. An evaluation error is
// part of the result, not the returned error, which only reports a
// request that cannot be previewed at all (ErrPreviewKind).
func (c *Compiler) Preview(kind PreviewKind, src any, data map[string]any, now time.Time) (PreviewResult, error) {
	s := NewScope(data, now).WithExactNumbers().WithStrictPaths().WithBudget(Budget{Timeout: PreviewTimeout})
	res := PreviewResult{Warnings: []PathWarning{}}
	var err error
	switch kind {
	case PreviewExpression, PreviewCondition:
		str, ok := src.(string)
		if !ok {
			return res, fmt.Errorf("%w: the source of a %s preview must be a string", ErrPreviewKind, kind)
		}
		for _, u := range ExprPaths(str) {
			res.addWarning(s.env, u.Path, u.Position())
		}
		var e *Expr
		if e, err = c.Expr(str); err == nil {
			if kind == PreviewCondition {
				res.Value, err = e.EvalBool(s)
			} else {
				res.Value, err = e.Eval(s)
			}
		}
	case PreviewTemplate:
		walkStrings(src, func(str string) {
			for _, u := range TemplatePaths(str) {
				res.addWarning(s.env, u.Path, u.Position())
			}
		})
		res.Value, err = c.Render(src, s)
	case PreviewMapping:
		m, ok := src.(map[string]any)
		if !ok {
			return res, fmt.Errorf("%w: the source of a mapping preview must be an object", ErrPreviewKind)
		}
		walkStrings(m, func(str string) {
			if IsTemplate(str) {
				for _, u := range TemplatePaths(str) {
					res.addWarning(s.env, u.Path, u.Position())
				}
			} else if plainGJSONPath(str) {
				res.addWarning(s.env, strings.Split(str, "."), "")
			}
		})
		res.Value, err = c.Map(m, s)
	default:
		return res, fmt.Errorf("%w: unknown kind %q", ErrPreviewKind, kind)
	}
	if err != nil {
		res.Value = nil
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Message: err.Error()}
		}
		res.Error = e
	}
	return res, nil
}

// Position returns the use's "line:col".
func (p PathUse) Position() string { return (&Error{Line: p.Line, Column: p.Column}).Position() }

// addWarning records path when data lacks it. Only paths under a root the
// data has (the sample event, a step whose output is known) are checked:
// a step with no output in the preview data has simply not been tried.
func (r *PreviewResult) addWarning(data map[string]any, path []string, pos string) {
	if len(path) < 2 {
		return
	}
	switch path[0] {
	case RootTrigger, RootVars:
		if data[path[0]] == nil {
			return
		}
	case RootSteps:
		steps, _ := data[RootSteps].(map[string]any)
		if _, ok := steps[path[1]]; !ok || len(path) < 3 {
			return
		}
	default:
		return
	}
	miss := missingPath(data, path)
	if miss == nil {
		return
	}
	full := strings.Join(path, ".")
	for _, w := range r.Warnings {
		if w.Path == full {
			return
		}
	}
	var where string
	switch path[0] {
	case RootTrigger:
		where = "the sample event"
	case RootSteps:
		where = "the sample output of step " + path[1]
	default:
		where = "the workflow's vars"
	}
	msg := fmt.Sprintf("%s is not in %s", full, where)
	if miss.Suggest != "" {
		msg += fmt.Sprintf("; did you mean %s?", miss.Suggest)
	}
	r.Warnings = append(r.Warnings, PathWarning{Path: full, Suggest: miss.Suggest, Message: msg, Position: pos})
}

// walkStrings calls fn for every string in a JSON value, keys sorted.
func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkStrings(x[k], fn)
		}
	}
}

// plainGJSONPath reports whether a mapping string is a gjson path of
// plain keys under a root (trigger.customer.name), the only kind a
// warning can name precisely.
func plainGJSONPath(p string) bool {
	root, _, ok := strings.Cut(p, ".")
	return ok && isRoot(root) && !strings.ContainsAny(p, `*?|#@\!=<>%()[]{},:" `)
}

// ReadPaths returns every path with constant keys that an expression
// reads, in source order, including the ones ExprPaths leaves out because
// the expression expects them to be absent (x != nil, default(x, …)): it
// is for showing the values a condition saw, not for warnings.
func ReadPaths(src string) []PathUse {
	inner, offset := src, 0
	if t, err := parseTemplate(src); err == nil && t.single() {
		inner, offset = t.parts[0].src, t.parts[0].offset
	}
	tree, err := parser.Parse(inner)
	if err != nil {
		return nil
	}
	v := &pathVisitor{guarded: map[ast.Node]bool{}, inner: map[ast.Node]bool{}}
	ast.Walk(&tree.Node, v)
	base := utf8.RuneCountInString(src[:offset])
	var out []PathUse
	seen := map[string]bool{}
	for _, m := range v.members {
		if v.inner[m] {
			continue
		}
		path := memberPath(m)
		key := strings.Join(path, ".")
		if seen[key] {
			continue
		}
		seen[key] = true
		e := &Error{}
		e.place(src, base+chainStart(m))
		out = append(out, PathUse{Path: path, Line: e.Line, Column: e.Column, Snippet: e.Snippet})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

// ValueAt walks path (a root and its keys, as in PathUse) through data:
// object keys and array indexes. ok is false when a key is absent.
func ValueAt(data map[string]any, path []string) (v any, ok bool) {
	if len(path) == 0 {
		return nil, false
	}
	if missingPath(data, path) != nil {
		return nil, false
	}
	cur := data[path[0]]
	for _, key := range path[1:] {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[key]
		case []any:
			n, _ := strconv.Atoi(key)
			cur = x[n]
		default:
			return nil, false
		}
	}
	return cur, true
}
