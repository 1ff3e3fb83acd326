package definition

import (
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// KindDelay waits for a duration or until a time.
const KindDelay Kind = "delay"

var delayKind = &KindSpec{
	Kind:        KindDelay,
	Title:       "Delay",
	Description: "Wait for a duration or until a time.",
	Output:      `{"until": "<RFC 3339 time the delay ended>"}`,
	Flow:        FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "duration", Title: "Wait for", Type: connectors.TypeString, Example: "10m",
			Help: "A duration such as 10m, 2h or 3d."}, Format: FormatDuration},
		{Field: connectors.Field{Name: "until", Title: "Wait until", Type: connectors.TypeString, Example: "trigger.send_at",
			Help: "An RFC 3339 time, or an expression giving one."}, Format: FormatExpression},
		optNext, optOnError,
	},
	Choice: &Choice{Title: "Wait", Options: []ChoiceOption{
		{Title: "for a duration", Fields: []string{"duration"}},
		{Title: "until a time", Fields: []string{"until"}},
	}},
	validate: func(r *run, n *node) {
		s, p := n.step, n.path
		switch {
		case s.Duration == "" && s.Until == "":
			r.errorf(p, "a delay needs duration or until")
		case s.Duration != "" && s.Until != "":
			r.errorf(p, "a delay takes duration or until, not both")
		case s.Duration != "":
			r.duration(p+".duration", s.Duration, r.limits.MaxWait, true)
		default:
			// A literal RFC 3339 time is accepted as is; anything else is an
			// expression giving a time or an RFC 3339 string.
			if _, err := time.Parse(time.RFC3339, s.Until); err == nil {
				return
			}
			r.expr(n, "until", s.Until, n.ctx())
		}
	},
	edges: continues,
}
