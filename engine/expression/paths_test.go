package expression

import (
	"errors"
	"testing"
	"time"
)

func TestStrictPaths(t *testing.T) {
	c := NewCompiler(Limits{})
	data := map[string]any{
		RootTrigger: map[string]any{"customer": map[string]any{"name": "Ada", "phone": nil}, "guest": nil, "lines": []any{map[string]any{"sku": "A"}}},
		RootSteps:   map[string]any{"crm": map[string]any{"id": "c1"}},
		RootVars:    map[string]any{"channel": "#sales"},
	}
	strict := NewScope(data, time.Unix(0, 0)).WithStrictPaths()
	tests := []struct {
		name, src string
		want      any    // rendered value when no error
		err       string // Error.Message
	}{
		{name: "present path", src: "From {{ trigger.customer.name }}", want: "From Ada"},
		{name: "misspelt key", src: "From {{ trigger.customer.nmae }}",
			err: `trigger.customer.nmae is missing from the event (did you mean trigger.customer.name?); wrap it in default(trigger.customer.nmae, "") if it may be absent`},
		{name: "typed template", src: "{{ trigger.customer.email }}",
			err: `trigger.customer.email is missing from the event; wrap it in default(trigger.customer.email, "") if it may be absent`},
		{name: "present but null renders empty", src: "Call {{ trigger.customer.phone }}", want: "Call "},
		{name: "below a null", src: "{{ trigger.guest.name }}",
			err: `trigger.guest.name is missing from the event; wrap it in default(trigger.guest.name, "") if it may be absent`},
		{name: "index present", src: "{{ trigger.lines[0].sku }}", want: "A"},
		{name: "step that did not run", src: "{{ steps.tell.ts }}",
			err: `steps.tell.ts is missing: step tell has not run on this path; wrap it in default(steps.tell.ts, "") if it may be absent`},
		{name: "step output key", src: "{{ steps.crm.idd }}",
			err: `steps.crm.idd is missing from the output of step crm (did you mean steps.crm.id?); wrap it in default(steps.crm.idd, "") if it may be absent`},
		{name: "vars", src: `{{ vars["chanel"] }}`,
			err: `vars.chanel is missing from the workflow's vars (did you mean vars.channel?); wrap it in default(vars.chanel, "") if it may be absent`},
		{name: "default() allows absence", src: `From {{ default(trigger.customer.nmae, "someone") }}`, want: "From someone"},
		{name: "coalesce allows absence", src: `{{ coalesce(trigger.phone, trigger.customer.name) }}`, want: "Ada"},
		{name: "conditions are not paths", src: `{{ trigger.phone == nil ? "none" : "some" }}`, want: "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Render(tt.src, strict)
			if tt.err == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Render = %#v, %v; want %#v", got, err, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Missing == nil {
				t.Fatalf("error = %v, want a missing-path *Error", err)
			}
			if e.Message != tt.err {
				t.Errorf("message\n got %s\nwant %s", e.Message, tt.err)
			}
		})
	}
	// Without strict paths (runs before interpreter version 8) a missing
	// path renders as it always did.
	got, err := c.Render("From {{ trigger.customer.nmae }}", NewScope(data, time.Unix(0, 0)))
	if err != nil || got != "From " {
		t.Errorf("lenient Render = %q, %v", got, err)
	}
}

func TestStrictPathPosition(t *testing.T) {
	c := NewCompiler(Limits{})
	s := NewScope(map[string]any{RootTrigger: map[string]any{}}, time.Unix(0, 0)).WithStrictPaths()
	_, err := c.Render("Hi {{  trigger.x }}", s)
	var e *Error
	if !errors.As(err, &e) || e.Position() != "1:8" || e.Snippet != "\n | Hi {{  trigger.x }}\n | .......^" {
		t.Fatalf("error = %v, want it at 1:8 under trigger", err)
	}
}
