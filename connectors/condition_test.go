package connectors

import (
	"context"
	"strings"
	"testing"
)

func TestCheckSpecConditions(t *testing.T) {
	mode := Field{Name: "mode", Type: TypeString, Enum: []string{"a", "b"}, Default: "a"}
	tests := []struct {
		name  string
		field Field
		want  string
	}{
		{name: "unknown field", field: Field{Name: "x", Type: TypeString, When: &Condition{Field: "nope", Values: []string{"a"}}},
			want: `credential.x.when: field "nope" is not declared in the same list`},
		{name: "value outside the enum", field: Field{Name: "x", Type: TypeString, When: &Condition{Field: "mode", Values: []string{"c"}}},
			want: `credential.x.when: "c" is not one of mode's values (a, b)`},
		{name: "no values", field: Field{Name: "x", Type: TypeString, When: &Condition{Field: "mode"}},
			want: `credential.x.when: values required`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Spec{Name: "c", Title: "C", Credential: []Field{mode, tc.field}}
			err := CheckSpec(s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CheckSpec = %v, want %s", err, tc.want)
			}
		})
	}
	action := &Spec{Name: "c", Title: "C", Actions: []*Action{{Name: "a", Title: "A", Run: func(context.Context, *Call) (any, error) { return nil, nil },
		Input: []Field{{Name: "x", Type: TypeString, ForActions: true}}}}}
	if err := CheckSpec(action); err == nil || !strings.Contains(err.Error(), "actions.a.input.x: for_actions is only for credential fields") {
		t.Errorf("for_actions on an input: %v", err)
	}
}

func TestForActionsFields(t *testing.T) {
	fields := []Field{
		{Name: "secret", Type: TypeString, Secret: true},
		{Name: "token", Type: TypeString, Secret: true, Required: true, ForActions: true},
	}
	if _, err := ValidateCredential(fields, Values{"secret": "s"}); err != nil {
		t.Errorf("saving without the action's token: %v", err)
	}
	_, err := ValidateActionCredential(fields, Values{"secret": "s"})
	if err == nil || err.Error() != "credential.token: "+requiredForActions {
		t.Errorf("using without the action's token: %v", err)
	}
	_, err = ValidateActionCredential(fields, Values{"secret": "s", "token": ""})
	if err == nil || err.Error() != "credential.token: "+requiredForActions {
		t.Errorf("using with an empty token: %v", err)
	}
	if _, err := ValidateActionCredential(fields, Values{"token": "t"}); err != nil {
		t.Errorf("using with the token: %v", err)
	}
	schema := FieldsSchema(fields)
	if req := schema["required"].([]string); len(req) != 0 {
		t.Errorf("schema requires %v; a for_actions field is not required of every credential", req)
	}
}
