package definition

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
)

// Named default limits for validation. Every one can be changed through
// Limits.
const (
	DefaultMaxSteps           = 500
	DefaultMaxNesting         = 8
	DefaultMaxConcurrency     = 100
	DefaultMaxForeachItems    = 10000
	DefaultMaxRetryAttempts   = 100
	DefaultMaxStepTimeout     = 24 * time.Hour
	DefaultMaxWait            = 365 * 24 * time.Hour // delay and wait_for_event
	DefaultMaxRunTimeout      = 366 * 24 * time.Hour
	DefaultMaxRespondTimeout  = 60 * time.Second
	DefaultMaxRetryInterval   = 24 * time.Hour
	DefaultMinScheduleEvery   = time.Minute
	DefaultMaxBackoff         = 100.0
	DefaultForeachItems       = 1000 // max_items when a foreach sets none
	DefaultForeachConcurrency = 1    // concurrency when a foreach sets none
)

// Limits bounds what a definition may ask for. Zero fields take defaults.
type Limits struct {
	MaxSteps          int
	MaxNesting        int
	MaxConcurrency    int
	MaxForeachItems   int
	MaxRetryAttempts  int
	MaxStepTimeout    time.Duration
	MaxWait           time.Duration
	MaxRunTimeout     time.Duration
	MaxRespondTimeout time.Duration
	MinScheduleEvery  time.Duration
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxSteps, DefaultMaxSteps)
	def(&l.MaxNesting, DefaultMaxNesting)
	def(&l.MaxConcurrency, DefaultMaxConcurrency)
	def(&l.MaxForeachItems, DefaultMaxForeachItems)
	def(&l.MaxRetryAttempts, DefaultMaxRetryAttempts)
	defD(&l.MaxStepTimeout, DefaultMaxStepTimeout)
	defD(&l.MaxWait, DefaultMaxWait)
	defD(&l.MaxRunTimeout, DefaultMaxRunTimeout)
	defD(&l.MaxRespondTimeout, DefaultMaxRespondTimeout)
	defD(&l.MinScheduleEvery, DefaultMinScheduleEvery)
	return l
}

// Validator checks definitions. The zero value is usable: nil Env skips
// catalog checks (see Env), zero Limits take the defaults and a nil
// Compiler uses a private one.
type Validator struct {
	Env      Env
	Limits   Limits
	Compiler *expression.Compiler
	// Samples are sample bodies of the trigger's events; Check warns about
	// trigger paths none of them holds (see samples.go). Validate ignores
	// them.
	Samples []json.RawMessage
}

var defaultCompiler = expression.NewCompiler(expression.Limits{})

// Validate checks def completely with default limits and returns every
// problem found, in document order.
func Validate(def *Definition, env Env) []Error {
	return (&Validator{Env: env}).Validate(def)
}

// Validate checks def completely and returns every problem found.
func (v *Validator) Validate(def *Definition) []Error {
	errs, _ := v.Check(def)
	return errs
}

func (v *Validator) newRun(def *Definition) *run {
	c := v.Compiler
	if c == nil {
		c = defaultCompiler
	}
	return &run{v: v, env: v.Env, limits: v.Limits.withDefaults(), c: c, def: def, ids: map[string]*node{},
		samples: newSampleSet(v.Samples)}
}

// node is one step with where it sits.
type node struct {
	step  *Step
	path  string
	list  *list
	index int
	// avail is the set of step ids that have run on every path to this
	// step; nil when unknown (the step is unreachable or its list has a cycle).
	avail map[string]bool
}

// list is one step list: the top level, a foreach body or a parallel branch.
type list struct {
	path   string // path of the list, e.g. "steps" or "steps[3].steps"
	nodes  []*node
	loop   bool // inside a foreach body, at any depth
	parent *node
	cyclic bool
	self   bool // the parent's own output is available inside (subList.self)
}

type run struct {
	v      *Validator
	env    Env
	limits Limits
	c      *expression.Compiler
	def    *Definition
	ids    map[string]*node
	lists  []*list
	count  int
	errs   []Error
	// samples, when set, make every trigger path a warning unless one of
	// them holds it.
	samples *sampleSet
	warns   []Error
}

func (r *run) errorf(path, format string, args ...any) {
	r.errs = append(r.errs, Error{Path: path, Message: fmt.Sprintf(format, args...)})
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (r *run) definition() {
	def := r.def
	// Register every step first (the trigger filter and vars must know the
	// ids), but report in document order: name, trigger, settings, vars,
	// then steps.
	var top *list
	if len(def.Steps) > 0 {
		top = r.collect("steps", def.Steps, false, nil, 1)
	}
	stepErrs := r.errs
	r.errs = nil
	if strings.TrimSpace(def.Name) == "" {
		r.errorf("name", "is required")
	}
	r.trigger(&def.Trigger)
	r.settings(&def.Settings)
	for _, k := range sortedKeys(def.Vars) {
		p := join("vars", k)
		if !identRE.MatchString(k) {
			r.errorf(p, "variable names are letters, digits and _, starting with a letter or _")
		}
		r.templates(p, def.Vars[k], nil, expression.Context{})
	}
	if top == nil {
		r.errorf("steps", "a workflow needs at least one step")
		return
	}
	r.errs = append(r.errs, stepErrs...)
	for _, l := range r.lists {
		r.graph(l)
	}
	r.availability(top, map[string]bool{})
	for _, l := range r.lists {
		for _, n := range l.nodes {
			r.step(n)
		}
	}
}

// collect registers the steps of a list and of the lists nested in it.
func (r *run) collect(path string, steps []*Step, loop bool, parent *node, depth int) *list {
	l := &list{path: path, loop: loop, parent: parent}
	r.lists = append(r.lists, l)
	if depth > r.limits.MaxNesting {
		r.errorf(path, "steps are nested %d deep, over the limit of %d", depth, r.limits.MaxNesting)
		return l
	}
	for i, s := range steps {
		p := fmt.Sprintf("%s[%d]", path, i)
		if s == nil {
			r.errorf(p, "a step must be an object")
			s = &Step{}
			steps[i] = s
		}
		r.count++
		if r.count == r.limits.MaxSteps+1 {
			r.errorf(p, "a workflow may have at most %d steps", r.limits.MaxSteps)
		}
		n := &node{step: s, path: p, list: l, index: i}
		l.nodes = append(l.nodes, n)
		switch {
		case s.ID == "":
			r.errorf(p+".id", "is required")
		case !identRE.MatchString(s.ID):
			r.errorf(p+".id", "step id %q must be letters, digits and _, starting with a letter or _ (it is used as steps.%s)", s.ID, s.ID)
		case r.ids[s.ID] != nil:
			r.errorf(p+".id", "duplicate step id %q (first used at %s)", s.ID, r.ids[s.ID].path)
		default:
			r.ids[s.ID] = n
		}
		if k, ok := kindsByName[s.Type]; ok && k.lists != nil {
			for _, sub := range k.lists(s, p) {
				l := r.collect(sub.path, sub.steps, loop || sub.loop, n, depth+1)
				l.self = sub.self
			}
		}
	}
	return l
}

// edge is a possible move from one step to another (to == nil: the end of
// the list). keeps says whether the source's output is available after it
// (false for on_error goto, which is taken when the step failed).
type edge struct {
	field string
	to    *node
	keeps bool
}

// edges returns the moves out of n; unknown targets are reported by step().
// A step of an unknown kind continues like most kinds do.
func (r *run) edges(n *node) []edge {
	m := &moves{r: r, n: n}
	if k, ok := kindsByName[n.step.Type]; ok {
		k.edges(m)
	} else {
		continues(m)
	}
	if g := n.step.GotoTarget(); g != "" {
		m.to("on_error", g, false)
	}
	return m.out
}

// target resolves id as a step of n's list, or nil.
func (r *run) target(n *node, id string) *node {
	t := r.ids[id]
	if t == nil || t.list != n.list {
		return nil
	}
	return t
}

// checkTarget reports a next/case/default/on_timeout/goto target that does
// not name a step of the same list.
func (r *run) checkTarget(n *node, field, id string) {
	t := r.ids[id]
	switch {
	case t == nil:
		r.errorf(n.path+"."+field, "unknown step %q", id)
	case t.list != n.list:
		r.errorf(n.path+"."+field, "step %q is in another step list (%s); next, cases and goto stay within one list", id, t.list.path)
	case t == n:
		r.errorf(n.path+"."+field, "step %q cannot go to itself", id)
	}
}

// graph reports unreachable steps and cycles in one list.
func (r *run) graph(l *list) {
	if len(l.nodes) == 0 {
		return
	}
	reached := map[*node]bool{l.nodes[0]: true}
	queue := []*node{l.nodes[0]}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, e := range r.edges(n) {
			if e.to != nil && !reached[e.to] {
				reached[e.to] = true
				queue = append(queue, e.to)
			}
		}
	}
	for _, n := range l.nodes {
		if !reached[n] {
			r.errorf(n.path, "step %q is unreachable from the start of its list (no next, case or goto leads to it)", n.step.ID)
		}
	}
	// Cycles: depth-first search; a back edge closes a cycle.
	const (
		white = iota
		grey
		black
	)
	color := map[*node]int{}
	var stack []*node
	var visit func(n *node)
	visit = func(n *node) {
		color[n] = grey
		stack = append(stack, n)
		for _, e := range r.edges(n) {
			if e.to == nil {
				continue
			}
			switch color[e.to] {
			case white:
				visit(e.to)
			case grey:
				l.cyclic = true
				var ids []string
				for i := len(stack) - 1; i >= 0; i-- {
					ids = append([]string{stack[i].step.ID}, ids...)
					if stack[i] == e.to {
						break
					}
				}
				ids = append(ids, e.to.step.ID)
				path := n.path
				if e.field != "" {
					path += "." + e.field
				}
				r.errorf(path, "cycle: %s (steps form a DAG; loop with foreach)", strings.Join(ids, " → "))
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
	}
	for _, n := range l.nodes {
		if color[n] == white {
			visit(n)
		}
	}
}

// availability computes, for every step of l reachable from its start,
// which steps have run on every path to it, given the set entry available
// when the list starts. It returns the set available when the list ends
// normally (nil if it never does).
func (r *run) availability(l *list, entry map[string]bool) map[string]bool {
	if len(l.nodes) == 0 || l.cyclic {
		return nil
	}
	in := map[*node]map[string]bool{l.nodes[0]: entry}
	var exit map[string]bool
	meet := func(dst map[string]bool, src map[string]bool) map[string]bool {
		if dst == nil {
			return copySet(src)
		}
		for k := range dst {
			if !src[k] {
				delete(dst, k)
			}
		}
		return dst
	}
	// Kahn's algorithm over the reachable sub-graph.
	indeg := map[*node]int{}
	reached := map[*node]bool{l.nodes[0]: true}
	order := []*node{l.nodes[0]}
	for i := 0; i < len(order); i++ {
		for _, e := range r.edges(order[i]) {
			if e.to != nil {
				indeg[e.to]++
				if !reached[e.to] {
					reached[e.to] = true
					order = append(order, e.to)
				}
			}
		}
	}
	ready := []*node{l.nodes[0]}
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		n.avail = in[n]
		out := copySet(n.avail)
		joins := false
		if k, ok := kindsByName[n.step.Type]; ok {
			joins = k.joins
		}
		for _, sub := range r.lists {
			if sub.parent == n {
				entry := n.avail
				if sub.self && entry != nil {
					entry = copySet(entry)
					entry[n.step.ID] = true
				}
				exit := r.availability(sub, entry)
				if joins {
					for k := range exit {
						out[k] = true
					}
				}
			}
		}
		out[n.step.ID] = true
		for _, e := range r.edges(n) {
			contrib := out
			if !e.keeps {
				contrib = n.avail
			}
			if e.to == nil {
				exit = meet(exit, contrib)
				continue
			}
			in[e.to] = meet(in[e.to], contrib)
			indeg[e.to]--
			if indeg[e.to] == 0 {
				ready = append(ready, e.to)
			}
		}
	}
	return exit
}

func copySet(s map[string]bool) map[string]bool {
	out := make(map[string]bool, len(s)+1)
	for k, v := range s {
		out[k] = v
	}
	return out
}

// foreignFields reports set fields that belong neither to every step nor
// to the step's kind.
func (r *run) foreignFields(n *node, k *KindSpec) {
	allowed := map[string]bool{}
	for _, f := range CommonFields {
		allowed[f.Name] = true
	}
	for _, f := range k.Fields {
		allowed[f.Name] = true
	}
	v := reflect.ValueOf(n.step).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := jsonName(t.Field(i))
		if name == "" || allowed[name] || v.Field(i).IsZero() {
			continue
		}
		r.errorf(n.path, "field %q is not allowed on a%s %s step", name, article(string(n.step.Type)), n.step.Type)
	}
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "n"
	}
	return ""
}

// ctx returns the expression context of fields of n.
func (n *node) ctx() expression.Context { return expression.Context{Loop: n.list.loop} }

// expr checks an expression field of n.
func (r *run) expr(n *node, field, src string, ctx expression.Context) {
	path := n.path + "." + field
	refs, err := r.c.CheckExpr(src, ctx)
	if err != nil {
		r.errs = append(r.errs, exprError(path, err))
		return
	}
	r.refs(path, n, refs)
	r.samplePaths(path, expression.ExprPaths(src))
}

// templates checks every template string inside a JSON value at path.
// n is nil outside steps (vars, trigger), where no step output exists.
func (r *run) templates(path string, v any, n *node, ctx expression.Context) {
	switch x := v.(type) {
	case string:
		r.template(path, x, n, ctx)
	case map[string]any:
		for _, k := range sortedKeys(x) {
			r.templates(join(path, k), x[k], n, ctx)
		}
	case []any:
		for i, e := range x {
			r.templates(fmt.Sprintf("%s[%d]", path, i), e, n, ctx)
		}
	}
}

// template checks one string; it returns typed (exactly one {{ }}) and
// whether it is a template at all.
func (r *run) template(path, s string, n *node, ctx expression.Context) (typed, isTemplate bool) {
	if !expression.IsTemplate(s) {
		return false, false
	}
	refs, typed, err := r.c.CheckTemplate(s, ctx)
	if err != nil {
		r.errs = append(r.errs, exprError(path, err))
		return false, true
	}
	r.refs(path, n, refs)
	r.samplePaths(path, expression.TemplatePaths(s))
	return typed, true
}

// refs checks steps.<id> and vars.<name> references made at path by n.
func (r *run) refs(path string, n *node, refs []expression.Ref) {
	for _, ref := range refs {
		e := Error{Path: path, Position: ref.Position(), Snippet: ref.Snippet}
		switch ref.Root {
		case expression.RootVars:
			if _, ok := r.def.Vars[ref.Name]; !ok {
				e.Message = fmt.Sprintf("unknown variable %q", ref.Name)
				r.errs = append(r.errs, e)
			}
		case expression.RootSteps:
			target := r.ids[ref.Name]
			switch {
			case target == nil:
				e.Message = fmt.Sprintf("unknown step %q", ref.Name)
			case n == nil:
				e.Message = fmt.Sprintf("step %q has not run here: no step runs before the trigger and vars are evaluated", ref.Name)
			case target == n:
				e.Message = fmt.Sprintf("step %q cannot use its own output", ref.Name)
			case n.avail == nil:
				continue // unreachable or cyclic: already reported
			case !n.avail[ref.Name]:
				e.Message = fmt.Sprintf("step %q does not run before this step on every path", ref.Name)
			default:
				continue
			}
			r.errs = append(r.errs, e)
		}
	}
}

func (r *run) duration(path string, d Duration, max time.Duration, required bool) time.Duration {
	if d == "" {
		if required {
			r.errorf(path, "is required")
		}
		return 0
	}
	v, err := d.Parse()
	switch {
	case err != nil:
		r.errorf(path, "%v", err)
	case v <= 0:
		r.errorf(path, "must be positive, got %q", d)
	case max > 0 && v > max:
		r.errorf(path, "%q is over the limit of %s", d, formatDuration(max))
	}
	return v
}

// formatDuration writes whole days as "365d".
func formatDuration(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func (r *run) trigger(t *Trigger) {
	switch t.Type {
	case TriggerWebhook:
		if t.Connector == "" {
			r.errorf("trigger.connector", "is required for a webhook trigger")
		}
		if t.Schedule != nil {
			r.errorf("trigger.schedule", "is only allowed on a schedule trigger")
		}
	case TriggerSchedule, TriggerManual:
		for _, f := range []struct {
			field string
			set   bool
		}{{"connector", t.Connector != ""}, {"credential", t.Credential != ""}, {"events", len(t.Events) > 0},
			{"respond", t.Respond != ""}, {"respond_timeout", t.RespondTimeout != ""}, {"options", len(t.Options) > 0},
			{"correlation_key", t.CorrelationKey != ""}} {
			if f.set {
				r.errorf("trigger."+f.field, "is only allowed on a webhook trigger")
			}
		}
		if t.Type == TriggerManual && t.Schedule != nil {
			r.errorf("trigger.schedule", "is only allowed on a schedule trigger")
		}
		if t.Type == TriggerSchedule {
			r.schedule(t.Schedule)
		}
	case "":
		r.errorf("trigger.type", "is required: webhook, schedule or manual")
	default:
		r.errorf("trigger.type", "unknown trigger type %q: want webhook, schedule or manual", t.Type)
	}
	switch t.Respond {
	case "", RespondImmediate, RespondOnComplete:
	default:
		r.errorf("trigger.respond", "unknown respond mode %q: want immediate or on_complete", t.Respond)
	}
	r.duration("trigger.respond_timeout", t.RespondTimeout, r.limits.MaxRespondTimeout, false)
	r.checkRunName(t.RunName)
	if t.Filter != "" {
		refs, err := r.c.CheckExpr(t.Filter, expression.Context{})
		if err != nil {
			r.errs = append(r.errs, exprError("trigger.filter", err))
		} else {
			r.refs("trigger.filter", nil, refs)
		}
	}
	if t.OrderKey != "" {
		if msg := checkBodyPath(t.OrderKey); msg != "" {
			r.errorf("trigger.order_key", "%s", msg)
		}
	}
	if t.CorrelationKey != "" {
		if msg := checkBodyPath(t.CorrelationKey); msg != "" {
			r.errorf("trigger.correlation_key", "%s", msg)
		}
	}
	r.orderingOptions(t)
	for i, e := range t.Events {
		if strings.TrimSpace(e) == "" {
			r.errorf(fmt.Sprintf("trigger.events[%d]", i), "must not be empty")
		}
	}
	if r.env == nil || t.Connector == "" {
		return
	}
	spec, ok := r.env.Connector(t.Connector)
	if !ok {
		r.errorf("trigger.connector", "unknown connector %q", t.Connector)
		return
	}
	trig := ConnectorTrigger(spec, t.Type)
	if trig == nil {
		r.errorf("trigger.connector", "connector %q has no webhook trigger", t.Connector)
	} else {
		r.fields("trigger.options", t.Options, trig.Options, nil, expression.Context{})
	}
	r.credential("trigger.credential", t.Credential, t.Connector, spec)
}

func (r *run) schedule(s *Schedule) {
	if s == nil {
		r.errorf("trigger.schedule", "is required for a schedule trigger")
		return
	}
	switch {
	case s.Cron == "" && s.Every == "":
		r.errorf("trigger.schedule", "set cron or every")
	case s.Cron != "" && s.Every != "":
		r.errorf("trigger.schedule", "set cron or every, not both")
	case s.Cron != "":
		if _, err := cron.ParseStandard(s.Cron); err != nil {
			r.errorf("trigger.schedule.cron", "invalid cron expression %q: %v", s.Cron, err)
		}
	default:
		if d := r.duration("trigger.schedule.every", s.Every, 0, true); d > 0 && d < r.limits.MinScheduleEvery {
			r.errorf("trigger.schedule.every", "%q is shorter than the minimum of %s", s.Every, r.limits.MinScheduleEvery)
		}
	}
	if s.Timezone != "" {
		if _, err := time.LoadLocation(s.Timezone); err != nil {
			r.errorf("trigger.schedule.timezone", "unknown time zone %q", s.Timezone)
		}
	}
}

func (r *run) settings(s *Settings) {
	r.duration("settings.run_timeout", s.RunTimeout, r.limits.MaxRunTimeout, false)
	r.workflowTarget("settings.error_workflow", s.ErrorWorkflow)
}

// workflowTarget checks that a workflow named at path exists, when the Env
// knows the saved workflows (WorkflowLookup).
func (r *run) workflowTarget(path, target string) {
	lookup, ok := r.env.(WorkflowLookup)
	if target == "" || !ok || target == r.def.Name || lookup.WorkflowExists(target) {
		return
	}
	r.errorf(path, "workflow %q does not exist: save it first, or use the id or name of a saved workflow", target)
}

// credential checks that a named credential exists and belongs to
// connector (when the Env knows); spec, when not nil, says whether the
// connector needs one.
func (r *run) credential(path, name, connector string, spec *connectors.Spec) {
	if name == "" {
		if spec != nil && len(spec.Credential) > 0 && path != "trigger.credential" {
			r.errorf(path, "connector %q needs a credential", connector)
		}
		return
	}
	owner, ok := r.env.Credential(name)
	switch {
	case !ok:
		r.errorf(path, "unknown credential %q", name)
	case owner != "" && connector != "" && owner != connector:
		r.errorf(path, "credential %q belongs to connector %q, not %q", name, owner, connector)
	case spec != nil && path != "trigger.credential":
		r.actionFields(path, name, spec)
	}
}

// actionFields refuses an action step's credential that lacks a field the
// connector's actions need, when the Env knows the credential's fields: a
// credential saved for the trigger alone holds only its secret.
func (r *run) actionFields(path, name string, spec *connectors.Spec) {
	cf, ok := r.env.(CredentialFielder)
	if !ok {
		return
	}
	held, ok := cf.CredentialFields(name)
	if !ok {
		return
	}
	var missing []string
	for _, f := range spec.Credential {
		if f.ForActions && f.Required && f.Default == nil && !slices.Contains(held, f.Name) {
			missing = append(missing, f.Name)
		}
	}
	if len(missing) > 0 {
		r.errorf(path, "credential %q has no %s, which %s actions need (it holds only the trigger's fields); add it to the credential",
			name, strings.Join(missing, " or "), spec.Title)
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// step checks one step: what every step shares, then its kind's own
// fields.
func (r *run) step(n *node) {
	s := n.step
	p := n.path
	if s.Type == "" {
		r.errorf(p+".type", "is required: one of %s", kindList())
		return
	}
	k, ok := kindsByName[s.Type]
	if !ok {
		r.errorf(p+".type", "unknown step type %q: want one of %s", s.Type, kindList())
		return
	}
	r.foreignFields(n, k)
	for _, t := range []struct{ field, id string }{{"next", s.Next}, {"default", s.Default}, {"on_timeout", s.OnTimeout}} {
		if t.id != "" {
			r.checkTarget(n, t.field, t.id)
		}
	}
	switch s.OnError {
	case "", OnErrorFail, OnErrorContinue:
	default:
		if g := s.GotoTarget(); g != "" {
			r.checkTarget(n, "on_error", g)
		} else {
			r.errorf(p+".on_error", "unknown on_error %q: want fail, continue or goto:<step id>", s.OnError)
		}
	}
	r.retry(p+".retry", s.Retry)
	r.duration(p+".timeout", s.Timeout, r.limits.MaxStepTimeout, false)
	k.validate(r, n)
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func (r *run) retry(path string, rt *Retry) {
	if rt == nil {
		return
	}
	if rt.MaxAttempts != 0 && (rt.MaxAttempts < 1 || rt.MaxAttempts > r.limits.MaxRetryAttempts) {
		r.errorf(path+".max_attempts", "must be between 1 and %d, got %d", r.limits.MaxRetryAttempts, rt.MaxAttempts)
	}
	initial := r.duration(path+".initial_interval", rt.InitialInterval, DefaultMaxRetryInterval, false)
	maxI := r.duration(path+".max_interval", rt.MaxInterval, DefaultMaxRetryInterval, false)
	if initial > 0 && maxI > 0 && maxI < initial {
		r.errorf(path+".max_interval", "%q is shorter than initial_interval %q", rt.MaxInterval, rt.InitialInterval)
	}
	if rt.Backoff != 0 && (rt.Backoff < 1 || rt.Backoff > DefaultMaxBackoff) {
		r.errorf(path+".backoff", "must be between 1 and %g, got %g", DefaultMaxBackoff, rt.Backoff)
	}
	for i, k := range rt.NonRetryable {
		if strings.TrimSpace(k) == "" {
			r.errorf(fmt.Sprintf("%s.non_retryable[%d]", path, i), "must not be empty")
		}
	}
}

func (r *run) headers(path string, h map[string]string, n *node) {
	for _, k := range sortedKeys(h) {
		if strings.TrimSpace(k) == "" {
			r.errorf(path, "empty name")
		}
		r.template(join(path, k), h[k], n, n.ctx())
	}
}
