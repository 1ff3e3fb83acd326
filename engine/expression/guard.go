package expression

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/vm/runtime"
)

// expr-lang has no hook for cancelling a running program and checks its
// memory budget only for the elements it creates, not for the bytes of
// the strings its builtins build. budgetPatch rewrites every program
// compiled for evaluation so that its costly operations go through guard
// functions that charge the evaluation's meter (see budget.go):
//
//   - the body of every predicate (map, filter, reduce, all, …) is wrapped
//     in guardTick, so a loop is charged per iteration and can be stopped;
//   - the arguments of builtin and helper calls, and the operands of the
//     operators that compare or search whole values, are wrapped in
//     guardArg, which charges their size;
//   - builtins whose result can be far larger than their arguments
//     (repeat, replace, join, concat, flatten, toJSON, string, toBase64 and
//     the json and get helpers) and the + operator go through guardCall and
//     guardAdd, which check the size before anything is allocated.
//
// The guard functions find the meter through the identifier meterName,
// which each evaluation binds in its own copy of the environment. The
// names cannot be written in a definition: validation compiles against a
// typed environment that does not have them.
const (
	meterName      = "__hf_meter"
	guardTickName  = "__hf_tick"
	guardArgName   = "__hf_arg"
	guardResName   = "__hf_res"
	guardCallName  = "__hf_call"
	guardAddName   = "__hf_add"
	guardRangeName = "__hf_range"
)

// budgetPatch is the AST visitor described above.
type budgetPatch struct{}

// predicateBuiltins take a closure; their first argument is the list.
var predicateBuiltins = map[string]bool{
	"all": true, "none": true, "any": true, "one": true, "filter": true, "map": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true,
	"count": true, "sum": true, "groupBy": true, "sortBy": true, "reduce": true,
}

// guardedCalls can build a value much larger than their arguments.
var guardedCalls = map[string]bool{
	"repeat": true, "replace": true, "join": true, "concat": true, "flatten": true,
	"toJSON": true, "string": true, "toBase64": true, "json": true, "get": true,
}

// wholeValueOperators read all of both operands.
var wholeValueOperators = map[string]bool{
	"==": true, "!=": true, "in": true, "contains": true, "startsWith": true,
	"endsWith": true, "matches": true,
}

func ident(name string) ast.Node { return &ast.IdentifierNode{Value: name} }

// guardNode calls fn(meter, args…) at the place of the node it replaces
// or wraps, so a runtime error still points at what the author wrote.
func guardNode(at ast.Node, fn string, args ...ast.Node) ast.Node {
	call := &ast.CallNode{Callee: ident(fn), Arguments: append([]ast.Node{ident(meterName)}, args...)}
	call.SetLocation(at.Location())
	return call
}

func wrapArgs(args []ast.Node) {
	for i, a := range args {
		if _, ok := a.(*ast.PredicateNode); ok {
			continue
		}
		args[i] = guardNode(a, guardArgName, a)
	}
}

func (budgetPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		n.Node = guardNode(n.Node, guardTickName, n.Node)
	case *ast.BuiltinNode:
		switch {
		case guardedCalls[n.Name]:
			args := append([]ast.Node{&ast.StringNode{Value: n.Name}}, n.Arguments...)
			*node = guardNode(n, guardCallName, args...)
		case n.Name == "len" || n.Name == "type":
			// Constant time, whatever the argument's size.
		default:
			if predicateBuiltins[n.Name] && len(n.Arguments) > 0 {
				n.Arguments[0] = guardNode(n.Arguments[0], guardArgName, n.Arguments[0])
			} else {
				wrapArgs(n.Arguments)
			}
			*node = guardNode(n, guardResName, n)
		}
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok || strings.HasPrefix(id.Value, "__hf_") {
			return
		}
		if guardedCalls[id.Value] {
			args := append([]ast.Node{&ast.StringNode{Value: id.Value}}, n.Arguments...)
			*node = guardNode(n, guardCallName, args...)
			return
		}
		wrapArgs(n.Arguments)
		*node = guardNode(n, guardResName, n)
	case *ast.BinaryNode:
		switch {
		case n.Operator == "+":
			*node = guardNode(n, guardAddName, n.Left, n.Right)
		case n.Operator == "..":
			*node = guardNode(n, guardRangeName, n.Left, n.Right)
		case wholeValueOperators[n.Operator]:
			n.Left = guardNode(n.Left, guardArgName, n.Left)
			n.Right = guardNode(n.Right, guardArgName, n.Right)
		}
	}
}

// guardOptions declare the guard functions; only programs compiled for
// evaluation get them, with the patch.
var guardOptions = []expr.Option{
	expr.Function(guardTickName, guardTick),
	expr.Function(guardArgName, guardArg),
	expr.Function(guardResName, guardRes),
	expr.Function(guardCallName, guardCall),
	expr.Function(guardAddName, guardAdd),
	expr.Function(guardRangeName, guardRange),
	expr.Patch(budgetPatch{}),
}

// meterOf takes the meter from a guard call's first argument. A program
// compiled with the patch always passes it; a missing one means a caller
// ran such a program without a meter, which is a bug, reported as such.
func meterOf(args []any) (*meter, error) {
	if len(args) > 0 {
		if m, ok := args[0].(*meter); ok {
			return m, nil
		}
	}
	return nil, fmt.Errorf("internal error: expression evaluated without a budget")
}

func guardTick(args ...any) (any, error) {
	m, err := meterOf(args)
	if err != nil {
		return nil, err
	}
	return args[1], m.charge(costIteration)
}

// guardArg charges the size of a value an operation reads: for lists and
// objects the whole tree, which is what comparing, searching or encoding
// them costs. The walk itself stops at what the meter has left.
func guardArg(args ...any) (any, error) {
	m, err := meterOf(args)
	if err != nil {
		return nil, err
	}
	return args[1], m.charge(readCost(m, args[1]))
}

func readCost(m *meter, v any) int {
	switch x := v.(type) {
	case nil, bool, int, float64:
		return 1
	case string:
		return len(x)
	}
	limit := m.limits.MaxInputBytes
	if m.work < int64(limit) {
		limit = int(max(m.work, 0))
	}
	return sizeOf(v, limit)
}

// guardRes charges a call and the shallow size of its result, and bounds
// the result's size.
func guardRes(args ...any) (any, error) {
	m, err := meterOf(args)
	if err != nil {
		return nil, err
	}
	v := args[1]
	n, built := costCall, 0
	switch x := v.(type) {
	case string:
		if len(x) > m.limits.MaxOutputBytes {
			return nil, m.fail(BudgetSize, "result larger than %s", byteSize(m.limits.MaxOutputBytes))
		}
		n, built = n+len(x), len(x)
	case []any:
		n, built = n+len(x), 16*len(x)
	case map[string]any:
		n, built = n+len(x), 16*len(x)
	}
	// What a call returns is built memory too: a loop of upper() calls
	// allocates as fast as repeat() does, and the garbage collector's
	// work it makes slows every other workflow of the process.
	m.built += built
	if m.built > m.limits.MaxBuildBytes {
		return nil, m.fail(BudgetSize, "expression builds more than %s of text and lists", byteSize(m.limits.MaxBuildBytes))
	}
	if s, ok := v.(string); ok {
		if err := m.buildText(len(s)); err != nil {
			return nil, err
		}
	}
	return v, m.charge(n)
}

// guardAdd is the + operator with its size checked before a string or
// list is built; numbers and times add as expr adds them.
func guardAdd(args ...any) (any, error) {
	m, err := meterOf(args)
	if err != nil {
		return nil, err
	}
	a, b := args[1], args[2]
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			if err := m.build(len(x) + len(y)); err != nil {
				return nil, err
			}
			return x + y, nil
		}
	case []any:
		if y, ok := b.([]any); ok {
			if err := m.grow(len(x) + len(y)); err != nil {
				return nil, err
			}
			return append(append(make([]any, 0, len(x)+len(y)), x...), y...), nil
		}
	}
	if err := m.charge(costCall); err != nil {
		return nil, err
	}
	return runtime.Add(a, b), nil
}

// guardRange builds a..b. expr's own memory budget would refuse a huge
// range too, but only after the meter could have charged for it.
func guardRange(args ...any) (any, error) {
	m, err := meterOf(args)
	if err != nil {
		return nil, err
	}
	lo, hi := runtime.ToInt(args[1]), runtime.ToInt(args[2])
	size := hi - lo + 1
	if size < 0 {
		size = 0
	}
	if size > maxElements {
		return nil, m.fail(BudgetValues, "range %d..%d has %d numbers, over the limit of %d", lo, hi, size, maxElements)
	}
	if err := m.grow(size); err != nil {
		return nil, err
	}
	return runtime.MakeRange(lo, hi), nil
}

// maxElements is expr's memory budget (conf.DefaultMemoryBudget), which
// the VM applies to the elements of lists and maps an evaluation creates.
const maxElements = 1_000_000

// guardCall checks what a size-amplifying builtin would build, then calls
// it: guardCall(meter, "name", args…).
func guardCall(args ...any) (any, error) {
	m, err := meterOf(args)
	if err != nil {
		return nil, err
	}
	name, _ := args[1].(string)
	rest := args[2:]
	if err := m.charge(costCall); err != nil {
		return nil, err
	}
	size, err := buildSize(m, name, rest)
	if err != nil {
		return nil, err
	}
	if name == "concat" || name == "flatten" {
		err = m.grow(size)
	} else {
		err = m.build(size)
	}
	if err != nil {
		return nil, err
	}
	switch name {
	case "json":
		return fnJSON(rest...)
	case "get":
		return fnGet(rest...)
	}
	return callBuiltin(name, rest)
}

// buildSize is an upper bound of the bytes a guarded call allocates.
func buildSize(m *meter, name string, args []any) (int, error) {
	str := func(i int) string {
		if i < len(args) {
			s, _ := args[i].(string)
			return s
		}
		return ""
	}
	over := m.limits.MaxOutputBytes + 1
	switch name {
	case "repeat":
		n := 0
		if len(args) > 1 {
			n = runtime.ToInt(args[1])
		}
		s := str(0)
		if n <= 0 || len(s) == 0 {
			return 0, nil
		}
		if len(s) > over/n {
			return over, nil
		}
		return len(s) * n, nil
	case "replace":
		s, old, repl := str(0), str(1), str(2)
		if len(repl) <= len(old) {
			return len(s), nil
		}
		count := utf8.RuneCountInString(s) + 1
		if old != "" {
			count = strings.Count(s, old)
		}
		if len(args) == 4 {
			if limit := runtime.ToInt(args[3]); limit >= 0 && limit < count {
				count = limit
			}
		}
		grow := len(repl) - len(old)
		if count > 0 && grow > over/count {
			return over, nil
		}
		return len(s) + count*grow, nil
	case "join":
		list, _ := args[0].([]any)
		sep := str(1)
		total := 0
		for _, e := range list {
			s, _ := e.(string)
			total += len(s) + len(sep)
			if total > over {
				return over, nil
			}
		}
		return total, nil
	case "toBase64":
		return (len(str(0)) + 2) / 3 * 4, nil
	case "concat":
		total := 0
		for _, a := range args {
			total += listLen(a)
		}
		return total, nil
	case "flatten":
		total := 0
		if len(args) > 0 && !flatCount(args[0], &total, 0) {
			return maxElements + 1, nil
		}
		return total, nil
	case "toJSON", "string", "json":
		if len(args) == 0 {
			return 0, nil
		}
		// toJSON indents: allow for the spaces.
		return sizeOf(args[0], over) * 2, nil
	case "get":
		if len(args) < 2 {
			return 0, nil
		}
		path, _ := args[1].(string)
		if plainPath(path) {
			return 0, nil
		}
		// A query path encodes the value first.
		if sizeOf(args[0], m.limits.MaxInputBytes) > m.limits.MaxInputBytes {
			return 0, m.fail(BudgetSize, "get: the value is larger than %s, too large to query with a path", byteSize(m.limits.MaxInputBytes))
		}
		return 0, nil
	}
	return 0, nil
}

func listLen(v any) int {
	if v == nil {
		return 0
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		return rv.Len()
	}
	return 1
}

// flatCount counts the elements flatten would produce, and reports false
// once they pass maxElements.
func flatCount(v any, n *int, depth int) bool {
	list, ok := v.([]any)
	if !ok || depth > maxWalkDepth {
		*n++
		return *n <= maxElements && depth <= maxWalkDepth
	}
	for _, e := range list {
		if !flatCount(e, n, depth+1) {
			return false
		}
	}
	return true
}

// callBuiltin calls expr's own implementation of a builtin, so a guarded
// builtin behaves exactly as documented once its size is known.
func callBuiltin(name string, args []any) (any, error) {
	i, ok := builtin.Index[name]
	if !ok {
		return nil, fmt.Errorf("unknown builtin %s", name)
	}
	fn := builtin.Builtins[i]
	switch {
	case fn.Func != nil:
		return fn.Func(args...)
	case fn.Safe != nil:
		out, _, err := fn.Safe(args...)
		return out, err
	case fn.Fast != nil && len(args) == 1:
		return fn.Fast(args[0]), nil
	}
	return nil, fmt.Errorf("%s: invalid number of arguments (%d)", name, len(args))
}

// jsonText encodes v after checking its size, for helpers that turn values
// into text.
func jsonText(v any, limit int) ([]byte, error) {
	if sizeOf(v, limit) > limit {
		return nil, &BudgetError{Kind: BudgetSize, Message: fmt.Sprintf("result larger than %s", byteSize(limit))}
	}
	return json.Marshal(v)
}
