// Package expression compiles and evaluates the expressions, templates and
// mappings of hookflow workflow definitions.
//
//   - Expressions are expr-lang (github.com/expr-lang/expr) source, used in
//     `if`, `items`, `value`, `until`, `correlation_key` and `match` fields.
//     An expression field may also be written as one template, "{{ x > 1 }}".
//   - Templates are strings with `{{ expr }}` parts. A string that is exactly
//     one template (surrounding spaces allowed) keeps the typed value
//     (number, bool, object, array, null); mixed text interpolates: strings
//     as is, null as "", numbers in their shortest form, times as RFC 3339,
//     objects and arrays as JSON with sorted keys. A literal "{{" is written
//     {{ "{{" }}. Render applies templates to every string inside a JSON
//     value (objects, arrays), recursively.
//   - Mappings (the map step) build an object: a string value containing
//     "{{" is a template; any other string is a gjson path against the data
//     context, which must start with a root ("trigger.data.object.amount",
//     "steps.order.items.#(qty>1)#.sku"); nested objects are nested mappings;
//     numbers, booleans and null are literals.
//
// # Data context
//
// Every expression sees one map with these roots:
//
//	trigger   the event body: {"type": "payment_intent.succeeded", "data": {...}}
//	event     {"id": "evt_01…" (hookflow's inbox id), "provider_id": "evt_1Nx…" (the provider's
//	          own event id), "type": "...", "received_at": "2024-05-01T10:00:00Z", "headers": {...},
//	          "replay": false}
//	steps     {"<step id>": <output of that step>, ...}
//	vars      the definition's vars
//	item      inside foreach: the current element
//	index     inside foreach: the current index (an int)
//	received  in wait_for_event.match: the candidate event's payload
//
// # Numbers, missing paths and messages
//
// A Scope may be exact (WithExactNumbers: integers are ints, so 64-bit ids
// keep their digits; see numbers.go) and strict (WithStrictPaths: a
// template part that is a bare path missing from the data is an error that
// names it; see paths.go). The interpreter turns both on from its version
// 8. Errors from expr's runtime are rewritten for the people who write
// workflows, with "did you mean" suggestions (friendly.go).
//
// # Determinism
//
// Expressions run inside the Temporal interpreter, so they must give the
// same result on replay. now() returns Scope's clock (workflow.Now), never
// the wall clock: expr's builtin now is disabled and replaced. Rendering
// visits object keys in sorted order so errors and output are stable.
//
// # Helpers
//
// Beyond expr's builtins (upper, lower, trim, split, join, len, toJSON…):
//
//	now()                              the run's clock, a time
//	formatDate(t, layout[, tz])        "YYYY-MM-DD HH:mm", "iso", "unix" or a Go layout
//	parseDate(s[, layout[, tz]])       to a time; without layout: RFC 3339, date, unix seconds
//	addDuration(t, "3d")               t plus a duration ("90s", "2h", "3d", "-1d")
//	formatMoney(minor, "USD")          "20.00 USD": minor units (cents) as Stripe sends them
//	title(s), slug(s)                  "hello world" → "Hello World", "Hello, World!" → "hello-world"
//	default(x, fallback)               fallback when x is null or ""
//	coalesce(a, b, …)                  the first argument that is neither null nor ""
//	json(x), fromjson(s)               encode and decode JSON
//	get(obj, "gjson.path")             a gjson path (queries, modifiers) into any value
package expression

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// Named default limits. Every one can be changed through Limits.
const (
	// DefaultMaxSourceLength bounds one expression or template string, in bytes.
	DefaultMaxSourceLength = 8 << 10
	// DefaultMaxNodes bounds the size of one compiled program (AST nodes).
	DefaultMaxNodes = 2000
	// DefaultMaxOutputBytes bounds what one template renders to
	// (interpolated text, or the JSON of a rendered value).
	DefaultMaxOutputBytes = 1 << 20
	// DefaultMaxCacheEntries bounds the compiled-program cache; when full
	// it is emptied, since definitions in use recompile in microseconds.
	DefaultMaxCacheEntries = 10000
	// DefaultMaxInputBytes bounds a value that an evaluation encodes to
	// read it (a gjson query path over an object, for example).
	DefaultMaxInputBytes = 16 << 20
	// DefaultMaxBuildBytes bounds the text and lists that one evaluation's
	// calls and operators build in total, so a loop of small results can
	// neither fill the memory nor keep the garbage collector busy for the
	// whole process: 16 times the largest result.
	DefaultMaxBuildBytes = 16 << 20
	// DefaultMaxBuildTextBytes bounds the text alone that one evaluation
	// outside workflow code builds: four times the largest result, which
	// leaves room to build a result piece by piece and keeps a hostile
	// loop's garbage small (see meter.text).
	DefaultMaxBuildTextBytes = 4 << 20
)

// Limits bounds what a Compiler accepts and what its evaluations build.
// Zero fields take the defaults.
type Limits struct {
	MaxSourceLength int
	MaxNodes        uint
	// MaxOutputBytes bounds every value an evaluation returns or builds:
	// a template's text, an expression's result, one string or list.
	MaxOutputBytes  int
	MaxCacheEntries int
	MaxInputBytes   int
	MaxBuildBytes   int
	// MaxBuildTextBytes bounds the text one evaluation with a wall-clock
	// budget builds; workflow code's work budget bounds it lower.
	MaxBuildTextBytes int
}

func (l Limits) withDefaults() Limits {
	if l.MaxSourceLength <= 0 {
		l.MaxSourceLength = DefaultMaxSourceLength
	}
	if l.MaxNodes == 0 {
		l.MaxNodes = DefaultMaxNodes
	}
	if l.MaxOutputBytes <= 0 {
		l.MaxOutputBytes = DefaultMaxOutputBytes
	}
	if l.MaxCacheEntries <= 0 {
		l.MaxCacheEntries = DefaultMaxCacheEntries
	}
	if l.MaxInputBytes <= 0 {
		l.MaxInputBytes = DefaultMaxInputBytes
	}
	if l.MaxBuildBytes <= 0 {
		l.MaxBuildBytes = DefaultMaxBuildBytes
	}
	if l.MaxBuildTextBytes <= 0 {
		l.MaxBuildTextBytes = DefaultMaxBuildTextBytes
	}
	return l
}

// Root names of the data context.
const (
	RootTrigger  = "trigger"
	RootEvent    = "event"
	RootSteps    = "steps"
	RootVars     = "vars"
	RootItem     = "item"
	RootIndex    = "index"
	RootReceived = "received"
)

// Roots lists the data context's root names.
var Roots = []string{RootTrigger, RootEvent, RootSteps, RootVars, RootItem, RootIndex, RootReceived}

// Compiler compiles expressions and templates and caches the programs by
// source. It is safe for concurrent use; one Compiler per process is the
// intended use, since every run of a workflow renders the same templates.
type Compiler struct {
	limits Limits

	mu        sync.RWMutex
	exprs     map[string]*Expr
	templates map[string]*Template
}

// NewCompiler returns a Compiler with the given limits (zero fields take
// the defaults).
func NewCompiler(limits Limits) *Compiler {
	return &Compiler{
		limits:    limits.withDefaults(),
		exprs:     make(map[string]*Expr),
		templates: make(map[string]*Template),
	}
}

// Limits returns the compiler's effective limits.
func (c *Compiler) Limits() Limits { return c.limits }

// Expr is a compiled expression.
type Expr struct {
	src     string
	program *vm.Program
	// offset maps positions when src was written as "{{ expr }}".
	offset int
	limits Limits
}

// Source returns the expression as written.
func (e *Expr) Source() string { return e.src }

// Scope is the data context of one evaluation plus its clock and budget.
// Build one per step (the interpreter's data context changes after every
// step) and use it for all of that step's expressions and templates. A
// Scope is read-only once built and safe for concurrent use: every
// evaluation keeps its own account of the budget.
type Scope struct {
	env    map[string]any
	now    time.Time
	budget Budget
	// exact makes lookups give integers as int (WithExactNumbers).
	exact bool
	// strict makes a template's missing bare path an error
	// (WithStrictPaths).
	strict bool
}

// NewScope builds a Scope over data (roots as in the package doc; absent
// roots are null) whose now() returns now. The data map is not copied
// deeply and must not be modified while the Scope is in use.
func NewScope(data map[string]any, now time.Time) *Scope {
	env := make(map[string]any, len(Roots)+1)
	for _, r := range Roots {
		env[r] = nil
	}
	env[RootIndex] = 0
	for k, v := range data {
		env[k] = v
	}
	s := &Scope{env: env, now: now}
	env["now"] = s.Now
	return s
}

// Now returns the scope's clock.
func (s *Scope) Now() time.Time { return s.now }

// WithBudget returns a copy of the scope whose evaluations each run under
// b (see Budget). A Scope from NewScope has the zero Budget: DefaultWork
// and no wall-clock timeout, as workflow code needs.
func (s *Scope) WithBudget(b Budget) *Scope {
	c := *s
	c.budget = b
	return &c
}

// Budget returns the budget each evaluation in the scope runs under.
func (s *Scope) Budget() Budget { return s.budget }

// run runs a program compiled for evaluation with the meter bound in a
// copy of the environment, and turns an overrun into the meter's error.
func (s *Scope) run(m *meter, p *vm.Program) (any, error) {
	env := maps.Clone(s.env)
	env[meterName] = m
	var machine vm.VM
	machine.MemoryBudget = maxElements
	out, err := machine.Run(p, env)
	if m.err != nil {
		return nil, m.err
	}
	if err != nil {
		if strings.Contains(err.Error(), "memory budget exceeded") {
			return nil, m.fail(BudgetValues, "expression creates more than %d list elements, map entries or loop values", maxElements)
		}
		return nil, err
	}
	return out, nil
}

// result finishes an evaluation: the clock is read once more, and the
// value is copied into plain data no larger than the output limit, so it
// never aliases the data context.
func (m *meter) result(v any) (any, error) {
	if err := m.checkDeadline(); err != nil {
		return nil, err
	}
	out, err := plain(v, m.limits.MaxOutputBytes)
	if errors.Is(err, errTooLarge) {
		return nil, m.fail(BudgetSize, "result larger than %s", byteSize(m.limits.MaxOutputBytes))
	}
	return out, err
}

// Data returns the data context the scope was built from, including nil
// entries for absent roots (and the now function).
func (s *Scope) Data() map[string]any { return s.env }

// The typed contexts validation compiles against: one struct per
// combination of optional roots, so a root that is not available in a
// field is an unknown name. Field types matter only for the roots; their
// contents are dynamic JSON.
type (
	checkEnv struct {
		Trigger any              `expr:"trigger"`
		Event   map[string]any   `expr:"event"`
		Steps   map[string]any   `expr:"steps"`
		Vars    map[string]any   `expr:"vars"`
		Now     func() time.Time `expr:"now"`
	}
	// The optional roots are embedded, so expr promotes their fields next
	// to the common ones.
	checkLoop struct {
		Item  any `expr:"item"`
		Index int `expr:"index"`
	}
	checkReceived struct {
		Received any `expr:"received"`
	}
	checkLoopEnv struct {
		checkEnv
		checkLoop
	}
	checkReceivedEnv struct {
		checkEnv
		checkReceived
	}
	checkLoopReceivedEnv struct {
		checkEnv
		checkLoop
		checkReceived
	}
)

func checkOptions(ctx Context) []expr.Option {
	var env any = checkEnv{}
	switch {
	case ctx.Loop && ctx.Received:
		env = checkLoopReceivedEnv{}
	case ctx.Loop:
		env = checkLoopEnv{}
	case ctx.Received:
		env = checkReceivedEnv{}
	}
	return []expr.Option{expr.Env(env)}
}

// runtimeOptions compile programs for evaluation against a Scope's map:
// roots are looked up dynamically, since validation has already checked
// them strictly; only now() is declared, so it is called without reflection.
// The budget patch and its guard functions are added to these programs
// only (see guard.go).
var runtimeOptions = append([]expr.Option{
	expr.Env(map[string]any{"now": (func() time.Time)(nil)}),
	expr.AllowUndefinedVariables(),
}, guardOptions...)

func (c *Compiler) options(env []expr.Option) []expr.Option {
	opts := append([]expr.Option{}, env...)
	opts = append(opts,
		expr.DisableBuiltin("now"),
		expr.DisableBuiltin("get"),
		expr.MaxNodes(c.limits.MaxNodes),
		expr.Patch(nilSafe{}),
	)
	return append(opts, functions...)
}

// Expr compiles an expression for evaluation, from the cache when it has
// been compiled before. Every root is available; Check is the strict,
// context-aware compile that validation uses.
func (c *Compiler) Expr(src string) (*Expr, error) {
	c.mu.RLock()
	e, ok := c.exprs[src]
	c.mu.RUnlock()
	if ok {
		return e, nil
	}
	e, err := c.compileExpr(src, runtimeOptions)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.exprs) >= c.limits.MaxCacheEntries {
		c.exprs = make(map[string]*Expr)
	}
	c.exprs[src] = e
	c.mu.Unlock()
	return e, nil
}

func (c *Compiler) compileExpr(src string, env []expr.Option) (*Expr, error) {
	if len(src) > c.limits.MaxSourceLength {
		return nil, &Error{Message: fmt.Sprintf("expression is %d bytes long, over the limit of %d", len(src), c.limits.MaxSourceLength)}
	}
	inner, offset := src, 0
	if t, err := parseTemplate(src); err == nil && t.single() {
		inner, offset = t.parts[0].src, t.parts[0].offset
	}
	if trimmedEmpty(inner) {
		return nil, &Error{Message: "empty expression"}
	}
	program, err := compileProgram(inner, c.options(env))
	if err != nil {
		return nil, positioned(err, src, inner, offset)
	}
	return &Expr{src: src, program: program, offset: offset, limits: c.limits}, nil
}

// Eval evaluates the expression in scope, under the scope's budget. An
// overrun is a *BudgetError; the result is plain data (see plain).
func (e *Expr) Eval(s *Scope) (any, error) {
	m := newMeter(s.budget, e.limits)
	v, err := e.eval(m, s, e.src[e.offset:], e.offset)
	if err != nil {
		return nil, err
	}
	return m.result(v)
}

// eval runs the program on m's account; inner and offset place errors.
func (e *Expr) eval(m *meter, s *Scope, inner string, offset int) (any, error) {
	out, err := s.run(m, e.program)
	if err != nil {
		if m.err != nil {
			return nil, err
		}
		return nil, positioned(err, e.src, inner, offset)
	}
	return normalize(out), nil
}

// EvalBool evaluates a condition. Null counts as false; any other
// non-boolean result is an error, because a truthy-string rule would hide
// mistakes such as `trigger.amount` instead of `trigger.amount > 0`.
func (e *Expr) EvalBool(s *Scope) (bool, error) {
	v, err := e.Eval(s)
	if err != nil {
		return false, err
	}
	switch b := v.(type) {
	case bool:
		return b, nil
	case nil:
		return false, nil
	}
	return false, &Error{Message: fmt.Sprintf("condition gave %s, want a boolean", typeName(v))}
}

// Eval compiles (or takes from the cache) and evaluates an expression.
func (c *Compiler) Eval(src string, s *Scope) (any, error) {
	e, err := c.Expr(src)
	if err != nil {
		return nil, err
	}
	return e.Eval(s)
}

// normalize turns the numeric kinds expr produces into the JSON model's
// float64 or int, so outputs compare and serialize the same way whatever
// arithmetic produced them.
func normalize(v any) any {
	switch n := v.(type) {
	case int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return int(reflect.ValueOf(n).Convert(reflect.TypeOf(0)).Int())
	case float32:
		return float64(n)
	}
	return v
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, float64:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case time.Time:
		return "a time"
	}
	return fmt.Sprintf("a %T", v)
}

func trimmedEmpty(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}
