package expression

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Strict paths (interpreter version 8). A template part that is a bare
// path, {{ trigger.customer.nmae }}, used to render a misspelt or absent
// field as "" (or null), so a run "completed" and Slack received "From ".
// In a strict scope such a part is an error when the path is missing from
// the data; a field that is present with the value null still renders as
// null. An author who expects a field to be absent at times says so with
// default(trigger.customer.name, "") or coalesce(...), which are not bare
// paths. Only templates are strict: conditions (`trigger.x != nil`) and
// mappings (gjson paths, documented to give null) are unchanged.

// WithStrictPaths returns a copy of the scope in which a template part that
// is a bare path fails when the path is missing (see MissingPathError).
func (s *Scope) WithStrictPaths() *Scope {
	c := *s
	c.strict = true
	return &c
}

// barePath returns the root and keys of src when it is nothing but a path
// such as trigger.customer.name, steps["crm"].id or item.lines[0].sku;
// nil otherwise.
func barePath(src string) []string {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	if m, ok := tree.Node.(*ast.MemberNode); ok {
		return memberPath(m)
	}
	return nil
}

func isRoot(name string) bool {
	for _, r := range Roots {
		if r == name {
			return true
		}
	}
	return false
}

// MissingPathError is a strict template's bare path that is not in the
// data. Path is the path as the author wrote it, in dotted form; Missing is
// how many of its keys exist (the first absent key is Path's key Missing).
type MissingPathError struct {
	Path    []string
	Present int
	Suggest string
}

func (e *MissingPathError) Error() string {
	full := strings.Join(e.Path, ".")
	var where string
	switch e.Path[0] {
	case RootTrigger:
		where = " from the event"
	case RootSteps:
		if e.Present < 2 {
			where = fmt.Sprintf(": step %s has not run on this path", e.Path[1])
		} else {
			where = " from the output of step " + e.Path[1]
		}
	case RootVars:
		where = " from the workflow's vars"
	case RootItem:
		where = " from the current item"
	case RootEvent:
		where = " from the event's details"
	}
	if e.Suggest != "" {
		where += fmt.Sprintf(" (did you mean %s?)", e.Suggest)
	}
	return fmt.Sprintf("%s is missing%s; wrap it in default(%s, \"\") if it may be absent", full, where, full)
}

// missingPath walks path through data and reports the first key that is
// absent, with a suggestion from the keys that are there; nil when the
// whole path exists (its value may be null).
func missingPath(data map[string]any, path []string) *MissingPathError {
	cur, ok := data[path[0]]
	if !ok {
		return &MissingPathError{Path: path}
	}
	for i, key := range path[1:] {
		var next any
		found := false
		var keys []string
		switch x := cur.(type) {
		case map[string]any:
			next, found = x[key]
			if !found {
				keys = make([]string, 0, len(x))
				for k := range x {
					keys = append(keys, k)
				}
			}
		case []any:
			if n, err := strconv.Atoi(key); err == nil && n >= 0 && n < len(x) {
				next, found = x[n], true
			}
		default:
			// Typed values (structs from Go callers) are not walked:
			// they are not JSON the author could misspell.
			if cur != nil {
				return nil
			}
		}
		if !found {
			e := &MissingPathError{Path: path, Present: i + 1}
			sort.Strings(keys)
			if s := didYouMean(key, keys); s != "" {
				e.Suggest = strings.Join(append(append([]string{}, path[:i+1]...), strings.TrimSuffix(strings.TrimPrefix(s, "; did you mean "), "?")), ".")
			}
			return e
		}
		cur = next
	}
	return nil
}

// PathUse is a path into the data context that an expression or template
// reads with constant keys, such as trigger.customer.name, with where it
// is written (Line, Column and Snippet as in Error).
type PathUse struct {
	Path         []string
	Line, Column int
	Snippet      string
}

// String is the path in dotted form.
func (p PathUse) String() string { return strings.Join(p.Path, ".") }

// ExprPaths returns the paths an expression reads, in source order, but
// not the ones it expects may be absent: arguments of default() and
// coalesce(), the left side of ??, and values compared with nil. A
// longer path hides its prefixes (trigger.a.b, not also trigger.a). Paths
// through computed keys stop before them (trigger.items[i].sku reads
// trigger.items). src must compile; an unparsable one gives nil.
func ExprPaths(src string) []PathUse {
	inner, offset := src, 0
	if t, err := parseTemplate(src); err == nil && t.single() {
		inner, offset = t.parts[0].src, t.parts[0].offset
	}
	return paths(src, inner, offset)
}

// TemplatePaths returns the paths the {{ }} parts of a template read (see
// ExprPaths).
func TemplatePaths(src string) []PathUse {
	t, err := parseTemplate(src)
	if err != nil {
		return nil
	}
	var out []PathUse
	for _, p := range t.parts {
		if p.src != "" {
			out = append(out, paths(src, p.src, p.offset)...)
		}
	}
	return out
}

func paths(full, inner string, offset int) []PathUse {
	tree, err := parser.Parse(inner)
	if err != nil {
		return nil
	}
	v := &pathVisitor{guarded: map[ast.Node]bool{}, inner: map[ast.Node]bool{}}
	ast.Walk(&tree.Node, v)
	base := utf8.RuneCountInString(full[:offset])
	var out []PathUse
	for _, m := range v.members {
		if v.guarded[m] || v.inner[m] {
			continue
		}
		path := memberPath(m)
		e := &Error{}
		e.place(full, base+chainStart(m))
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

// pathVisitor collects member chains over a root with constant keys,
// the chains nested in longer ones, and the nodes that are guarded.
type pathVisitor struct {
	members []*ast.MemberNode
	guarded map[ast.Node]bool
	inner   map[ast.Node]bool
}

func (v *pathVisitor) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.MemberNode:
		if memberPath(n) != nil {
			v.members = append(v.members, n)
			if inner, ok := n.Node.(*ast.MemberNode); ok {
				v.inner[inner] = true
			}
		}
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && (id.Value == "default" || id.Value == "coalesce") {
			for i := range n.Arguments {
				v.guard(&n.Arguments[i])
			}
		}
	case *ast.BinaryNode:
		switch {
		case n.Operator == "??":
			v.guard(&n.Left)
		case n.Operator == "==" || n.Operator == "!=":
			if _, ok := n.Right.(*ast.NilNode); ok {
				v.guard(&n.Left)
			}
			if _, ok := n.Left.(*ast.NilNode); ok {
				v.guard(&n.Right)
			}
		}
	}
}

// guard marks every member node under node as guarded.
func (v *pathVisitor) guard(node *ast.Node) {
	ast.Walk(node, guardVisitor(v.guarded))
}

type guardVisitor map[ast.Node]bool

func (g guardVisitor) Visit(node *ast.Node) {
	if m, ok := (*node).(*ast.MemberNode); ok {
		g[m] = true
	}
}

// chainStart is the rune offset of a member chain's root identifier.
func chainStart(m *ast.MemberNode) int {
	var node ast.Node = m
	for {
		n, ok := node.(*ast.MemberNode)
		if !ok {
			return node.Location().From
		}
		node = n.Node
	}
}

// memberPath is the root and constant keys of a member chain, or nil.
func memberPath(m *ast.MemberNode) []string {
	var rev []string
	var node ast.Node = m
	for {
		switch n := node.(type) {
		case *ast.MemberNode:
			switch p := n.Property.(type) {
			case *ast.StringNode:
				rev = append(rev, p.Value)
			case *ast.IntegerNode:
				rev = append(rev, strconv.Itoa(p.Value))
			default:
				return nil
			}
			node = n.Node
			continue
		case *ast.IdentifierNode:
			if !isRoot(n.Value) {
				return nil
			}
			path := []string{n.Value}
			for i := len(rev) - 1; i >= 0; i-- {
				path = append(path, rev[i])
			}
			return path
		}
		return nil
	}
}
