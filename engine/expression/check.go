package expression

import (
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
)

// Context says which roots a field's expressions may use. trigger, event,
// steps, vars and now() are always available.
type Context struct {
	Loop     bool // inside a foreach body: item and index
	Received bool // wait_for_event.match: received
}

// Ref is a reference to a named member of the steps or vars root, such as
// steps.crm or vars["channel"], found by Check so that validation can
// resolve it. Line and Column locate it in the source as written.
type Ref struct {
	Root   string // RootSteps or RootVars
	Name   string
	Line   int
	Column int
	// Snippet is the caret display for the reference, as in Error.
	Snippet string
}

// Position returns "line:col".
func (r Ref) Position() string { return (&Error{Line: r.Line, Column: r.Column}).Position() }

// CheckExpr compiles an expression strictly against ctx (a misspelt root
// or a root not available here is an error) without caching it, and
// returns the steps.<id> and vars.<name> references it makes.
func (c *Compiler) CheckExpr(src string, ctx Context) ([]Ref, error) {
	e, err := c.compileExpr(src, checkOptions(ctx))
	if err != nil {
		return nil, err
	}
	if err := noEnvRoot(e.program.Node(), src, e.offset); err != nil {
		return nil, err
	}
	return refs(e.program.Node(), src, e.offset), nil
}

// CheckTemplate compiles a template strictly against ctx and returns its
// references; typed reports whether it renders a typed value (one {{ }}).
// A string without {{ is a literal: no references, typed false.
func (c *Compiler) CheckTemplate(src string, ctx Context) (refsOut []Ref, typed bool, err error) {
	t, err := c.compileTemplate(src, checkOptions(ctx))
	if err != nil {
		return nil, false, err
	}
	for _, p := range t.parts {
		if p.program != nil {
			if err := noEnvRoot(p.program.program.Node(), src, p.offset); err != nil {
				return nil, false, err
			}
			refsOut = append(refsOut, refs(p.program.program.Node(), src, p.offset)...)
		}
	}
	return refsOut, t.typed, nil
}

// CheckPath checks a mapping's gjson path: its first segment must be a
// root available in ctx. It returns the steps/vars reference it makes.
func CheckPath(path string, ctx Context) ([]Ref, error) {
	root, rest, _ := cutSegment(path)
	switch root {
	case RootTrigger, RootEvent:
		return nil, nil
	case RootSteps, RootVars:
		name, _, _ := cutSegment(rest)
		if name == "" || !plainKey(name) {
			return nil, nil
		}
		return []Ref{newRef(root, name, path, len(root)+1)}, nil
	case RootItem, RootIndex:
		if ctx.Loop {
			return nil, nil
		}
		return nil, newError(path, 0, "%s is only available inside a foreach body", root)
	}
	return nil, newError(path, 0, "path %q must start with trigger, event, steps or vars (or item/index inside foreach); write {{ … }} for a template", path)
}

func cutSegment(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' || s[i] == '|' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func plainKey(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func newRef(root, name, src string, byteOffset int) Ref {
	e := &Error{}
	e.place(src, utf8.RuneCountInString(src[:byteOffset]))
	return Ref{Root: root, Name: name, Line: e.Line, Column: e.Column, Snippet: e.Snippet}
}

// refs collects steps.<id> and vars.<name> member accesses (dotted or with
// a string index) from an AST compiled from the expression at byte offset
// in full.
func refs(node ast.Node, full string, offset int) []Ref {
	v := &refVisitor{full: full, base: utf8.RuneCountInString(full[:offset])}
	ast.Walk(&node, v)
	return v.refs
}

type refVisitor struct {
	full string
	base int
	refs []Ref
}

func (v *refVisitor) Visit(node *ast.Node) {
	m, ok := (*node).(*ast.MemberNode)
	if !ok {
		return
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	if !ok || (id.Value != RootSteps && id.Value != RootVars) {
		return
	}
	prop, ok := m.Property.(*ast.StringNode)
	if !ok {
		return
	}
	loc := m.Property.Location()
	if loc == (file.Location{}) {
		loc = m.Location()
	}
	e := &Error{}
	e.place(v.full, v.base+loc.From)
	v.refs = append(v.refs, Ref{Root: id.Value, Name: prop.Value, Line: e.Line, Column: e.Column, Snippet: e.Snippet})
}

// noEnvRoot refuses expr's $env, the whole environment: rendered into a
// step output it would hold the data context itself, and it names nothing
// that trigger, event, steps and vars do not.
func noEnvRoot(node ast.Node, full string, offset int) error {
	v := &envVisitor{}
	ast.Walk(&node, v)
	if v.at == nil {
		return nil
	}
	return newError(full, utf8.RuneCountInString(full[:offset])+v.at.From,
		"$env is not available: use trigger, event, steps or vars")
}

type envVisitor struct{ at *file.Location }

func (v *envVisitor) Visit(node *ast.Node) {
	if id, ok := (*node).(*ast.IdentifierNode); ok && id.Value == "$env" && v.at == nil {
		loc := id.Location()
		v.at = &loc
	}
}
