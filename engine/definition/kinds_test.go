package definition

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

// TestEveryKindHasOneSpec checks the one list of kinds: every kind once,
// each with a title, a description, an output, a flow, validation and
// edges.
func TestEveryKindHasOneSpec(t *testing.T) {
	seen := map[Kind]int{}
	for _, k := range KindSpecs() {
		seen[k.Kind]++
		if k.Title == "" || k.Description == "" || k.Output == "" {
			t.Errorf("kind %q: title %q, description %q, output %q; all are shown to users", k.Kind, k.Title, k.Description, k.Output)
		}
		if k.validate == nil || k.edges == nil {
			t.Errorf("kind %q has no validate or edges", k.Kind)
		}
		switch k.Flow {
		case FlowNext, FlowChoose, FlowEnd:
		default:
			t.Errorf("kind %q: unknown flow %q", k.Kind, k.Flow)
		}
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("kind %q has %d specs", k, n)
		}
	}
	if len(seen) != len(Kinds) || len(Kinds) != 17 {
		t.Errorf("%d kinds have specs, Kinds lists %d, want the 17 documented ones", len(seen), len(Kinds))
	}
	for _, k := range Kinds {
		if s, ok := KindSpecOf(k); !ok || s.Kind != k {
			t.Errorf("KindSpecOf(%q) = %v, %v", k, s, ok)
		}
	}
}

// schemaProp is the part of a JSON Schema property the specs must agree
// with.
type schemaProp struct {
	Type     string      `json:"type"`
	Enum     []string    `json:"enum"`
	Ref      string      `json:"$ref"`
	Items    *schemaProp `json:"items"`
	Minimum  *float64    `json:"minimum"`
	Maximum  *float64    `json:"maximum"`
	MinItems int         `json:"minItems"`
	Pattern  string      `json:"pattern"`
}

type schemaDef struct {
	Type       string                `json:"type"`
	Required   []string              `json:"required"`
	Properties map[string]schemaProp `json:"properties"`
}

func loadSchemaDefs(t *testing.T) map[string]schemaDef {
	t.Helper()
	var doc struct {
		Defs map[string]schemaDef `json:"$defs"`
	}
	if err := json.Unmarshal(SchemaJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Defs
}

// jsonType is the connectors.FieldType a schema property accepts.
func jsonType(defs map[string]schemaDef, p schemaProp) connectors.FieldType {
	switch {
	case p.Type != "":
		return connectors.FieldType(p.Type)
	case len(p.Enum) > 0:
		return connectors.TypeString
	case p.Ref != "":
		d := defs[strings.TrimPrefix(p.Ref, "#/$defs/")]
		return connectors.FieldType(d.Type)
	}
	return connectors.TypeAny
}

// objectDef is the $defs entry describing the object a property holds, or
// each element of the array it holds.
func objectDef(defs map[string]schemaDef, p schemaProp) (string, bool) {
	ref := p.Ref
	if p.Items != nil {
		ref = p.Items.Ref
	}
	name := strings.TrimPrefix(ref, "#/$defs/")
	d, ok := defs[name]
	return name, ok && len(d.Properties) > 0
}

// checkFields compares spec fields with the properties of one schema
// object: each field exists there with the same JSON type, enum, bounds
// and pattern; fields the schema requires are required; sub-fields
// agree with the object the property refers to.
func checkFields(t *testing.T, where string, defs map[string]schemaDef, def schemaDef, fields []StepField) {
	t.Helper()
	names := map[string]bool{}
	for _, f := range fields {
		fp := where + "." + f.Name
		if names[f.Name] {
			t.Errorf("%s: declared twice", fp)
		}
		names[f.Name] = true
		p, ok := def.Properties[f.Name]
		if !ok {
			t.Errorf("%s: not in the schema", fp)
			continue
		}
		if got, want := f.Type, jsonType(defs, p); got != want {
			t.Errorf("%s: spec type %q, schema type %q", fp, got, want)
		}
		if len(p.Enum) > 0 && !slices.Equal(f.Enum, p.Enum) {
			t.Errorf("%s: spec enum %v, schema enum %v", fp, f.Enum, p.Enum)
		}
		if !sameBound(f.Minimum, p.Minimum) || !sameBound(f.Maximum, p.Maximum) {
			t.Errorf("%s: spec bounds %s..%s, schema %s..%s", fp, showBound(f.Minimum), showBound(f.Maximum), showBound(p.Minimum), showBound(p.Maximum))
		}
		if p.MinItems > 0 && f.MinItems != p.MinItems {
			t.Errorf("%s: spec min_items %d, schema minItems %d", fp, f.MinItems, p.MinItems)
		}
		if p.Pattern != "" && f.Pattern != p.Pattern {
			t.Errorf("%s: spec pattern %q, schema pattern %q", fp, f.Pattern, p.Pattern)
		}
		if slices.Contains(def.Required, f.Name) && !f.Required {
			t.Errorf("%s: the schema requires it, the spec does not", fp)
		}
		for _, v := range []any{f.Default, f.Example} {
			if _, err := json.Marshal(v); err != nil {
				t.Errorf("%s: default or example %v is not JSON: %v", fp, v, err)
			}
		}
		sub, hasSub := objectDef(defs, p)
		switch {
		case f.Format == FormatSteps:
			if sub != "step" {
				t.Errorf("%s: format steps, but the schema holds %q", fp, sub)
			}
		case hasSub && len(f.Fields) == 0:
			t.Errorf("%s: the schema describes its parts (%s), the spec does not", fp, sub)
		case len(f.Fields) > 0 && !hasSub:
			t.Errorf("%s: the spec describes parts the schema does not", fp)
		case hasSub:
			checkFields(t, fp, defs, defs[sub], f.Fields)
			for _, req := range defs[sub].Required {
				if !slices.ContainsFunc(f.Fields, func(x StepField) bool { return x.Name == req }) {
					t.Errorf("%s: the schema requires %q, which the spec does not declare", fp, req)
				}
			}
		}
	}
}

func sameBound(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func showBound(b *float64) string {
	if b == nil {
		return "_"
	}
	return fmt.Sprint(*b)
}

// TestKindSpecsAgreeWithSchema checks every kind's fields against the
// published JSON Schema, and that together with CommonFields they cover
// every field of Step: the schema, the Go types and the specs say one
// thing.
func TestKindSpecsAgreeWithSchema(t *testing.T) {
	defs := loadSchemaDefs(t)
	step := defs["step"]
	checkFields(t, "common", defs, step, CommonFields)
	covered := map[string]bool{}
	for _, f := range CommonFields {
		covered[f.Name] = true
	}
	for _, k := range KindSpecs() {
		checkFields(t, string(k.Kind), defs, step, k.Fields)
		for _, f := range k.Fields {
			covered[f.Name] = true
		}
		if k.Choice != nil {
			for _, o := range k.Choice.Options {
				for _, name := range o.Fields {
					if !slices.ContainsFunc(k.Fields, func(f StepField) bool { return f.Name == name }) {
						t.Errorf("%s: choice %q names field %q, which the kind does not have", k.Kind, o.Title, name)
					}
				}
			}
		}
	}
	var inGo, inSpecs []string
	for name := range jsonFields(reflect.TypeOf(Step{})) {
		inGo = append(inGo, name)
	}
	for name := range covered {
		inSpecs = append(inSpecs, name)
	}
	sort.Strings(inGo)
	sort.Strings(inSpecs)
	if !slices.Equal(inGo, inSpecs) {
		t.Errorf("Step fields %v, fields of the specs %v", inGo, inSpecs)
	}
	if got := CommonFields[1].Enum; !slices.Equal(got, kindNames()) {
		t.Errorf("the type field's enum %v, kinds %v", got, kindNames())
	}
}

// TestKindFlowMatchesEdges checks each kind's published Flow against the
// moves validation derives: a step that sets no target continues at the
// following step unless its kind ends the run.
func TestKindFlowMatchesEdges(t *testing.T) {
	for _, k := range KindSpecs() {
		t.Run(string(k.Kind), func(t *testing.T) {
			steps := []*Step{{ID: "a", Type: k.Kind}, {ID: "b", Type: KindStop}}
			r := &run{ids: map[string]*node{}, limits: Limits{}.withDefaults(), def: &Definition{Steps: steps}}
			l := r.collect("steps", steps, false, nil, 1)
			var following bool
			for _, e := range r.edges(l.nodes[0]) {
				following = following || e.to == l.nodes[1]
			}
			if want := k.Flow != FlowEnd; following != want {
				t.Errorf("flow %q, but continues at the following step: %v", k.Flow, following)
			}
		})
	}
}
