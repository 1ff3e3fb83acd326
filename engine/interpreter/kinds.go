package interpreter

import (
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// stepKind runs the steps of one kind in workflow code. rec is the index
// of the step's record in the run log, which a kind may annotate (input,
// attempts, waiting). It returns the step's output; the id of the step to
// run next ("" means the step's next or the following step); how the step
// list goes on; and the failure, which the caller handles with the step's
// on_error.
//
// Each kind lives in its own kind_<name>.go, next to its spec in
// engine/definition/kind_<name>.go. A kind is a type rather than a method
// value so that the table below does not make the package's
// initialization depend on the runner's methods, which reach back to it.
type stepKind interface {
	run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, rec int) (out any, next string, ctrl control, err error)
}

// stepKinds runs every kind of definition.KindSpecs;
// TestEveryKindHasAnExecutor keeps the two lists in step.
var stepKinds = map[definition.Kind]stepKind{
	definition.KindAction:       actionStep{},
	definition.KindHTTP:         httpStep{},
	definition.KindFilter:       filterStep{},
	definition.KindBranch:       branchStep{},
	definition.KindSwitch:       switchStep{},
	definition.KindMap:          mapStep{},
	definition.KindCode:         codeStep{},
	definition.KindLoop:         loopStep{},
	definition.KindForeach:      foreachStep{},
	definition.KindParallel:     parallelStep{},
	definition.KindDelay:        delayStep{},
	definition.KindWaitForEvent: waitStep{},
	definition.KindRespond:      respondStep{},
	definition.KindCallWorkflow: callStep{},
	definition.KindStop:         stopStep{},
	definition.KindFail:         failStep{},
	definition.KindData:         dataStep{},
}
