package interpreter

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/store"
)

// MaxRunNameBytes caps a rendered run name: it is a label for lists, and
// a template over a large field must not copy the field into every list.
const MaxRunNameBytes = 200

// renderRunName renders the trigger's run_name over data (trigger, event
// and vars) when the run starts, under the same budget as every
// evaluation in workflow code. A template that fails (a missing field, a
// type error, a budget overrun) never fails the run: the run is named by
// its event (or its own id) instead, and the reason is kept as
// RunLog.NameWarning. Only definitions with a run_name get here, and it
// was added after every recorded history, so runs in flight replay
// unchanged without an interpreter version.
func (r *runner) renderRunName(ctx workflow.Context, data map[string]any) {
	tmpl := r.def.Trigger.RunName
	if tmpl == "" {
		return
	}
	v, err := r.evalData(ctx, opRender, tmpl, data, r.in.Event.BodyBlob != "")
	name := ""
	if err == nil {
		name, err = runNameText(v)
	}
	if err != nil {
		r.log.Name = fallbackRunName(r.in.Event.ID, r.runID)
		r.log.NameWarning = "trigger.run_name: " + err.Error() + "; the run is named " + r.log.Name + " instead"
		workflow.GetLogger(ctx).Warn("rendering run_name failed; using the fallback name", "error", err)
		return
	}
	r.log.Name = name
}

// runNameText turns a rendered run_name into its label: strings as they
// are, other values as JSON, cut to MaxRunNameBytes on a rune boundary.
// An empty result is an error, so the fallback name is used.
func runNameText(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("encoding the rendered name: %w", err)
		}
		s = string(b)
	}
	if s == "" || s == "null" {
		return "", fmt.Errorf("rendered an empty name")
	}
	if len(s) > MaxRunNameBytes {
		s = s[:MaxRunNameBytes]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s, nil
}

// fallbackRunName names a run whose run_name could not be rendered.
func fallbackRunName(eventID, runID string) string {
	if eventID != "" {
		return "Run of " + eventID
	}
	return "Run " + runID
}

// ScheduleEventConnector is the connector (source) of the event row a
// scheduled run logs, as triggers.ManualConnector is that of manual runs.
const ScheduleEventConnector = "schedule"

// RunEvent is the event row a run logs for itself when no delivery
// logged one: a scheduled run (RunInput.Scheduled). SaveRun records it,
// linked to the run, before the run summary.
type RunEvent struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Connector  string          `json:"connector"`
	Body       json.RawMessage `json:"body"`
	ReceivedAt time.Time       `json:"received_at"`
}

// scheduledEvent names the event row of a scheduled run and makes it the
// run's event, before anything reads event.id. The id derives from the
// run id (Temporal gives every scheduled start its own workflow id, from
// the scheduled time) and the start time in workflow time, so replays and
// repeated saves name the same row, and one schedule tick has one row even
// when two servers share the schedule.
func (r *runner) scheduledEvent() {
	id := store.DerivedID("evt", r.log.StartedAt, r.runID)
	r.in.Event.ID = id
	if r.in.Event.Type == "" {
		r.in.Event.Type = ScheduleEventConnector
	}
	if r.in.Event.ReceivedAt.IsZero() {
		r.in.Event.ReceivedAt = r.log.StartedAt
	}
	r.log.EventID = id
	body := r.in.Event.Body
	if len(body) == 0 {
		body = json.RawMessage(`{}`)
	}
	r.runEvent = &RunEvent{ID: id, Type: r.in.Event.Type, Connector: ScheduleEventConnector, Body: body,
		ReceivedAt: r.log.StartedAt}
}

// runNameData is the data context of run_name: what vars see, and vars.
func (r *runner) runNameData() map[string]any {
	return map[string]any{expression.RootTrigger: r.trigger, expression.RootEvent: r.event, expression.RootVars: r.vars}
}
