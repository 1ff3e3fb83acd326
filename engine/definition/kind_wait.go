package definition

import (
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
)

// KindWaitForEvent waits durably for a correlated event or an approval.
const KindWaitForEvent Kind = "wait_for_event"

// MaxApproverLength bounds one approvers entry (an API key name or an
// email address).
const MaxApproverLength = 256

var waitForEventKind = &KindSpec{
	Kind:        KindWaitForEvent,
	Title:       "Wait for event",
	Description: "Wait for a matching webhook or an approval.",
	Output: `{"timed_out": bool, "event": <payload or null>}; for approvals ` +
		`{"timed_out", "approved", "by", "comment"}, plus "links" ({approver: one-time approval URL}) and "expires_at" when approvers are set.`,
	Flow: FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "event", Title: "Event type", Type: connectors.TypeString, Example: "payment_intent.succeeded",
			Help: "The type of the event to wait for."}},
		{Field: connectors.Field{Name: "correlation_key", Title: "Correlation key", Type: connectors.TypeString, Example: "trigger.data.object.customer",
			Help: "Required with event: an expression whose value must equal the incoming event's key (its trigger's correlation_key)."},
			Format: FormatExpression},
		{Field: connectors.Field{Name: "match", Title: "Match", Type: connectors.TypeString, Example: "received.data.object.id == trigger.data.object.id",
			Help: "Optional expression over received (the incoming event)."}, Format: FormatCondition},
		{Field: connectors.Field{Name: "approval", Title: "Approval", Type: connectors.TypeObject,
			Help: "Wait for a person to approve or reject (POST /api/v1/runs/{id}/approve) instead of an event."},
			Fields: []StepField{
				{Field: connectors.Field{Name: "message", Title: "Approval message", Type: connectors.TypeString,
					Help: "Shown to approvers; templates allowed."}, Format: FormatTemplate},
				{Field: connectors.Field{Name: "approvers", Title: "Approvers", Type: connectors.TypeArray, Example: []any{"alice@example.com"},
					Help: "Only these may decide: an API key with one of these names, or the person who opens the signed one-time link made for them (steps.<this step>.links[\"alice@example.com\"]). Empty lets anyone with an editor key decide."}, Format: FormatList},
			}},
		{Field: connectors.Field{Name: "notify", Title: "Notify approvers", Type: connectors.TypeArray,
			Help: "Approvals only: steps run once when the wait starts, to send the approvers their links (an email, a Slack message). They see steps.<this step>.links and steps.<this step>.message."},
			Format: FormatSteps},
		{Field: connectors.Field{Name: "wait_timeout", Title: "Give up after", Type: connectors.TypeString, Required: true, Example: "3d"}, Format: FormatDuration},
		{Field: connectors.Field{Name: "on_timeout", Title: "On timeout go to", Type: connectors.TypeString,
			Help: "The step to run when nothing arrived in time; by default the next step."}, Format: FormatStep},
		optNext, optOnError,
	},
	Choice: &Choice{Title: "Wait for", Options: []ChoiceOption{
		{Title: "a matching webhook event", Fields: []string{"event", "correlation_key", "match"}},
		{Title: "a human approval", Fields: []string{"approval"}},
	}},
	validate: func(r *run, n *node) {
		s, p := n.step, n.path
		switch {
		case s.Event == "" && s.Approval == nil:
			r.errorf(p, "a wait_for_event needs event or approval")
		case s.Event != "" && s.Approval != nil:
			r.errorf(p, "a wait_for_event takes event or approval, not both")
		case s.Event != "":
			if s.CorrelationKey == "" {
				r.errorf(p+".correlation_key", "is required: it tells which incoming event belongs to this run")
			}
		default:
			r.template(p+".approval.message", s.Approval.Message, n, n.ctx())
			for i, a := range s.Approval.Approvers {
				if strings.TrimSpace(a) == "" || len(a) > MaxApproverLength {
					r.errorf(fmt.Sprintf("%s.approval.approvers[%d]", p, i), "an approver is an API key name or an email address of 1 to %d characters", MaxApproverLength)
				}
			}
			if len(s.Notify) > 0 && len(s.Approval.Approvers) == 0 {
				r.errorf(p+".notify", "notify sends the approvers their links: list them in approval.approvers")
			}
		}
		if len(s.Notify) > 0 && s.Approval == nil {
			r.errorf(p+".notify", "notify belongs to an approval wait; a wait for an event has nobody to notify")
		}
		if s.CorrelationKey != "" {
			r.expr(n, "correlation_key", s.CorrelationKey, n.ctx())
		}
		if s.Match != "" {
			r.expr(n, "match", s.Match, expression.Context{Loop: n.list.loop, Received: true})
		}
		r.duration(p+".wait_timeout", s.WaitTimeout, r.limits.MaxWait, true)
	},
	lists: func(s *Step, path string) []subList {
		if len(s.Notify) == 0 {
			return nil
		}
		return []subList{{path: path + ".notify", steps: s.Notify, self: true}}
	},
	edges: func(m *moves) {
		continues(m)
		if t := m.n.step.OnTimeout; t != "" {
			m.to("on_timeout", t, true)
		}
	},
}
