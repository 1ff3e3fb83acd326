package definition

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
)

// KindParallel runs branches at the same time and joins them.
const KindParallel Kind = "parallel"

var parallelKind = &KindSpec{
	Kind:        KindParallel,
	Title:       "Parallel",
	Description: "Run branches at the same time and wait for all.",
	Output: `{"<branch name>": {"<step id>": output, …}, …}; steps that run on every path of a branch ` +
		"are also visible as steps.<id> after the join.",
	Flow: FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "branches", Title: "Branches", Type: connectors.TypeArray, Required: true}, MinItems: 2,
			Fields: []StepField{
				{Field: connectors.Field{Name: "name", Title: "Branch name", Type: connectors.TypeString, Required: true, Example: "crm",
					Pattern: identRE.String(), PatternHelp: "letters, digits and _, starting with a letter or _"}},
				{Field: connectors.Field{Name: "steps", Title: "Steps", Type: connectors.TypeArray, Required: true}, Format: FormatSteps, MinItems: 1},
			}},
		optNext, optTimeout, optOnError,
	},
	validate: func(r *run, n *node) {
		s, p := n.step, n.path
		if len(s.Branches) < 2 {
			r.errorf(p+".branches", "a parallel step needs at least two branches")
		}
		names := map[string]bool{}
		for i, b := range s.Branches {
			bp := fmt.Sprintf("%s.branches[%d]", p, i)
			if b == nil {
				r.errorf(bp, "a branch must be an object")
				continue
			}
			switch {
			case b.Name == "":
				r.errorf(bp+".name", "is required")
			case !identRE.MatchString(b.Name):
				r.errorf(bp+".name", "branch name %q must be letters, digits and _, starting with a letter or _", b.Name)
			case names[b.Name]:
				r.errorf(bp+".name", "duplicate branch name %q", b.Name)
			}
			names[b.Name] = true
			if len(b.Steps) == 0 {
				r.errorf(bp+".steps", "a branch needs at least one step")
			}
		}
	},
	edges: continues,
	// A branch is not a loop: it sees item and index only when the
	// parallel step itself is inside a foreach body.
	lists: func(s *Step, path string) []subList {
		var out []subList
		for i, b := range s.Branches {
			if b != nil {
				out = append(out, subList{path: fmt.Sprintf("%s.branches[%d].steps", path, i), steps: b.Steps})
			}
		}
		return out
	},
	joins: true,
}
