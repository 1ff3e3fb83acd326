package expression

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Lookup resolves a gjson path against the data context. The first
// segment is a root ("trigger", "steps", …); the rest is any gjson path,
// including queries and modifiers ("steps.order.items.#(qty>1)#.sku",
// "trigger.tags|@reverse"). ok is false when nothing is there.
//
// Plain dotted paths ("trigger.data.object.amount", "steps.x.items.0")
// are walked directly; only paths using gjson syntax pay for encoding the
// root value to JSON.
//
// A query path over a value larger than DefaultMaxInputBytes fails rather
// than encoding it.
func Lookup(data map[string]any, path string) (v any, ok bool, err error) {
	return lookup(data, path, DefaultMaxInputBytes, false)
}

func lookup(data map[string]any, path string, maxInput int, exact bool) (v any, ok bool, err error) {
	root, rest, _ := strings.Cut(path, ".")
	value, ok := data[root]
	if !ok {
		return nil, false, fmt.Errorf("path %q: unknown root %q (want one of %s)", path, root, strings.Join(Roots, ", "))
	}
	if rest == "" {
		return value, value != nil, nil
	}
	if !plainPath(rest) && sizeOf(value, maxInput) > maxInput {
		return nil, false, &BudgetError{Kind: BudgetSize, Message: fmt.Sprintf("path %q: %s is larger than %s, too large to query", path, root, byteSize(maxInput))}
	}
	return get(value, rest, exact)
}

// get resolves a gjson path inside value; exact as in Scope.WithExactNumbers.
func get(value any, path string, exact bool) (any, bool, error) {
	if plainPath(path) {
		v, ok := walk(value, path, exact)
		return v, ok, nil
	}
	raw, err := json.Marshal(value)
	if err != nil {
		return nil, false, fmt.Errorf("encoding value for path %q: %w", path, err)
	}
	r := gjson.GetBytes(raw, path)
	if !r.Exists() {
		return nil, false, nil
	}
	return fromResult(r, exact), true, nil
}

// fromResult converts a gjson result into the JSON model (map[string]any
// objects; numbers as float64, or with exact, integers as int).
func fromResult(r gjson.Result, exact bool) any {
	switch r.Type {
	case gjson.Number:
		if exact {
			return number(json.Number(r.Raw), true)
		}
		if i, err := strconv.ParseInt(r.Raw, 10, 64); err == nil && i >= -1<<53 && i <= 1<<53 {
			return float64(i)
		}
		return r.Num
	case gjson.JSON:
		if exact {
			if v, err := DecodeJSON([]byte(r.Raw)); err == nil {
				return v
			}
		}
		var v any
		if err := json.Unmarshal([]byte(r.Raw), &v); err == nil {
			return v
		}
	}
	return r.Value()
}

// plainPath reports whether path uses only keys and array indexes, with no
// gjson wildcards, queries, modifiers or escapes.
func plainPath(path string) bool {
	if path == "" {
		return false
	}
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '#', '@', '*', '?', '|', '\\', '!', '=', '<', '>', '%', '(', ')', '[', ']', '{', '}', ',', ':', '"':
			return false
		}
	}
	return !strings.Contains(path, "..") && path[0] != '.' && path[len(path)-1] != '.'
}

func walk(value any, path string, exact bool) (any, bool) {
	cur := value
	for seg := range strings.SplitSeq(path, ".") {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[seg]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			if cur == nil {
				return nil, false
			}
			// Typed values (structs from Go callers): fall back to gjson.
			raw, err := json.Marshal(cur)
			if err != nil {
				return nil, false
			}
			r := gjson.GetBytes(raw, seg)
			if !r.Exists() {
				return nil, false
			}
			cur = fromResult(r, exact)
		}
	}
	return cur, true
}

// Map builds an object from a mapping (see the package doc): templates
// are rendered, gjson paths looked up (a missing path gives null), nested
// objects mapped recursively and other literals copied. Keys are visited
// in sorted order, so the first error is always the same one.
//
// The whole mapping evaluates under one budget of the scope's, and the
// result is plain data (no value aliases the data context).
func (c *Compiler) Map(mapping map[string]any, s *Scope) (map[string]any, error) {
	m := newMeter(s.budget, c.limits)
	out, err := c.mapObject(m, mapping, s)
	if err != nil {
		return nil, err
	}
	v, err := m.result(out)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

func (c *Compiler) mapObject(m *meter, mapping map[string]any, s *Scope) (map[string]any, error) {
	out := make(map[string]any, len(mapping))
	for _, k := range sortedKeys(mapping) {
		v, err := c.mapValue(m, mapping[k], s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

func (c *Compiler) mapValue(m *meter, v any, s *Scope) (any, error) {
	switch x := v.(type) {
	case string:
		if IsTemplate(x) {
			return c.render(m, x, s)
		}
		if err := m.charge(costCall + len(x)); err != nil {
			return nil, err
		}
		got, _, err := lookup(s.env, x, c.limits.MaxInputBytes, s.exact)
		return got, err
	case map[string]any:
		return c.mapObject(m, x, s)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := c.mapValue(m, e, s)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}
