package expression

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"
)

// A workflow is untrusted input: an expression can loop over a range of a
// million numbers, double a string forty times or render the data context
// into itself. Every evaluation (an expression, a template, a mapping, a
// filter) therefore runs under a Budget, and overrunning it is a
// *BudgetError, a permanent failure of that one evaluation, never a panic,
// a hang or an out-of-memory crash of the process.
//
// Two kinds of bound exist because expressions run in two places:
//
//   - Work is deterministic. Inside Temporal workflow code an evaluation
//     must give the same result on replay, so it cannot depend on the wall
//     clock. Work counts units that track CPU cost closely enough: a fixed
//     cost per function call and per loop iteration, plus the bytes of the
//     values each call reads and produces. The interpreter gives workflow
//     code a small Work budget and, when it runs out, evaluates again in an
//     activity, whose result Temporal records.
//   - Timeout is wall clock, for evaluations outside workflow code (the
//     Resolve activity, trigger filters at ingest), where the result does
//     not need to replay.
//
// Size bounds hold in both places: no value an evaluation produces may be
// larger than Limits.MaxOutputBytes, and the strings and arrays that the
// guarded builtins build may add up to no more than Limits.MaxBuildBytes.
// Outside workflow code the text alone may add up to no more than
// Limits.MaxBuildTextBytes (see meter.text).
// Sizes are checked before the allocation, since a Go allocation of a
// terabyte is a fatal error that no recover catches.

// Named default budgets.
const (
	// DefaultWork bounds the deterministic work of one evaluation in
	// workflow code: about 1 to 4 ms of CPU on the reference machine (see
	// BenchmarkBudgetWork), which a workflow task can afford. Real
	// definitions use a few thousand units.
	DefaultWork int64 = 1_000_000
	// DefaultTimeout bounds the wall-clock time of one evaluation outside
	// workflow code.
	DefaultTimeout = 50 * time.Millisecond
	// UnlimitedWork disables the work bound (a Timeout then bounds time).
	UnlimitedWork int64 = math.MaxInt64
)

// Budget bounds one evaluation. The zero Budget means DefaultWork and no
// wall-clock timeout, which is what workflow code must use.
type Budget struct {
	// Work is the deterministic work allowance; 0 means DefaultWork.
	Work int64
	// Timeout is the wall-clock allowance; 0 means none. Never set it for
	// evaluations inside workflow code: a timeout makes a result depend on
	// the machine's speed, and a replay on a slower machine would diverge.
	Timeout time.Duration
}

func (b Budget) withDefaults() Budget {
	if b.Work <= 0 {
		b.Work = DefaultWork
	}
	return b
}

// ErrBudget matches every *BudgetError with errors.Is.
var ErrBudget = errors.New("evaluation budget exceeded")

// BudgetKind says which bound an evaluation overran.
type BudgetKind string

// Budget kinds.
const (
	// BudgetWork: the deterministic work allowance ran out. Workflow code
	// retries such an evaluation in an activity under a Timeout.
	BudgetWork BudgetKind = "work"
	// BudgetTime: the wall-clock allowance ran out.
	BudgetTime BudgetKind = "time"
	// BudgetSize: a value would be larger than Limits.MaxOutputBytes, or the
	// values built add up to more than Limits.MaxBuildBytes.
	BudgetSize BudgetKind = "size"
	// BudgetValues: the evaluation created more values (array elements,
	// map entries, loop scopes) than expr's memory budget allows.
	BudgetValues BudgetKind = "values"
)

// BudgetError reports an evaluation that overran its budget. The message
// is written for the person who wrote the expression.
type BudgetError struct {
	Kind    BudgetKind
	Message string
}

func (e *BudgetError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrBudget) true for every BudgetError.
func (e *BudgetError) Is(target error) bool { return target == ErrBudget }

// IsBudgetKind reports whether err is (or wraps) a BudgetError of kind k.
func IsBudgetKind(err error, k BudgetKind) bool {
	var be *BudgetError
	return errors.As(err, &be) && be.Kind == k
}

// The costs below and DefaultWork are part of the interpreter's replay
// contract: workflow code decides by them whether an evaluation runs
// inline or in an activity, so changing any of them changes what a
// replayed run does. Change them only together with a new interpreter
// version that keeps the old values for older runs.
//
// Costs, in work units, of the steps the meter counts. A unit is roughly
// a nanosecond of CPU: a byte read or built costs one, a function call or
// a loop iteration costs as much as its interpreter overhead.
//
// Calibrated with BenchmarkBudgetWork: a loop iteration with its guard
// costs about 150 ns, building a list about 4 ns an element, reading or
// building text about 1 ns a byte.
const (
	costCall      = 50
	costIteration = 150
	costElement   = 4
	// deadlineEvery spaces out wall-clock reads: every charge is bounded
	// by the size limits, so a handful of them cannot run long.
	deadlineEvery = 8
)

// meter is the running account of one evaluation. It is used by one
// goroutine at a time: expr's VM calls the guard functions in order.
type meter struct {
	work     int64
	budget   Budget
	deadline time.Time
	limits   Limits
	built    int // bytes built by guarded builtins
	// text is the part of built that is text. An evaluation with a
	// wall-clock budget may build at most Limits.MaxBuildTextBytes of it:
	// a loop of string calls turns its time budget into garbage that every
	// workflow of the process pays to collect (hookflow-bench's hostile
	// CPU bomb, upper() in a loop, built the whole 16 MiB of
	// MaxBuildBytes within its 50 ms on a fast VM, twice a second). In
	// workflow code the work budget bounds text lower still (a byte built
	// costs a unit of work), so the bound never changes what a replay
	// computes, and runs from before budgets replay as they ran.
	text    int
	charges uint32
	err     *BudgetError
	// sinceYield counts the units spent since the evaluation last let
	// other goroutines run (see yieldEvery).
	sinceYield int64
	// started and rested (when the evaluation last paused) pace a long
	// evaluation (see throttleAfter).
	started, rested time.Time
}

func newMeter(b Budget, l Limits) *meter {
	b = b.withDefaults()
	m := &meter{work: b.Work, budget: b, limits: l}
	if b.Timeout > 0 {
		m.started = time.Now()
		m.rested = m.started
		m.deadline = m.started.Add(b.Timeout)
	}
	return m
}

// Sharing the CPU. A budget bounds how long one evaluation may run, but
// not whom it delays meanwhile: Go preempts a busy goroutine only every
// 10 ms, so an evaluation that burns its 50 ms wall-clock budget makes
// the goroutines queued behind it on its processor (a webhook's ingest, a
// workflow task of another run) wait whole time slices. Every yieldEvery
// units (about 20 microseconds of CPU) an evaluation therefore yields its
// processor, and a goroutine waiting behind it runs at once. How many
// expensive evaluations run at the same time is bounded by the callers
// (the interpreter's heavy-work slots). Yielding does not change what an
// evaluation computes or when it overruns its work budget, so workflow
// code stays deterministic.
const yieldEvery int64 = 20_000

// Pacing. Yielding lets others run between an evaluation's slices, but
// the evaluation still takes a whole core for as long as its wall-clock
// budget lasts, and on a small machine that is half of it: measured in
// hookflow-bench's hostile mode, one CPU-bomb workflow every 500 ms made
// every other workflow's p99 1.5 times slower. So an evaluation with a
// wall-clock budget (the one that runs in an activity, never workflow
// code) that is still going after throttleAfter rests as long as it ran,
// slice by slice: from then on it takes at most half a core, and it
// fails on its budget as before. Real expressions end long before.
const (
	throttleAfter = 5 * time.Millisecond
	throttleSlice = time.Millisecond
)

// rest is how a paced evaluation rests; tests count the calls.
var rest = time.Sleep

// yield lets other goroutines run, and paces a long evaluation (see
// throttleAfter).
func (m *meter) yield() {
	if m.deadline.IsZero() {
		runtime.Gosched()
		return
	}
	now := time.Now()
	ran := now.Sub(m.rested)
	if now.Sub(m.started) < throttleAfter || ran < throttleSlice {
		runtime.Gosched()
		return
	}
	if d := min(ran, m.deadline.Sub(now)); d > 0 {
		rest(d)
	}
	m.rested = time.Now()
}

// fail records the first overrun and returns it; later charges return it
// again, so an expression that catches nothing cannot run on.
func (m *meter) fail(kind BudgetKind, format string, args ...any) error {
	if m.err == nil {
		m.err = &BudgetError{Kind: kind, Message: fmt.Sprintf(format, args...)}
	}
	return m.err
}

// charge spends n units and checks the clock now and then.
func (m *meter) charge(n int) error {
	if m.err != nil {
		return m.err
	}
	m.work -= int64(n)
	if m.sinceYield += int64(n); m.sinceYield >= yieldEvery {
		m.sinceYield = 0
		m.yield()
	}
	if m.work < 0 {
		return m.fail(BudgetWork, "expression needs more than %d units of work (its budget); simplify it or loop over less data", m.budget.Work)
	}
	if !m.deadline.IsZero() {
		m.charges++
		if m.charges%deadlineEvery == 0 && time.Now().After(m.deadline) {
			return m.fail(BudgetTime, "expression exceeded %s", m.budget.Timeout)
		}
	}
	return nil
}

// checkDeadline reads the clock now, for the end of an evaluation.
func (m *meter) checkDeadline() error {
	if m.err != nil {
		return m.err
	}
	if !m.deadline.IsZero() && time.Now().After(m.deadline) {
		return m.fail(BudgetTime, "expression exceeded %s", m.budget.Timeout)
	}
	return nil
}

// build accounts for n bytes a guarded builtin is about to allocate,
// before it allocates them.
func (m *meter) build(n int) error {
	if n > m.limits.MaxOutputBytes {
		return m.fail(BudgetSize, "result larger than %s", byteSize(m.limits.MaxOutputBytes))
	}
	m.built += n
	if m.built > m.limits.MaxBuildBytes {
		return m.fail(BudgetSize, "expression builds more than %s of text and lists", byteSize(m.limits.MaxBuildBytes))
	}
	if err := m.buildText(n); err != nil {
		return err
	}
	return m.charge(n)
}

// buildText accounts for n bytes of text an evaluation builds (see
// meter.text).
func (m *meter) buildText(n int) error {
	m.text += n
	if !m.deadline.IsZero() && m.text > m.limits.MaxBuildTextBytes {
		return m.fail(BudgetSize, "expression builds more than %s of text", byteSize(m.limits.MaxBuildTextBytes))
	}
	return nil
}

// grow accounts for a list of n elements a guarded operation is about to
// allocate: at most maxElements in one list, and their memory counts
// towards MaxBuildBytes like text does.
func (m *meter) grow(n int) error {
	if n > maxElements {
		return m.fail(BudgetValues, "expression builds a list of %d elements, over the limit of %d", n, maxElements)
	}
	m.built += 16 * n
	if m.built > m.limits.MaxBuildBytes {
		return m.fail(BudgetSize, "expression builds more than %s of text and lists", byteSize(m.limits.MaxBuildBytes))
	}
	return m.charge(costElement * n)
}

// checkResult bounds a value an evaluation returns.
func (m *meter) checkResult(v any) error {
	if n := sizeOf(v, m.limits.MaxOutputBytes); n > m.limits.MaxOutputBytes {
		return m.fail(BudgetSize, "result larger than %s", byteSize(m.limits.MaxOutputBytes))
	}
	return nil
}

// byteSize prints a limit the way a person reads it: "1 MiB", "64 KiB".
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
