package expression

import "github.com/expr-lang/expr/ast"

// nilSafe makes every member access optional, as if written with ?., so a
// missing field reads as null the way n8n and Zapier users expect
// (`default(trigger.data.object.metadata.order_id, "none")`) instead of
// failing the run. Operators on null still fail with a clear error.
type nilSafe struct{}

func (nilSafe) Visit(node *ast.Node) {
	if m, ok := (*node).(*ast.MemberNode); ok && !m.Optional {
		m.Optional = true
		// The compiler ends an optional access at its enclosing chain.
		ast.Patch(node, &ast.ChainNode{Node: m})
	}
}
