package connectors

import (
	"fmt"
	"slices"
	"strings"
)

// Condition is a Field's When: the field applies only while the field
// named Field (a string field of the same list, usually an enum such as a
// mode) has one of Values. An absent value counts as that field's
// Default.
type Condition struct {
	Field  string   `json:"field"`
	Values []string `json:"values"`
}

// holds reports whether c is true for the values in, with fields' defaults
// standing in for absent values.
func (c *Condition) holds(fields []Field, in Values) bool {
	return slices.Contains(c.Values, conditionValue(c.Field, fields, in))
}

// problem is the message for a value given to a field whose condition does
// not hold, naming what would make it apply.
func (c *Condition) problem(fields []Field, in Values) string {
	cur := conditionValue(c.Field, fields, in)
	if cur == "" {
		cur = "not set"
	}
	return fmt.Sprintf("applies only when %s is %s (it is %s); remove this value or change %s",
		c.Field, strings.Join(c.Values, " or "), cur, c.Field)
}

func conditionValue(name string, fields []Field, in Values) string {
	if s, ok := in[name].(string); ok && s != "" {
		return s
	}
	for _, f := range fields {
		if f.Name == name {
			s, _ := f.Default.(string)
			return s
		}
	}
	return ""
}

// Applies reports whether field f applies to values in: it has no When
// condition, or its condition holds. Callers that merge stored and new
// credential values use it to drop stored values a mode change made
// irrelevant.
func Applies(f Field, fields []Field, in Values) bool {
	return f.When == nil || f.When.holds(fields, in)
}

// checkConditions returns the problems of the When conditions in one field
// list: each names a string field of the list that has no condition of its
// own, and each value is one of that field's Enum when it has one.
func checkConditions(path string, fields []Field) []string {
	byName := make(map[string]Field, len(fields))
	for _, f := range fields {
		byName[f.Name] = f
	}
	var probs []string
	for _, f := range fields {
		if f.When == nil {
			continue
		}
		fp := path + "." + f.Name + ".when"
		ctl, ok := byName[f.When.Field]
		switch {
		case !ok:
			probs = append(probs, fmt.Sprintf("%s: field %q is not declared in the same list", fp, f.When.Field))
			continue
		case ctl.Name == f.Name:
			probs = append(probs, fmt.Sprintf("%s: a field cannot depend on itself", fp))
			continue
		case ctl.Type != TypeString:
			probs = append(probs, fmt.Sprintf("%s: field %q must be a string field", fp, ctl.Name))
			continue
		case ctl.When != nil:
			probs = append(probs, fmt.Sprintf("%s: field %q has a condition of its own", fp, ctl.Name))
			continue
		}
		if len(f.When.Values) == 0 {
			probs = append(probs, fmt.Sprintf("%s: values required", fp))
		}
		for _, v := range f.When.Values {
			if len(ctl.Enum) > 0 && !slices.Contains(ctl.Enum, v) {
				probs = append(probs, fmt.Sprintf("%s: %q is not one of %s's values (%s)", fp, v, ctl.Name, strings.Join(ctl.Enum, ", ")))
			}
		}
	}
	return probs
}
