package expression

import (
	"testing"
	"time"
)

// Every Go-runtime message an author can meet is rewritten into what they
// did and what to write instead; the test pins each rewrite's exact text.
func TestMessagesForNonDevelopers(t *testing.T) {
	c := NewCompiler(Limits{})
	data := map[string]any{RootTrigger: map[string]any{"x": nil, "n": 2.5, "i": 3, "s": "a", "o": map[string]any{}, "l": []any{1}}}
	s := NewScope(data, time.Unix(0, 0))
	tests := []struct {
		name string
		src  string
		want string // Error.Message
	}{
		{name: "null where a text is expected", src: `{{ lower(trigger.x) }}`,
			want: `trigger.x is empty (null), but a text was expected; wrap it in default(trigger.x, "") if it may be absent`},
		{name: "null in a call of two arguments", src: `{{ split(trigger.x, ",") }}`,
			want: `a value passed to split() is empty (null), but a text was expected; wrap it in default(x, "") if it may be absent`},
		{name: "a number where a text is expected", src: `{{ trim(trigger.i) }}`,
			want: "trigger.i is a number, but a text was expected; use string(trigger.i) to turn it into text"},
		{name: "an object where a text is expected", src: `{{ upper(trigger.o) }}`,
			want: "trigger.o is an object, but a text was expected"},
		{name: "a list where a text is expected", src: `{{ lower(trigger.l) }}`,
			want: "trigger.l is a list, but a text was expected"},
		{name: "number plus text", src: `{{ trigger.n + " × " }}`,
			want: "cannot add a number and a text; use string(x) to join a number to a text, or float(x) to read a number from a text"},
		{name: "text plus number", src: `{{ "#" + trigger.i }}`,
			want: "cannot add a text and a number; use string(x) to join a number to a text, or float(x) to read a number from a text"},
		{name: "null plus text", src: `{{ trigger.x + "a" }}`,
			want: "cannot add an empty value (null) and a text; one side is empty (null): wrap the value that may be absent in default(x, fallback)"},
		{name: "text times number", src: `{{ trigger.s * 2 }}`,
			want: "cannot multiply a text and a number; use float(x) to read a number from a text, or string(x) to compare as text"},
		{name: "comparing a text with a number", src: `{{ trigger.s > 2 }}`,
			want: "cannot compare a text and a number; use float(x) to read a number from a text, or string(x) to compare as text"},
		{name: "remainder of a fraction", src: `{{ trigger.n % 2 }}`, want: "cannot take the remainder of a number with a fraction; use int(x) % n"},
		{name: "len of null", src: `{{ len(trigger.x) }}`, want: "len() needs a text, a list or an object, but got an empty value (null)"},
		{name: "index out of range", src: `{{ trigger.l[5] }}`, want: "there is no item 5: the list has 1 item (the first is 0)"},
		{name: "unknown function at run time", src: `{{ formatmoney(1, "USD") }}`, want: `unknown function "formatmoney"; did you mean formatMoney?`},
		{name: "single = to compare", src: `{{ trigger.i = 3 }}`, want: `unexpected "=": use == to compare (a single = is not an operator)`},
		{name: "=== to compare", src: `{{ trigger.i === 3 }}`, want: `unexpected "=": === is not an operator; use == to compare`},
		{name: "incomplete", src: `{{ trigger.i > }}`, want: "the expression ends too early: something is missing at its end"},
		{name: "message kept when not recognised", src: `{{ formatMoney(trigger.s, "USD") }}`, want: `formatMoney: amount "a" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Render(tt.src, s)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error = %v (%T), want an *Error", err, err)
			}
			if e.Message != tt.want {
				t.Errorf("message\n got %s\nwant %s", e.Message, tt.want)
			}
		})
	}
}

// When a definition is saved, an unknown name is checked against the
// roots and an unknown function against every function.
func TestCheckSuggestsNames(t *testing.T) {
	c := NewCompiler(Limits{})
	tests := []struct{ src, want string }{
		{src: `formatmoney(trigger.amount, "USD")`, want: `unknown function "formatmoney"; did you mean formatMoney?`},
		{src: `formatdate(now(), "iso")`, want: `unknown function "formatdate"; did you mean formatDate?`},
		{src: `uper(trigger.name)`, want: `unknown function "uper"; did you mean upper?`},
		{src: `trigegr.amount > 1`, want: `unknown name "trigegr"; did you mean trigger?`},
		{src: `stpes.crm.id != nil`, want: `unknown name "stpes"; did you mean steps?`},
		{src: `nothinglike(1)`, want: `unknown function "nothinglike"`},
		{src: `amount > 1`, want: `unknown name "amount"`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := c.CheckExpr(tt.src, Context{})
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error = %v, want an *Error", err)
			}
			if e.Message != tt.want {
				t.Errorf("message\n got %s\nwant %s", e.Message, tt.want)
			}
		})
	}
}
