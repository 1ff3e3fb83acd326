package definition

import (
	"strings"
	"testing"
)

// validateDoc parses and validates doc and returns Error() of each error.
func validateDoc(t *testing.T, doc string) []string {
	t.Helper()
	d, errs := Parse([]byte(doc))
	if len(errs) > 0 {
		t.Fatalf("parse: %v", Errors(errs))
	}
	var out []string
	for _, e := range Validate(d, testEnv) {
		out = append(out, e.Error())
	}
	return out
}

func TestValidateCodeStep(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{name: "valid", doc: def(`{"id": "c", "type": "code", "code": "return {total: trigger.items.reduce((a, i) => a + i.price, 0)}", "timeout": "3s", "memory_mb": 32}`)},
		{name: "syntax error at validation", doc: def(`{"id": "c", "type": "code", "code": "const a = 1;\nreturn {a: };"}`),
			want: []string{"steps[0].code: SyntaxError: Unexpected token } (2:12)\n | return {a: };\n | ...........^"}},
		{name: "missing code", doc: def(`{"id": "c", "type": "code", "code": "  "}`),
			want: []string{"steps[0].code: is required: the JavaScript to run, ending in return <output>"}},
		{name: "timeout over the limit", doc: def(`{"id": "c", "type": "code", "code": "return 1", "timeout": "30s"}`),
			want: []string{`steps[0].timeout: "30s" is over the code step's limit of 10s`}},
		{name: "memory out of range", doc: def(`{"id": "c", "type": "code", "code": "return 1", "memory_mb": 4096}`),
			want: []string{"steps[0].memory_mb: must be between 1 and 512, got 4096"}},
		{name: "retry is not a code option", doc: def(`{"id": "c", "type": "code", "code": "return 1", "retry": {"max_attempts": 3}}`),
			want: []string{`steps[0]: field "retry" is not allowed on a code step`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validateDoc(t, tt.doc)
			if strings.Join(got, "\n---\n") != strings.Join(tt.want, "\n---\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n---\n"), strings.Join(tt.want, "\n---\n"))
			}
		})
	}
}
