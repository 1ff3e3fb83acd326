package definition

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
)

// fields checks values against a spec's fields: required present, no
// unknown names, literal types, enums and patterns right; templated
// values are checked as templates (a typed one is trusted for its type).
func (r *run) fields(path string, values map[string]any, fields []connectors.Field, n *node, ctx expression.Context) {
	byName := map[string]connectors.Field{}
	for _, f := range fields {
		byName[f.Name] = f
		if _, ok := values[f.Name]; !ok && f.Required && f.Default == nil {
			r.errorf(path, "missing required field %q", f.Name)
		}
	}
	for _, k := range sortedKeys(values) {
		fp := join(path, k)
		f, ok := byName[k]
		if !ok {
			msg := fmt.Sprintf("unknown field %q", k)
			best, bestDist := "", 3
			for name := range byName {
				if d := connectors.EditDistance(k, name); d < bestDist || d == bestDist && name < best {
					best, bestDist = name, d
				}
			}
			if best != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", best)
			}
			r.errorf(fp, "%s", msg)
			r.templates(fp, values[k], n, ctx)
			continue
		}
		r.fieldValue(fp, values[k], f, n, ctx)
	}
}

func (r *run) fieldValue(path string, v any, f connectors.Field, n *node, ctx expression.Context) {
	if s, ok := v.(string); ok && expression.IsTemplate(s) {
		typed, _ := r.template(path, s, n, ctx)
		if !typed && f.Type != connectors.TypeString && f.Type != connectors.TypeAny && f.Type != "" {
			r.errorf(path, "want %s, but text around {{ }} always renders a string", fieldKind(f.Type))
		}
		return
	}
	got := literalKind(v)
	switch f.Type {
	case connectors.TypeAny, "":
	case connectors.TypeInteger:
		if x, ok := v.(float64); !ok || x != float64(int64(x)) {
			r.errorf(path, "want an integer, got %s", got)
			return
		}
	case connectors.TypeNumber:
		if _, ok := v.(float64); !ok {
			r.errorf(path, "want a number, got %s", got)
			return
		}
	case connectors.TypeString:
		if _, ok := v.(string); !ok {
			r.errorf(path, "want a string, got %s", got)
			return
		}
	case connectors.TypeBoolean:
		if _, ok := v.(bool); !ok {
			r.errorf(path, "want a boolean, got %s", got)
			return
		}
	case connectors.TypeObject:
		if _, ok := v.(map[string]any); !ok {
			r.errorf(path, "want an object, got %s", got)
			return
		}
	case connectors.TypeArray:
		if _, ok := v.([]any); !ok {
			r.errorf(path, "want an array, got %s", got)
			return
		}
	}
	if s, ok := v.(string); ok {
		if len(f.Enum) > 0 && !contains(f.Enum, s) {
			r.errorf(path, "%q is not one of %s", s, quoteList(f.Enum))
		}
		if f.Pattern != "" {
			if re, err := regexp.Compile(f.Pattern); err == nil && !re.MatchString(s) {
				msg := f.PatternHelp
				if msg == "" {
					msg = "does not match " + f.Pattern
				}
				r.errorf(path, "%q: %s", s, msg)
			}
		}
	}
	r.templates(path, v, n, ctx)
}

func fieldKind(t connectors.FieldType) string {
	switch t {
	case connectors.TypeInteger:
		return "an integer"
	case connectors.TypeArray, connectors.TypeAny:
		return "an " + string(t)
	}
	return "a " + string(t)
}

func literalKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
