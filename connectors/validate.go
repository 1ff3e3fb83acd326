package connectors

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// FieldError is one problem with one field. Path is the field's location,
// such as "input.channel"; Problem says what is wrong without repeating the
// value, which may be secret.
type FieldError struct {
	Path    string
	Field   string
	Problem string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Problem }

// ValidationError lists every field problem found in one set of values, in
// field order.
type ValidationError struct {
	Errors []*FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Error()
	}
	return strings.Join(parts, "; ")
}

// fieldError is a *ValidationError with one problem.
func fieldError(path, field, problem string) error {
	return &ValidationError{Errors: []*FieldError{{Path: path, Field: field, Problem: problem}}}
}

// ValidateInput checks an action's input against its fields and returns a
// copy with defaults applied and numbers normalised (integers as int64,
// numbers as float64). Errors are a *ValidationError whose paths start with
// "input.": "input.channel: required", "input.amount: want integer, got
// string", "input.mode: must be one of a, b". Unknown fields are refused, so
// a typo does not silently drop a value.
func ValidateInput(fields []Field, in Values) (Values, error) {
	return validateValues("input", fields, in, nil, useSave)
}

// ValidateCredential checks credential values the way a credential is
// saved, with paths starting with "credential.". A "base_url" value
// (BaseURLField) is always accepted here; Spec.CredentialBaseURL decides
// whether its host is honoured. Fields only actions read (Field.ForActions)
// are not required here, so a credential used only for a trigger holds only
// the trigger's secret; a value for a field whose Field.When condition does
// not hold is refused ("applies only when auth is hmac").
func ValidateCredential(fields []Field, in Values) (Values, error) {
	return validateValues("credential", fields, in, []string{"base_url"}, useSave)
}

// ValidateActionCredential checks a saved credential as an action step
// uses it: a Required ForActions field must be set ("credential.bot_token:
// required to run actions: …"), and values of fields whose When condition
// does not hold are dropped rather than refused, since a credential saved
// before the condition existed may still carry them.
func ValidateActionCredential(fields []Field, in Values) (Values, error) {
	return validateValues("credential", fields, in, []string{"base_url"}, useAction)
}

// ValidateOptions checks trigger options, with paths starting with
// "options.".
func ValidateOptions(fields []Field, in Values) (Values, error) {
	return validateValues("options", fields, in, nil, useSave)
}

// valuesUse says who validates a set of values, which decides what
// ForActions and When mean.
type valuesUse int

const (
	// useSave: values being saved (a credential, an action's input,
	// trigger options). ForActions fields are optional; values of fields
	// that do not apply are refused.
	useSave valuesUse = iota
	// useAction: a stored credential an action step is about to use.
	// ForActions fields are required; values of fields that do not apply
	// are dropped.
	useAction
)

// requiredForActions is the problem reported for a missing ForActions field.
const requiredForActions = "required to run actions: this credential holds only the trigger's fields; add this one to the credential"

func validateValues(prefix string, fields []Field, in Values, extra []string, use valuesUse) (Values, error) {
	out := make(Values, len(fields))
	var errs []*FieldError
	known := make(map[string]bool, len(fields))
	for _, f := range fields {
		known[f.Name] = true
		path := prefix + "." + f.Name
		v, present := in[f.Name]
		if f.When != nil && !f.When.holds(fields, in) {
			// The field does not apply (another mode is chosen): no
			// default, not required, and a value is refused on save.
			if present && v != nil && v != "" && use == useSave {
				problem := f.When.problem(fields, in)
				if _, bad := checkValue(f, v); bad != "" {
					problem = bad // a wrong value is the first thing to fix
				}
				errs = append(errs, &FieldError{Path: path, Field: f.Name, Problem: problem})
			}
			continue
		}
		required := f.Required && (!f.ForActions || use == useAction)
		missing := "required"
		if f.ForActions {
			missing = requiredForActions
		}
		if !present || v == nil {
			if f.Default != nil {
				out[f.Name] = f.Default
				continue
			}
			if required {
				errs = append(errs, &FieldError{Path: path, Field: f.Name, Problem: missing})
			}
			continue
		}
		nv, problem := checkValue(f, v)
		if problem != "" {
			errs = append(errs, &FieldError{Path: path, Field: f.Name, Problem: problem})
			continue
		}
		if nv == "" && (required || (f.ForActions && f.Required)) {
			if required {
				errs = append(errs, &FieldError{Path: path, Field: f.Name, Problem: missing})
			}
			continue
		}
		out[f.Name] = nv
	}
	unknown := make([]string, 0)
	for k := range in {
		if !known[k] {
			if slices.Contains(extra, k) {
				out[k] = in[k]
				continue
			}
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs = append(errs, &FieldError{Path: prefix + "." + k, Field: k, Problem: "unknown field" + suggest(k, fields)})
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Errors: errs}
	}
	return out, nil
}

// suggest names the closest declared field, for typos.
func suggest(name string, fields []Field) string {
	best, bestD := "", 3
	for _, f := range fields {
		if d := EditDistance(name, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// EditDistance is the Levenshtein distance between a and b, in runes:
// the one measure behind every "did you mean …?" hint hookflow gives (a
// misspelt field, step id, function or sample path).
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// typeName names the JSON type of a decoded value for error messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float32, float64, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return "number"
	case map[string]any, Values:
		return "object"
	case []any, []string, []map[string]any:
		return "array"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// checkValue checks one present value against its field and returns the
// normalised value, or a problem description.
func checkValue(f Field, v any) (any, string) {
	switch f.Type {
	case TypeString:
		s, ok := v.(string)
		if !ok {
			return nil, "want string, got " + typeName(v)
		}
		if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
			return nil, "must be one of " + strings.Join(f.Enum, ", ")
		}
		if f.Pattern != "" && s != "" {
			re, err := compilePattern(f.Pattern)
			if err != nil {
				return nil, "field pattern does not compile: " + err.Error()
			}
			if !re.MatchString(s) {
				if f.PatternHelp != "" {
					return nil, f.PatternHelp
				}
				return nil, "must match " + f.Pattern
			}
		}
		return s, ""
	case TypeInteger:
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i, ""
			}
		}
		x, ok := asFloat(v)
		if !ok {
			return nil, "want integer, got " + typeName(v)
		}
		if x != math.Trunc(x) || math.IsInf(x, 0) || x > math.MaxInt64 || x < math.MinInt64 {
			return nil, "want integer, got a fractional number"
		}
		return int64(x), ""
	case TypeNumber:
		x, ok := asFloat(v)
		if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, "want number, got " + typeName(v)
		}
		return x, ""
	case TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, "want boolean, got " + typeName(v)
		}
		return b, ""
	case TypeObject:
		switch o := v.(type) {
		case map[string]any:
			return o, ""
		case Values:
			return map[string]any(o), ""
		}
		return nil, "want object, got " + typeName(v)
	case TypeArray:
		switch v.(type) {
		case []any, []string, []map[string]any:
			return v, ""
		}
		return nil, "want array, got " + typeName(v)
	case TypeAny, "":
		return v, ""
	default:
		return nil, fmt.Sprintf("field has unknown type %q", f.Type)
	}
}

var patternCache sync.Map // pattern string → *regexp.Regexp

func compilePattern(p string) (*regexp.Regexp, error) {
	if re, ok := patternCache.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	patternCache.Store(p, re)
	return re, nil
}
