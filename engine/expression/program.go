package expression

import (
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

func compileProgram(src string, opts []expr.Option) (*vm.Program, error) {
	return expr.Compile(src, opts...)
}
