package expression

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/expr-lang/expr/builtin"

	"github.com/hookflow/hookflow/connectors"
)

// Messages for people who write workflows, not Go. expr reports problems
// in the terms of its Go runtime ("interface conversion: interface {} is
// nil, not string", "invalid operation: float64 + string", "cannot call
// nil"); rewriteMessage rewrites each one we know into what the author did and
// what to write instead, naming the part of the expression at the error's
// position. A message it does not recognise is kept as expr wrote it.

var (
	reConversion = regexp.MustCompile(`^interface conversion: interface \{\} is (.+), not (.+)$`)
	reOperation  = regexp.MustCompile(`^invalid operation: (\S+) (\S+) (\S+)$`)
	reLenArg     = regexp.MustCompile(`^invalid argument for len \(type (.+)\)$`)
	reIndex      = regexp.MustCompile(`^index out of range: (-?\d+) \(array length is (\d+)\)$`)
)

// functionNames are the functions an expression may call, for "did you
// mean" suggestions: expr's builtins (but those disabled) and ours.
var functionNames = func() []string {
	var names []string
	for _, f := range builtin.Builtins {
		if f.Name != "now" && f.Name != "get" {
			names = append(names, f.Name)
		}
	}
	return names
}()

// rewriteMessage rewrites expr's message about src (the expression alone) at
// rune offset pos.
func rewriteMessage(msg, src string, pos int) string {
	runes := []rune(src)
	if pos > len(runes) {
		pos = len(runes)
	}
	at, before := string(runes[pos:]), string(runes[:pos])
	switch {
	case msg == `unexpected token Operator("=")`:
		if strings.HasSuffix(strings.TrimRight(before, " "), "==") {
			return `unexpected "=": === is not an operator; use == to compare`
		}
		return `unexpected "=": use == to compare (a single = is not an operator)`
	case msg == "unexpected token EOF":
		return "the expression ends too early: something is missing at its end"
	case strings.HasPrefix(msg, `unknown name "`):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, `unknown name "`), `"`)
		if isCall(at, name) {
			return fmt.Sprintf("unknown function %q%s", name, didYouMean(name, allFunctions()))
		}
		return msg + didYouMean(name, Roots)
	case msg == "invalid operation: cannot call nil":
		if name := leadingName(at); name != "" {
			return fmt.Sprintf("unknown function %q%s", name, didYouMean(name, allFunctions()))
		}
	}
	if m := reConversion.FindStringSubmatch(msg); m != nil {
		got, want := kindOf(m[1]), kindOf(m[2])
		what := "a value passed to it"
		fn, arg := callAt(at)
		if fn != "" {
			what = "a value passed to " + fn + "()"
		}
		if arg != "" {
			what = arg
		}
		if m[1] == "nil" {
			fallback := `""`
			if want != "a text" {
				fallback = "fallback"
			}
			return fmt.Sprintf("%s is empty (null), but %s was expected; wrap it in default(%s, %s) if it may be absent",
				what, want, orX(arg), fallback)
		}
		hint := ""
		if want == "a text" && got == "a number" {
			hint = fmt.Sprintf("; use string(%s) to turn it into text", orX(arg))
		}
		return fmt.Sprintf("%s is %s, but %s was expected%s", what, got, want, hint)
	}
	if m := reOperation.FindStringSubmatch(msg); m != nil {
		verb, ok := operatorVerbs[m[2]]
		if !ok {
			return msg
		}
		a, b := kindOf(m[1]), kindOf(m[3])
		text := fmt.Sprintf("cannot %s %s and %s", verb, a, b)
		switch {
		case m[1] == "<nil>" || m[3] == "<nil>":
			return text + "; one side is empty (null): wrap the value that may be absent in default(x, fallback)"
		case m[2] == "+" && (a == "a text") != (b == "a text") && (a == "a number" || b == "a number"):
			return text + `; use string(x) to join a number to a text, or float(x) to read a number from a text`
		case m[2] == "%" && (a == "a number" && b == "a number"):
			return "cannot take the remainder of a number with a fraction; use int(x) % n"
		case a == "a text" || b == "a text":
			return text + "; use float(x) to read a number from a text, or string(x) to compare as text"
		}
		return text
	}
	if m := reLenArg.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("len() needs a text, a list or an object, but got %s", kindOf(m[1]))
	}
	if m := reIndex.FindStringSubmatch(msg); m != nil {
		n := "items"
		if m[2] == "1" {
			n = "item"
		}
		return fmt.Sprintf("there is no item %s: the list has %s %s (the first is 0)", m[1], m[2], n)
	}
	return msg
}

// operatorVerbs names what an operator does, for "cannot add a and b".
var operatorVerbs = map[string]string{
	"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "%": "take the remainder of",
	"**": "raise", "^": "raise", "<": "compare", ">": "compare", "<=": "compare", ">=": "compare",
	"..": "make a range of",
}

// kindOf names a Go type as the author knows it.
func kindOf(goType string) string {
	switch goType {
	case "nil", "<nil>":
		return "an empty value (null)"
	case "string":
		return "a text"
	case "int", "int64", "float64", "float32", "uint", "int32":
		return "a number"
	case "bool":
		return "true or false"
	case "map[string]interface {}", "map[string]any", "map[string]interface{}":
		return "an object"
	case "[]interface {}", "[]any", "[]interface{}", "[]string":
		return "a list"
	case "time.Time":
		return "a date"
	case "time.Duration":
		return "a duration"
	}
	return "a " + goType
}

func orX(arg string) string {
	if arg == "" {
		return "x"
	}
	return arg
}

// allFunctions is every callable name: expr's builtins and hookflow's.
func allFunctions() []string { return append(slices.Clone(functionNames), helperNames...) }

// leadingName is the identifier at the start of s.
func leadingName(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool { return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') })
	if end < 0 {
		return s
	}
	return s[:end]
}

// isCall reports whether s starts with name followed by "(".
func isCall(s, name string) bool {
	rest, ok := strings.CutPrefix(s, name)
	return ok && strings.HasPrefix(strings.TrimLeft(rest, " \t"), "(")
}

// callAt reads the call at the start of s: the function's name, and its
// argument's source when it has exactly one.
func callAt(s string) (fn, arg string) {
	fn = leadingName(s)
	if fn == "" || !isCall(s, fn) {
		return "", ""
	}
	rest := strings.TrimLeft(strings.TrimPrefix(s, fn), " \t")[1:]
	depth, quote := 0, rune(0)
	for i, r := range rest {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '(' || r == '[' || r == '{':
			depth++
		case r == ')' && depth == 0:
			return fn, strings.TrimSpace(rest[:i])
		case r == ')' || r == ']' || r == '}':
			depth--
		case r == ',' && depth == 0:
			return fn, "" // more than one argument: we cannot tell which
		}
	}
	return fn, ""
}

// didYouMean suggests the closest of names to name, or "".
func didYouMean(name string, names []string) string {
	// Two edits (a transposition is two) or a third of the name, whichever
	// is more, still reads as a typo.
	best, bestD := "", max(2, len([]rune(name))/3)+1
	for _, n := range names {
		if n == name {
			continue
		}
		d := connectors.EditDistance(strings.ToLower(name), strings.ToLower(n))
		if strings.EqualFold(n, name) {
			d = 0
		}
		if d < bestD || (d == bestD && best != "" && n < best) {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", best)
}
