package definition

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
)

// KindBranch goes to the first case whose condition holds.
const KindBranch Kind = "branch"

var branchKind = &KindSpec{
	Kind:        KindBranch,
	Title:       "Branch",
	Description: "Go to the first case whose condition holds.",
	Output:      `{"next": "<chosen step id>"}`,
	Flow:        FlowChoose,
	Fields: []StepField{
		{Field: connectors.Field{Name: "cases", Title: "Cases (first match wins)", Type: connectors.TypeArray, Required: true},
			MinItems: 1, Fields: []StepField{
				{Field: connectors.Field{Name: "if", Title: "If", Type: connectors.TypeString, Required: true, Example: "trigger.amount > 100"}, Format: FormatCondition},
				caseNext,
			}},
		caseDefault,
		optOnError,
	},
	validate: func(r *run, n *node) {
		r.cases(n, func(i int, c *Case, cp string) {
			if c.Equals != nil {
				r.errorf(cp+".equals", "is for switch cases; a branch case has if")
			}
			if c.If == "" {
				r.errorf(cp+".if", "is required")
			} else {
				r.expr(n, fmt.Sprintf("cases[%d].if", i), c.If, n.ctx())
			}
		})
	},
	edges: chooses,
}

// The fields branch and switch share.
var (
	caseNext    = StepField{Field: connectors.Field{Name: "next", Title: "Go to", Type: connectors.TypeString, Required: true}, Format: FormatStep}
	caseDefault = StepField{Field: connectors.Field{Name: "default", Title: "Otherwise go to", Type: connectors.TypeString,
		Help: "The step to run when no case matches; by default the following step."}, Format: FormatStep}
)

// chooses is the flow of branch and switch: every case's next, then
// default or the following step.
func chooses(m *moves) {
	s := m.n.step
	for i, c := range s.Cases {
		if c != nil {
			m.to(fmt.Sprintf("cases[%d].next", i), c.Next, true)
		}
	}
	if s.Default != "" {
		m.to("default", s.Default, true)
	} else {
		m.following("")
	}
}

// cases checks the cases of a branch or switch: there is one at least,
// each is an object, each passes check and names its next step.
func (r *run) cases(n *node, check func(i int, c *Case, path string)) {
	s, p := n.step, n.path
	if len(s.Cases) == 0 {
		r.errorf(p+".cases", "a %s needs at least one case", s.Type)
	}
	for i, c := range s.Cases {
		cp := fmt.Sprintf("%s.cases[%d]", p, i)
		if c == nil {
			r.errorf(cp, "a case must be an object")
			continue
		}
		check(i, c, cp)
		if c.Next == "" {
			r.errorf(cp+".next", "is required")
		} else {
			r.checkTarget(n, fmt.Sprintf("cases[%d].next", i), c.Next)
		}
	}
}
