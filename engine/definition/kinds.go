package definition

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
)

// KindSpec describes one step kind (see the package documentation, "Step
// kinds"). Its exported fields are data, served to the API and the
// editor; the unexported ones are its behaviour in validation.
type KindSpec struct {
	Kind        Kind   `json:"kind"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Output says what steps.<id> holds after the step has run.
	Output string `json:"output"`
	// Flow says where a run goes after a step of this kind.
	Flow Flow `json:"flow"`
	// Fields are the fields the kind accepts beyond CommonFields, in the
	// order a form shows them. A step that sets any other field is
	// refused.
	Fields []StepField `json:"fields"`
	// Choice, when set, says the step sets the fields of one of its
	// options only (a delay waits for a duration or until a time).
	Choice *Choice `json:"choice,omitempty"`

	// validate checks the kind's own fields; the checks every step shares
	// have run before it.
	validate func(r *run, n *node)
	// edges adds the moves out of a step of this kind (on_error goto is
	// added for every kind by the walk).
	edges func(m *moves)
	// lists returns the step lists nested in a step of this kind, each
	// entered at its first step.
	lists func(s *Step, path string) []subList
	// joins says that steps which run on every path of the nested lists
	// are available after the step (parallel branches join; foreach
	// iterations do not: only the array of their outputs is).
	joins bool
}

// Flow is where a run goes after a step.
type Flow string

// The flows of step kinds.
const (
	// FlowNext continues at the step named by next, or at the following
	// step of the list.
	FlowNext Flow = "next"
	// FlowChoose continues at the first case whose condition holds, or at
	// default, or at the following step.
	FlowChoose Flow = "choose"
	// FlowEnd ends the run.
	FlowEnd Flow = "end"
)

// StepField describes one field of a step: connectors.Field's name,
// title, JSON type, required flag, default, example, enum, help and
// pattern, plus what a string in it means (Format), bounds of a number,
// and the parts of an object or of each element of an array (Fields).
//
// Required means the field must be set for every step of the kind; fields
// required only in some cases (a wait's correlation_key, with event) say
// so in Help. Minimum, Maximum and defaults are the built-in limits; a
// deployment may configure others (see Limits).
type StepField struct {
	connectors.Field
	Format FieldFormat `json:"format,omitempty"`
	// Option marks the per-step options (next, retry, timeout, on_error)
	// that forms show apart from the kind's own fields.
	Option   bool     `json:"option,omitempty"`
	Minimum  *float64 `json:"minimum,omitempty"`
	Maximum  *float64 `json:"maximum,omitempty"`
	MinItems int      `json:"min_items,omitempty"`
	// Connector is, for a credential field, the connector whose
	// credentials it takes ("" means the step's own connector).
	Connector string      `json:"connector,omitempty"`
	Fields    []StepField `json:"fields,omitempty"`
}

// FieldFormat says what the value of a step field means beyond its JSON
// type.
type FieldFormat string

// The formats of step fields.
const (
	// FormatExpression is an expr-lang expression, such as
	// trigger.amount >= 100.
	FormatExpression FieldFormat = "expression"
	// FormatCondition is an expression read as true or false (null is
	// false), such as a filter's if: the editor offers its condition
	// builder and a true/false preview for it.
	FormatCondition FieldFormat = "condition"
	// FormatTemplate is text with {{ expression }} templates.
	FormatTemplate FieldFormat = "template"
	// FormatTemplates is any JSON value whose strings are templates.
	FormatTemplates FieldFormat = "templates"
	// FormatTemplateMap is an object of template strings (headers, query).
	FormatTemplateMap FieldFormat = "template_map"
	// FormatMapping is a map step's mapping: output field → gjson path,
	// template, nested mapping or literal.
	FormatMapping FieldFormat = "mapping"
	// FormatDuration is a duration such as 30s, 5m, 2h or 3d.
	FormatDuration FieldFormat = "duration"
	// FormatStep is the id of another step of the same step list.
	FormatStep FieldFormat = "step"
	// FormatOnError is fail, continue or goto:<step id>.
	FormatOnError FieldFormat = "on_error"
	// FormatSteps is a nested step list.
	FormatSteps FieldFormat = "steps"
	// FormatList is a list of plain strings.
	FormatList FieldFormat = "list"
	// FormatConnector, FormatAction and FormatInput name a connector of
	// the catalog, one of its actions and that action's input fields.
	FormatConnector FieldFormat = "connector"
	FormatAction    FieldFormat = "action"
	FormatInput     FieldFormat = "input"
	// FormatCredential names a saved credential (of StepField.Connector).
	FormatCredential FieldFormat = "credential"
	// FormatWorkflow is the id of a saved workflow.
	FormatWorkflow FieldFormat = "workflow"
)

// Choice says that a step sets the fields of one of Options only.
type Choice struct {
	Title   string         `json:"title"`
	Options []ChoiceOption `json:"options"`
}

// ChoiceOption is one option of a Choice and the fields that belong to it.
type ChoiceOption struct {
	Title  string   `json:"title"`
	Fields []string `json:"fields"`
}

// kindSpecs is the one list of step kinds, in documentation order.
var kindSpecs = []*KindSpec{
	actionKind, httpKind, filterKind, branchKind, switchKind, mapKind,
	foreachKind, parallelKind, delayKind, waitForEventKind, respondKind, callWorkflowKind,
	stopKind, failKind, dataKind, codeKind, loopKind,
}

// kindsByName indexes kindSpecs.
var kindsByName = func() map[Kind]*KindSpec {
	m := make(map[Kind]*KindSpec, len(kindSpecs))
	for _, k := range kindSpecs {
		if m[k.Kind] != nil {
			panic(fmt.Sprintf("step kind %q is declared twice", k.Kind))
		}
		m[k.Kind] = k
	}
	return m
}()

// Kinds lists every step kind, in documentation order.
var Kinds = func() []Kind {
	out := make([]Kind, len(kindSpecs))
	for i, k := range kindSpecs {
		out[i] = k.Kind
	}
	return out
}()

// KindSpecs returns the spec of every step kind, in documentation order.
// The specs are shared: callers must not modify them.
func KindSpecs() []*KindSpec { return kindSpecs }

// KindSpecOf returns the spec of kind k.
func KindSpecOf(k Kind) (*KindSpec, bool) {
	s, ok := kindsByName[k]
	return s, ok
}

// CommonFields are the fields every step has, whatever its kind.
var CommonFields = []StepField{
	{Field: connectors.Field{Name: "id", Title: "Step id", Type: connectors.TypeString, Required: true, Example: "notify_sales",
		Pattern: identRE.String(), PatternHelp: "letters, digits and _, starting with a letter or _",
		Help: "Letters, digits and _. Later steps read its output as steps.<id>."}},
	{Field: connectors.Field{Name: "type", Title: "Kind", Type: connectors.TypeString, Required: true, Enum: kindNames()}},
	{Field: connectors.Field{Name: "name", Title: "Name", Type: connectors.TypeString,
		Help: "Optional label shown in the editor and run inspector."}},
	{Field: connectors.Field{Name: "description", Title: "Description", Type: connectors.TypeString}},
}

func kindNames() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = string(k)
	}
	return out
}

// The per-step options, shared by the kinds that accept them.
var (
	optNext = StepField{Field: connectors.Field{Name: "next", Title: "Then go to", Type: connectors.TypeString,
		Help: "The step to run next, in the same list; by default the following step."}, Format: FormatStep, Option: true}
	optTimeout = StepField{Field: connectors.Field{Name: "timeout", Title: "Timeout", Type: connectors.TypeString, Example: "30s",
		Help: "How long one attempt may take."}, Format: FormatDuration, Option: true}
	optOnError = StepField{Field: connectors.Field{Name: "on_error", Title: "When this step fails", Type: connectors.TypeString, Default: OnErrorFail,
		Pattern: `^(fail|continue|goto:[A-Za-z_][A-Za-z0-9_]*)$`, PatternHelp: "fail, continue or goto:<step id>",
		Help: "fail the run, continue with the next step (the step's output is then {\"error\": {\"message\", \"class\"}}) or goto:<step id>."},
		Format: FormatOnError, Option: true}
	optRetry = StepField{Field: connectors.Field{Name: "retry", Title: "Retries", Type: connectors.TypeObject,
		Help: "How often and how patiently a failing call is tried again; permanent errors are never retried."},
		Option: true, Fields: []StepField{
			{Field: connectors.Field{Name: "max_attempts", Title: "Max attempts", Type: connectors.TypeInteger, Example: 5},
				Minimum: bound(1), Maximum: bound(DefaultMaxRetryAttempts)},
			{Field: connectors.Field{Name: "initial_interval", Title: "First pause", Type: connectors.TypeString, Example: "1s"}, Format: FormatDuration},
			{Field: connectors.Field{Name: "backoff", Title: "Backoff factor", Type: connectors.TypeNumber, Example: 2},
				Minimum: bound(1), Maximum: bound(DefaultMaxBackoff)},
			{Field: connectors.Field{Name: "max_interval", Title: "Longest pause", Type: connectors.TypeString, Example: "5m"}, Format: FormatDuration},
			{Field: connectors.Field{Name: "non_retryable", Title: "Never retry", Type: connectors.TypeArray, Example: []any{"rate_limited"},
				Help: "Error classes (permanent, rate_limited) or provider error codes that are not retried."}, Format: FormatList},
		}}
)

func bound(v float64) *float64 { return &v }

// subList is a step list nested in a step.
type subList struct {
	path  string
	steps []*Step
	// loop is true for a foreach body, whose steps see item and index.
	loop bool
	// self is true for a list that runs inside its step before the step
	// ends and sees the step's early output (an approval's notify steps
	// see steps.<wait id>.links).
	self bool
}

// moves collects the edges out of one step.
type moves struct {
	r   *run
	n   *node
	out []edge
}

// to adds a move to the step named id, when it is in n's list (unknown
// targets are reported by the step's own checks).
func (m *moves) to(field, id string, keeps bool) {
	if id == "" {
		return
	}
	if t := m.r.target(m.n, id); t != nil {
		m.out = append(m.out, edge{field: field, to: t, keeps: keeps})
	}
}

// following adds the move to the next step of the list, or to its end.
func (m *moves) following(field string) {
	if m.n.index+1 < len(m.n.list.nodes) {
		m.out = append(m.out, edge{field: field, to: m.n.list.nodes[m.n.index+1], keeps: true})
	} else {
		m.out = append(m.out, edge{field: field, keeps: true})
	}
}

// continues is the flow of most kinds: next, or the following step.
func continues(m *moves) {
	if s := m.n.step; s.Next != "" {
		m.to("next", s.Next, true)
	} else {
		m.following("")
	}
}

// ends is the flow of stop and fail: no move.
func ends(*moves) {}
