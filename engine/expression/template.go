package expression

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
)

// Template is a compiled template string.
type Template struct {
	src    string
	parts  []part
	typed  bool // exactly one {{ }} and nothing but spaces around it
	limits Limits
}

// part is literal text (program == nil) or one {{ }} expression.
type part struct {
	text    string
	src     string // the expression inside {{ }}
	offset  int    // byte offset of src in the template
	program *Expr
	// path is the root and keys when src is a bare path (see
	// WithStrictPaths), else nil.
	path []string
}

type parsedTemplate struct {
	src   string
	parts []part
}

// single reports whether the template is one {{ }} with only spaces around.
func (t *parsedTemplate) single() bool {
	n := 0
	for _, p := range t.parts {
		if p.program == nil && p.src == "" {
			if !trimmedEmpty(p.text) {
				return false
			}
			continue
		}
		n++
	}
	return n == 1
}

// IsTemplate reports whether s contains a {{ }} part. Strings that do not
// are plain literals (and, in a mapping, gjson paths).
func IsTemplate(s string) bool { return strings.Contains(s, "{{") }

// parseTemplate splits src into literal text and {{ }} expressions. The
// closing "}}" is found outside string literals and nested braces, so
// `{{ {"a": {"b": 1}} }}` and `{{ "}}" }}` parse as one would expect.
func parseTemplate(src string) (*parsedTemplate, error) {
	t := &parsedTemplate{src: src}
	i := 0
	for {
		open := strings.Index(src[i:], "{{")
		if open < 0 {
			if i < len(src) {
				t.parts = append(t.parts, part{text: src[i:]})
			}
			return t, nil
		}
		open += i
		if open > i {
			t.parts = append(t.parts, part{text: src[i:open]})
		}
		start := open + 2
		end, err := scanExpression(src, start)
		if err != nil {
			return nil, err
		}
		inner := src[start:end]
		if trimmedEmpty(inner) {
			return nil, newError(src, utf8.RuneCountInString(src[:open]), "empty {{ }}")
		}
		t.parts = append(t.parts, part{src: inner, offset: start})
		i = end + 2
	}
}

// scanExpression returns the byte index of the "}}" that closes the
// expression starting at start.
func scanExpression(src string, start int) (int, error) {
	depth := 0
	for i := start; i < len(src); i++ {
		switch c := src[i]; c {
		case '"', '\'', '`':
			j := i + 1
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' && c != '`' {
					j++
				}
			}
			if j >= len(src) {
				return 0, newError(src, utf8.RuneCountInString(src[:i]), "unterminated string in {{ }}")
			}
			i = j
		case '{', '[', '(':
			depth++
		case ']', ')':
			depth--
		case '}':
			if depth <= 0 && i+1 < len(src) && src[i+1] == '}' {
				return i, nil
			}
			depth--
		}
	}
	return 0, newError(src, utf8.RuneCountInString(src[:start-2]), "unclosed {{: missing }}")
}

// Template compiles a template, from the cache when it has been compiled
// before. A string without {{ compiles to a template that renders itself.
func (c *Compiler) Template(src string) (*Template, error) {
	c.mu.RLock()
	t, ok := c.templates[src]
	c.mu.RUnlock()
	if ok {
		return t, nil
	}
	t, err := c.compileTemplate(src, runtimeOptions)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.templates) >= c.limits.MaxCacheEntries {
		c.templates = make(map[string]*Template)
	}
	c.templates[src] = t
	c.mu.Unlock()
	return t, nil
}

func (c *Compiler) compileTemplate(src string, env []expr.Option) (*Template, error) {
	if len(src) > c.limits.MaxSourceLength {
		return nil, &Error{Message: fmt.Sprintf("template is %d bytes long, over the limit of %d", len(src), c.limits.MaxSourceLength)}
	}
	pt, err := parseTemplate(src)
	if err != nil {
		return nil, err
	}
	t := &Template{src: src, parts: pt.parts, typed: pt.single(), limits: c.limits}
	for i := range t.parts {
		p := &t.parts[i]
		if p.src == "" {
			continue
		}
		e, err := c.compileInner(src, p.src, p.offset, env)
		if err != nil {
			return nil, err
		}
		p.program = e
		p.path = barePath(p.src)
	}
	return t, nil
}

func (c *Compiler) compileInner(full, inner string, offset int, env []expr.Option) (*Expr, error) {
	program, err := compileProgram(inner, c.options(env))
	if err != nil {
		return nil, positioned(err, full, inner, offset)
	}
	return &Expr{src: full, program: program, offset: offset, limits: c.limits}, nil
}

// Source returns the template as written.
func (t *Template) Source() string { return t.src }

// Typed reports whether the template is exactly one {{ }} and so renders
// to the expression's typed value rather than to a string.
func (t *Template) Typed() bool { return t.typed }

// Render renders the template in scope, under the scope's budget: the
// typed value for a single {{ }}, otherwise the interpolated string.
func (t *Template) Render(s *Scope) (any, error) {
	m := newMeter(s.budget, t.limits)
	v, err := t.render(m, s)
	if err != nil {
		return nil, err
	}
	return m.result(v)
}

func (t *Template) render(m *meter, s *Scope) (any, error) {
	if t.typed {
		for _, p := range t.parts {
			if p.program != nil {
				return t.evalPart(m, s, p)
			}
		}
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.program == nil {
			b.WriteString(p.text)
			continue
		}
		v, err := t.evalPart(m, s, p)
		if err != nil {
			return nil, err
		}
		room := t.limits.MaxOutputBytes - b.Len()
		if sizeOf(v, room) > room {
			return nil, m.fail(BudgetSize, "result larger than %s", byteSize(t.limits.MaxOutputBytes))
		}
		if err := appendText(&b, v); err != nil {
			return nil, newError(t.src, utf8.RuneCountInString(t.src[:p.offset]), "rendering value: %v", err)
		}
		if b.Len() > t.limits.MaxOutputBytes {
			return nil, m.fail(BudgetSize, "result larger than %s", byteSize(t.limits.MaxOutputBytes))
		}
	}
	return b.String(), nil
}

// appendText writes v as mixed-text interpolation renders it.
func appendText(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case nil:
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return fmt.Errorf("%v is not a JSON number", x)
		}
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	case time.Time:
		b.WriteString(x.Format(time.RFC3339Nano))
	case time.Duration:
		b.WriteString(x.String())
	case json.Number:
		b.WriteString(x.String())
	default:
		out, err := json.Marshal(x)
		if err != nil {
			return err
		}
		b.Write(out)
	}
	return nil
}

// evalPart evaluates one {{ }} part; in a strict scope a bare path that
// gives null is checked for presence.
func (t *Template) evalPart(m *meter, s *Scope, p part) (any, error) {
	v, err := p.program.eval(m, s, p.src, p.offset)
	if err != nil || v != nil || !s.strict || p.path == nil {
		return v, err
	}
	if miss := missingPath(s.env, p.path); miss != nil {
		pos := utf8.RuneCountInString(t.src[:p.offset]) + utf8.RuneCountInString(p.src) - utf8.RuneCountInString(strings.TrimLeft(p.src, " \t\n"))
		e := newError(t.src, pos, "%s", miss.Error())
		e.Missing = miss
		return nil, e
	}
	return nil, nil
}

// Render renders every template inside a JSON value: strings containing
// {{ are rendered, objects and arrays are copied with their contents
// rendered (objects in sorted key order, so the first error is always the
// same), and other values are returned unchanged.
//
// The whole value renders under one budget of the scope's.
func (c *Compiler) Render(v any, s *Scope) (any, error) {
	m := newMeter(s.budget, c.limits)
	out, err := c.render(m, v, s)
	if err != nil {
		return nil, err
	}
	return m.result(out)
}

func (c *Compiler) render(m *meter, v any, s *Scope) (any, error) {
	switch x := v.(type) {
	case string:
		if !IsTemplate(x) {
			return x, nil
		}
		t, err := c.Template(x)
		if err != nil {
			return nil, err
		}
		return t.render(m, s)
	case map[string]any:
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			r, err := c.render(m, x[k], s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = r
		}
		return out, nil
	case map[string]string:
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			r, err := c.render(m, x[k], s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := c.render(m, e, s)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// RenderString renders a template and returns its text: typed results are
// converted as mixed text would convert them.
func (c *Compiler) RenderString(src string, s *Scope) (string, error) {
	v, err := c.Render(src, s)
	if err != nil {
		return "", err
	}
	if str, ok := v.(string); ok {
		return str, nil
	}
	var b strings.Builder
	if err := appendText(&b, v); err != nil {
		return "", fmt.Errorf("rendering value: %w", err)
	}
	return b.String(), nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
