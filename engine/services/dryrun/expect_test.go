package dryrun

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/interpreter"
)

func TestExpectationCheck(t *testing.T) {
	res := Result{Status: "completed", Steps: []Step{
		{StepRecord: interpreter.StepRecord{Path: "fields", ID: "fields", Status: "succeeded",
			Output: json.RawMessage(`{"id": 5733011112023, "name": "#1042", "price": 19.5}`)}},
		{StepRecord: interpreter.StepRecord{Path: "lines[0].line", ID: "line", Status: "succeeded"}},
		{StepRecord: interpreter.StepRecord{Path: "seen", ID: "seen", Status: "continued", Error: "404"}},
	}}
	tests := []struct {
		name   string
		expect string
		res    Result
		want   []string // substrings, one per problem; none: no problem
	}{
		{name: "empty expectation of a completed run", expect: `{}`},
		{name: "step ids and paths", expect: `{"ran": ["fields", "line", "lines[0].line"], "not_ran": ["alert"]}`},
		{name: "numbers compare by value", expect: `{"fields": {"steps.fields.output.id": 5733011112023.0, "steps.fields.output.price": 1.95e1}}`},
		{name: "wrong status", expect: `{"status": "filtered"}`, want: []string{`status: got "completed", want "filtered"`}},
		{name: "a step that did not run", expect: `{"ran": ["alert"]}`, want: []string{"step alert did not run (ran: fields, lines[0].line, seen)"}},
		{name: "a step that should not run", expect: `{"not_ran": ["seen"]}`, want: []string{"step seen ran but should not have"}},
		{name: "a field differs", expect: `{"fields": {"steps.fields.output.id": "5733011112023"}}`,
			want: []string{`steps.fields.output.id: got 5733011112023, want "5733011112023"`}},
		{name: "a field is missing", expect: `{"fields": {"steps.fields.output.nmae": "x"}}`, want: []string{`steps.fields.output.nmae: missing, want "x"`}},
		{name: "a failed step fails a run expected to complete",
			res:    Result{Status: "failed", Error: "step send: 500", Steps: []Step{{StepRecord: interpreter.StepRecord{Path: "send", ID: "send", Status: "failed", Error: "500"}}}},
			expect: `{}`, want: []string{`status: got "failed", want "completed": step send: 500`, "step send failed: 500"}},
		{name: "an expected failure",
			res:    Result{Status: "failed", Steps: []Step{{StepRecord: interpreter.StepRecord{Path: "send", ID: "send", Status: "failed"}}}},
			expect: `{"status": "failed", "ran": ["send"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseExpectation([]byte(tt.expect))
			if err != nil {
				t.Fatal(err)
			}
			r := res
			if tt.res.Status != "" {
				r = tt.res
			}
			got := e.Check(r)
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseExpectationRefusesUnknownMembers(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{name: "misspelt member", in: `{"not_run": ["x"]}`, want: `not_run: unknown member; allowed: error, fields, not_ran, output, ran, reply, route, status, steps`},
		{name: "unknown status", in: `{"status": "done"}`, want: `expectation status "done"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseExpectation([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// A dry run reports the trigger paths its sample event does not hold, and
// (interpreter version 8) the run fails on the missing one it renders.
func TestDryRunWarnsAboutPathsTheSampleLacks(t *testing.T) {
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	def := `{"name": "w", "trigger": {"type": "manual"}, "steps": [
		{"id": "tell", "type": "action", "connector": "slack", "action": "post_message", "credential": "slack-bot",
		 "input": {"channel": "#sales", "text": "From {{ trigger.customer.nmae }}"}}]}`
	res, err := (&Runner{Registry: reg}).Run(context.Background(), Request{Definition: json.RawMessage(def),
		Event: SampleEvent([]byte(`{"customer": {"name": "Ada"}}`), "")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Path != "steps[0].input.text" ||
		!strings.Contains(res.Warnings[0].Message, "trigger.customer.nmae is not in the trigger's sample event; did you mean trigger.customer.name?") {
		t.Errorf("warnings = %+v", res.Warnings)
	}
	if res.Status != interpreter.StatusFailed || !strings.Contains(res.Error, "trigger.customer.nmae is missing from the event") {
		t.Errorf("status %s: %s, want the run to fail on the missing path", res.Status, res.Error)
	}
}
