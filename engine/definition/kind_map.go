package definition

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
)

// KindMap builds an object from fields of the trigger and earlier steps.
const KindMap Kind = "map"

var mapKind = &KindSpec{
	Kind:        KindMap,
	Title:       "Map fields",
	Description: "Build an object from fields of the trigger and earlier steps.",
	Output:      "The object the mapping built.",
	Flow:        FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "map", Title: "Fields", Type: connectors.TypeObject, Required: true,
			Example: map[string]any{"email": "trigger.data.object.receipt_email"},
			Help:    "Each value is a path such as trigger.data.object.amount (click a field of the sample), a {{ template }}, a nested mapping, or a literal number/true/false."},
			Format: FormatMapping},
		optNext, optOnError,
	},
	validate: func(r *run, n *node) {
		if len(n.step.Map) == 0 {
			r.errorf(n.path+".map", "is required")
		}
		r.mapping(n.path+".map", n.step.Map, n)
	},
	edges: continues,
}

func (r *run) mapping(path string, m map[string]any, n *node) {
	for _, k := range sortedKeys(m) {
		r.mapValue(join(path, k), m[k], n)
	}
}

func (r *run) mapValue(path string, v any, n *node) {
	switch x := v.(type) {
	case string:
		if expression.IsTemplate(x) {
			r.template(path, x, n, n.ctx())
			return
		}
		refs, err := expression.CheckPath(x, n.ctx())
		if err != nil {
			r.errs = append(r.errs, exprError(path, err))
			return
		}
		r.refs(path, n, refs)
		r.samplePath(path, x)
	case map[string]any:
		r.mapping(path, x, n)
	case []any:
		for i, e := range x {
			r.mapValue(fmt.Sprintf("%s[%d]", path, i), e, n)
		}
	}
}
