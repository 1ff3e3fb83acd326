// Package jsruntime runs the JavaScript of code steps on goja, a pure-Go
// ECMAScript engine, under explicit budgets. It is a leaf: the definition
// validator compiles with it (syntax errors at save time) and the
// interpreter's code activity runs with it; workflow code never does,
// because a script's cost is not deterministic.
//
// A script is the body of a function: it sees trigger, steps, vars,
// event, item and index as plain JSON values (objects, arrays, strings, numbers, booleans,
// null: never live Go state) and what it returns is the step's output.
//
// # What is bounded
//
//   - CPU time: a timer interrupts the VM at Limits.Timeout ("code exceeded
//     1s"); an interrupt stops any JavaScript loop, including one inside a
//     callback of a built-in such as Array.prototype.map.
//   - Recursion: goja's call-stack limit (Limits.MaxCallStack) ends runaway
//     recursion before it exhausts the Go stack or the heap.
//   - Memory: goja has no allocator hook, so the budget is enforced in two
//     ways. The built-ins that allocate a whole result in one step from a
//     count the script chooses (String.prototype.repeat, padStart, padEnd)
//     refuse a result over the budget before allocating it; and a watchdog
//     samples the process heap every few milliseconds and interrupts the VM
//     when it has grown by more than Limits.MemoryBytes since the script
//     started (after a forced GC, so garbage does not count).
//   - Output: the returned value is converted to JSON-able Go values with a
//     running size count and refused over Limits.MaxOutputBytes; functions,
//     symbols, BigInts, Maps, Sets and cycles are refused by path.
//   - Logs: console.log and friends keep at most MaxLogLines lines of at
//     most MaxLogLineBytes bytes each.
//
// # What is not bounded exactly
//
// The heap watchdog sees the whole process, not the script alone: other
// work growing the heap at the same moment counts against the script (the
// interpreter runs code steps in its heavy-work slots, which limits how
// many run at once), and one allocation made between two samples (a string
// doubling itself) can overshoot the budget by its own size before the VM
// is stopped. A regular expression with catastrophic backtracking runs in
// the regexp engine, which the interrupt reaches only between JavaScript
// instructions. There is no network, file, timer or module access at all:
// the runtime has no require, fetch, setTimeout or process, only the
// ECMAScript built-ins and a captured console.
package jsruntime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Named defaults and ceilings of Limits.
const (
	// DefaultTimeout is a code step's CPU-time budget when it sets no
	// timeout; MaxTimeout is the most a step may ask for.
	DefaultTimeout = time.Second
	MaxTimeout     = 10 * time.Second
	// DefaultMemoryMB is the heap growth a step may cause when it sets no
	// memory_mb; MaxMemoryMB is the most a step may ask for.
	DefaultMemoryMB = 64
	MaxMemoryMB     = 512
	// DefaultMaxOutputBytes bounds the returned value as JSON, like
	// expression.MaxOutputBytes bounds an expression's result.
	DefaultMaxOutputBytes = 1 << 20
	// DefaultMaxCallStack is the deepest call nesting a script may reach.
	DefaultMaxCallStack = 1000
	// MaxLogLines and MaxLogLineBytes bound what console.log keeps.
	MaxLogLines     = 100
	MaxLogLineBytes = 2000
	// maxDepth bounds the nesting of the returned value.
	maxDepth = 100
	// watchInterval is how often the heap watchdog samples.
	watchInterval = 5 * time.Millisecond
)

// Limits bounds one run. Zero fields take the defaults.
type Limits struct {
	Timeout        time.Duration
	MemoryBytes    int64
	MaxOutputBytes int
	MaxCallStack   int
}

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.MemoryBytes <= 0 {
		l.MemoryBytes = DefaultMemoryMB << 20
	}
	if l.MaxOutputBytes <= 0 {
		l.MaxOutputBytes = DefaultMaxOutputBytes
	}
	if l.MaxCallStack <= 0 {
		l.MaxCallStack = DefaultMaxCallStack
	}
	return l
}

// Error kinds.
const (
	KindSyntax  = "syntax"
	KindRuntime = "runtime"
	KindTimeout = "timeout"
	KindMemory  = "memory"
	KindStack   = "stack"
	KindOutput  = "output"
)

// Error is a script's failure: a syntax error, an exception it threw or
// an exceeded budget. Line and Column (1-based, in the script as written)
// are 0 when unknown. Every Error is permanent: running the same script on
// the same input fails the same way.
type Error struct {
	Kind    string
	Line    int
	Column  int
	Message string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("code: line %d:%d: %s", e.Line, e.Column, e.Message)
	}
	return "code: " + e.Message
}

// Names of the values a script sees.
var params = []string{"trigger", "steps", "vars", "event", "item", "index"}

// The script becomes the body of a function of params. The prefix ends in
// a newline so that the script's own lines keep their columns and are one
// line below their number.
var (
	prefix = "(function (" + strings.Join(params, ", ") + ") {\n"
	suffix = "\n})"
)

// Compile compiles a script, reporting a syntax error as an *Error with
// the script's line and column. The program may be run by any number of
// Runs at once.
func Compile(src string) (*goja.Program, error) {
	ast, err := parser.ParseFile(nil, "code", prefix+src+suffix, 0)
	if err != nil {
		var list parser.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			first := list[0]
			e := &Error{Kind: KindSyntax, Message: "SyntaxError: " + first.Message}
			e.Line, e.Column = scriptPos(src, first.Position.Line, first.Position.Column)
			return nil, e
		}
		return nil, &Error{Kind: KindSyntax, Message: "SyntaxError: " + err.Error()}
	}
	p, err := goja.CompileAST(ast, false)
	if err != nil {
		// The compiler's own checks (a duplicate let, a return outside a
		// function) carry an offset only.
		var ce *goja.CompilerSyntaxError
		if errors.As(err, &ce) {
			e := &Error{Kind: KindSyntax, Message: "SyntaxError: " + ce.Message}
			if ce.File != nil {
				pos := ce.File.Position(ce.Offset)
				e.Line, e.Column = scriptPos(src, pos.Line, pos.Column)
			}
			return nil, e
		}
		return nil, &Error{Kind: KindSyntax, Message: "SyntaxError: " + err.Error()}
	}
	return p, nil
}

// scriptPos maps a position in the wrapped source to the script's, clamped
// to the script (an unclosed brace is reported at its end).
func scriptPos(src string, line, col int) (int, int) {
	lines := strings.Split(src, "\n")
	line--
	if line < 1 {
		return 1, 1
	}
	if line > len(lines) {
		last := lines[len(lines)-1]
		return len(lines), len(last) + 1
	}
	return line, col
}

// Input is what a script sees, as JSON-able values. Item and Index are
// the current element and position inside a foreach (or a loop's previous
// outputs and iteration), null elsewhere.
type Input struct {
	Trigger any
	Steps   map[string]any
	Vars    map[string]any
	Event   any
	Item    any
	Index   any
}

// Result is a script's output: its return value (undefined is nil) and
// the lines it logged.
type Result struct {
	Value any      `json:"value"`
	Logs  []string `json:"logs,omitempty"`
}

// interrupt values tell the watchdogs' reasons apart.
type interrupt struct{ err *Error }

// Run runs src (compiled with Compile) over in under lim. Its errors are
// *Error, except ctx's own error when ctx ends first.
func Run(ctx context.Context, src string, in Input, lim Limits) (*Result, error) {
	lim = lim.withDefaults()
	prg, err := Compile(src)
	if err != nil {
		return nil, err
	}
	input, err := marshalInput(in)
	if err != nil {
		return nil, err
	}
	vm := goja.New()
	vm.SetMaxCallStackSize(lim.MaxCallStack)
	res := &Result{}
	if err := setup(vm, res, lim); err != nil {
		return nil, err
	}
	args, err := parseInput(vm, input)
	if err != nil {
		return nil, err
	}

	stop := watch(ctx, vm, lim)
	defer stop()
	fnv, err := vm.RunProgram(prg)
	var out goja.Value
	if err == nil {
		fn, _ := goja.AssertFunction(fnv)
		out, err = fn(goja.Undefined(), args...)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, translate(src, err, lim)
	}
	v, err := convertResult(src, vm, out, lim)
	if err != nil {
		return nil, err
	}
	res.Value = v
	return res, nil
}

// convertResult converts the returned value while the watchdogs still
// run: reading a property may call a getter the script defined, which
// can throw, loop (and be interrupted) or recurse. goja raises those as
// panics outside RunProgram; they become the script's errors.
func convertResult(src string, vm *goja.Runtime, out goja.Value, lim Limits) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if pe, ok := p.(error); ok {
				err = translate(src, pe, lim)
				return
			}
			if gv, ok := p.(goja.Value); ok {
				err = &Error{Kind: KindRuntime, Message: gv.String()}
				return
			}
			err = &Error{Kind: KindRuntime, Message: fmt.Sprint(p)}
		}
	}()
	c := converter{vm: vm, max: lim.MaxOutputBytes, seen: map[*goja.Object]bool{}}
	return c.convert(out, "result", 0)
}

// watch starts the CPU-time timer and the heap watchdog; the returned
// function stops both.
func watch(ctx context.Context, vm *goja.Runtime, lim Limits) func() {
	timer := time.AfterFunc(lim.Timeout, func() {
		vm.Interrupt(interrupt{&Error{Kind: KindTimeout, Message: "code exceeded " + formatDuration(lim.Timeout) + " (the step's timeout): it may loop forever"}})
	})
	done := make(chan struct{})
	base := heapBytes()
	go func() {
		t := time.NewTicker(watchInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				vm.Interrupt(ctx.Err())
				return
			case <-t.C:
				if heapBytes()-base <= lim.MemoryBytes {
					continue
				}
				// Garbage counts until the next GC; collect before
				// blaming the script.
				runtime.GC()
				if heapBytes()-base > lim.MemoryBytes {
					vm.Interrupt(interrupt{&Error{Kind: KindMemory, Message: fmt.Sprintf(
						"code used more than %d MB of memory (the step's memory_mb)", lim.MemoryBytes>>20)}})
					return
				}
			}
		}
	}()
	return func() {
		timer.Stop()
		close(done)
	}
}

const heapMetric = "/memory/classes/heap/objects:bytes"

// heapBytes is the memory held by heap objects, live or not yet swept.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

func formatDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.Itoa(int(d/time.Second)) + "s"
	}
	return d.String()
}

// translate turns goja's errors into *Error with the script's position.
func translate(src string, err error, lim Limits) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if i, ok := ie.Value().(interrupt); ok {
			e := *i.err
			e.Line, e.Column = position(src, ie.Stack())
			return &e
		}
		return &Error{Kind: KindTimeout, Message: fmt.Sprintf("code was interrupted: %v", ie.Value())}
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		e := &Error{Kind: KindStack, Message: fmt.Sprintf("RangeError: too much recursion: calls nested more than %d deep", lim.MaxCallStack)}
		e.Line, e.Column = position(src, so.Stack())
		return e
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		msg := "exception"
		if v := ex.Value(); v != nil {
			msg = v.String()
		}
		e := &Error{Kind: KindRuntime, Message: msg}
		if strings.Contains(msg, "RangeError") && strings.Contains(msg, "memory budget") {
			e.Kind = KindMemory
		}
		e.Line, e.Column = position(src, ex.Stack())
		return e
	}
	return &Error{Kind: KindRuntime, Message: err.Error()}
}

// position is the innermost frame of the script in stack.
func position(src string, stack []goja.StackFrame) (int, int) {
	for _, f := range stack {
		p := f.Position()
		if p.Line > 0 && p.Filename == "code" {
			return scriptPos(src, p.Line, p.Column)
		}
	}
	return 0, 0
}

func marshalInput(in Input) ([]string, error) {
	vals := []any{in.Trigger, in.Steps, in.Vars, in.Event, in.Item, in.Index}
	out := make([]string, len(vals))
	for i, v := range vals {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, &Error{Kind: KindRuntime, Message: fmt.Sprintf("encoding %s: %v", params[i], err)}
		}
		out[i] = string(b)
	}
	return out, nil
}

// parseInput makes the inputs native JavaScript values (so that arrays
// have every Array method and nothing aliases Go state).
func parseInput(vm *goja.Runtime, input []string) ([]goja.Value, error) {
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	out := make([]goja.Value, len(input))
	for i, s := range input {
		v, err := parse(goja.Undefined(), vm.ToValue(s))
		if err != nil {
			return nil, &Error{Kind: KindRuntime, Message: fmt.Sprintf("decoding %s: %v", params[i], err)}
		}
		out[i] = v
	}
	return out, nil
}

// setup installs the captured console and the budgeted string built-ins.
func setup(vm *goja.Runtime, res *Result, lim Limits) error {
	console := vm.NewObject()
	logf := func(level string) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			if len(res.Logs) >= MaxLogLines {
				return goja.Undefined()
			}
			parts := make([]string, len(call.Arguments))
			for i, a := range call.Arguments {
				parts[i] = logString(vm, a)
			}
			line := strings.Join(parts, " ")
			if level != "log" {
				line = level + ": " + line
			}
			if len(line) > MaxLogLineBytes {
				line = line[:MaxLogLineBytes] + "…"
			}
			res.Logs = append(res.Logs, line)
			if len(res.Logs) == MaxLogLines {
				res.Logs = append(res.Logs, fmt.Sprintf("(further lines dropped: at most %d are kept)", MaxLogLines))
			}
			return goja.Undefined()
		}
	}
	for _, level := range []string{"log", "info", "warn", "error", "debug"} {
		if err := console.Set(level, logf(level)); err != nil {
			return err
		}
	}
	if err := vm.Set("console", console); err != nil {
		return err
	}
	proto := vm.Get("String").ToObject(vm).Get("prototype").ToObject(vm)
	// repeat, padStart and padEnd allocate their whole result at once, so
	// the heap watchdog could only see it after the fact: check the size
	// first.
	size := map[string]func(this string, args []goja.Value) int64{
		"repeat": func(this string, args []goja.Value) int64 {
			n := argNumber(args, 0)
			return int64(math.Min(float64(len(this))*n, math.MaxInt64/2))
		},
		"padStart": padSize,
		"padEnd":   padSize,
	}
	for _, name := range []string{"repeat", "padStart", "padEnd"} {
		orig, ok := goja.AssertFunction(proto.Get(name))
		if !ok {
			return fmt.Errorf("String.prototype.%s is missing", name)
		}
		sizeOf := size[name]
		wrapped := vm.ToValue(func(call goja.FunctionCall) goja.Value {
			if this := call.This; this != nil && !goja.IsUndefined(this) && !goja.IsNull(this) {
				if n := sizeOf(this.String(), call.Arguments); n > lim.MemoryBytes {
					panic(rangeError(vm, fmt.Sprintf("%s would make a string of %d MB, over the code step's memory budget of %d MB",
						name, n>>20, lim.MemoryBytes>>20)))
				}
			}
			v, err := orig(call.This, call.Arguments...)
			if err != nil {
				panic(err)
			}
			return v
		})
		if err := proto.DefineDataProperty(name, wrapped, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
			return err
		}
	}
	return nil
}

// rangeError is a JavaScript RangeError, for a native function to throw
// by panicking with it.
func rangeError(vm *goja.Runtime, msg string) *goja.Object {
	o, err := vm.New(vm.Get("RangeError"), vm.ToValue(msg))
	if err != nil {
		return vm.NewGoError(errors.New("RangeError: " + msg))
	}
	return o
}

func padSize(this string, args []goja.Value) int64 {
	return int64(math.Min(argNumber(args, 0), math.MaxInt64/2))
}

func argNumber(args []goja.Value, i int) float64 {
	if i >= len(args) {
		return 0
	}
	f := args[i].ToFloat()
	if math.IsNaN(f) || f < 0 {
		return 0
	}
	return f
}

// logString writes a console argument as Node does, roughly: strings as
// they are, everything else as JSON.
func logString(vm *goja.Runtime, v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if s, ok := v.Export().(string); ok {
		return s
	}
	if _, ok := goja.AssertFunction(v); ok {
		return "[Function]"
	}
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	if out, err := stringify(goja.Undefined(), v); err == nil && out != nil && !goja.IsUndefined(out) {
		return out.String()
	}
	return v.String()
}

// converter turns the returned value into JSON-able Go values: nil, bool,
// int64, float64, string, []any and map[string]any.
type converter struct {
	vm    *goja.Runtime
	max   int
	bytes int
	seen  map[*goja.Object]bool
}

func (c *converter) add(n int, path string) error {
	c.bytes += n
	if c.bytes > c.max {
		return &Error{Kind: KindOutput, Message: fmt.Sprintf("the returned value is larger than %d KB as JSON (at %s): return less data", c.max>>10, path)}
	}
	return nil
}

func (c *converter) convert(v goja.Value, path string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, &Error{Kind: KindOutput, Message: fmt.Sprintf("the returned value is nested more than %d levels deep (at %s)", maxDepth, path)}
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, c.add(4, path)
	}
	if _, ok := v.(*goja.Symbol); ok {
		return nil, unsupported(path, "a Symbol")
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		switch x := v.Export().(type) {
		case bool:
			return x, c.add(5, path)
		case int64:
			return x, c.add(20, path)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, c.add(4, path) // as JSON.stringify does
			}
			return x, c.add(24, path)
		case string:
			return x, c.add(len(x)+2, path)
		case *big.Int:
			return nil, unsupported(path, "a BigInt (convert it with Number() or String())")
		default:
			return nil, unsupported(path, fmt.Sprintf("a value of type %T", x))
		}
	}
	if _, ok := goja.AssertFunction(obj); ok {
		return nil, unsupported(path, "a function")
	}
	if c.seen[obj] {
		return nil, &Error{Kind: KindOutput, Message: fmt.Sprintf("the returned value refers to itself (a cycle at %s): return plain data", path)}
	}
	c.seen[obj] = true
	defer delete(c.seen, obj)
	for _, name := range []string{"Map", "Set", "WeakMap", "WeakSet"} {
		if ctor, ok := c.vm.Get(name).(*goja.Object); ok && c.vm.InstanceOf(obj, ctor) {
			return nil, unsupported(path, "a "+name+" (convert it with Object.fromEntries() or Array.from())")
		}
	}
	switch obj.ClassName() {
	case "Array":
		n := int(obj.Get("length").ToInteger())
		if err := c.add(2+n, path); err != nil {
			return nil, err
		}
		out := make([]any, n)
		for i := range n {
			e, err := c.convert(obj.Get(strconv.Itoa(i)), path+"["+strconv.Itoa(i)+"]", depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case "Date":
		iso, ok := goja.AssertFunction(obj.Get("toISOString"))
		if !ok {
			return nil, unsupported(path, "a Date without toISOString")
		}
		s, err := iso(obj)
		if err != nil {
			return nil, &Error{Kind: KindOutput, Message: fmt.Sprintf("the returned value holds an invalid Date at %s", path)}
		}
		return s.String(), c.add(26, path)
	case "BigInt":
		return nil, unsupported(path, "a BigInt (convert it with Number() or String())")
	}
	if _, isBig := obj.Export().(*big.Int); isBig {
		return nil, unsupported(path, "a BigInt (convert it with Number() or String())")
	}
	keys := obj.Keys()
	sort.Strings(keys)
	out := make(map[string]any, len(keys))
	if err := c.add(2, path); err != nil {
		return nil, err
	}
	for _, k := range keys {
		ev := obj.Get(k)
		if ev == nil || goja.IsUndefined(ev) {
			continue // JSON leaves undefined properties out
		}
		e, err := c.convert(ev, path+"."+k, depth+1)
		if err != nil {
			return nil, err
		}
		if err := c.add(len(k)+4, path); err != nil {
			return nil, err
		}
		out[k] = e
	}
	return out, nil
}

func unsupported(path, what string) error {
	return &Error{Kind: KindOutput, Message: fmt.Sprintf("the returned value holds %s at %s, which is not JSON: return plain data (objects, arrays, strings, numbers, booleans, null)", what, path)}
}
