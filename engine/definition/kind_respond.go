package definition

import "github.com/hookflow/hookflow/connectors"

// KindRespond shapes the synchronous reply to the webhook caller.
const KindRespond Kind = "respond"

var respondKind = &KindSpec{
	Kind:        KindRespond,
	Title:       "Respond",
	Description: "Shape the reply to the webhook caller.",
	Output:      `{"status": <status>, "sent": bool}; sent is false when the caller already had its reply.`,
	Flow:        FlowNext,
	Fields: []StepField{
		{Field: connectors.Field{Name: "status", Title: "HTTP status", Type: connectors.TypeInteger, Default: 200},
			Minimum: bound(100), Maximum: bound(599)},
		{Field: connectors.Field{Name: "headers", Title: "Headers", Type: connectors.TypeObject}, Format: FormatTemplateMap},
		{Field: connectors.Field{Name: "body", Title: "Body", Type: connectors.TypeAny, Example: map[string]any{"ok": true},
			Help: "Any JSON value; templates allowed in its strings. A string is sent as text."}, Format: FormatTemplates},
		optNext, optOnError,
	},
	validate: func(r *run, n *node) {
		s, p := n.step, n.path
		if s.Status != 0 && (s.Status < 100 || s.Status > 599) {
			r.errorf(p+".status", "must be an HTTP status between 100 and 599, got %d", s.Status)
		}
		if r.def.Trigger.Type != TriggerWebhook || r.def.Trigger.Respond != RespondOnComplete {
			r.errorf(p, "a respond step needs a webhook trigger with respond \"on_complete\" (otherwise the caller already has its reply)")
		}
		r.headers(p+".headers", s.Headers, n)
		r.templates(p+".body", s.Body, n, n.ctx())
	},
	edges: continues,
}
