package definition

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestSchemaAgreesWithTypes checks that every JSON field of every
// definition type appears in the schema's matching object, and vice versa.
func TestSchemaAgreesWithTypes(t *testing.T) {
	var doc struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(SchemaJSON(), &doc); err != nil {
		t.Fatalf("decoding schema: %v", err)
	}
	types := map[string]reflect.Type{
		"":         reflect.TypeOf(Definition{}),
		"trigger":  reflect.TypeOf(Trigger{}),
		"schedule": reflect.TypeOf(Schedule{}),
		"settings": reflect.TypeOf(Settings{}),
		"step":     reflect.TypeOf(Step{}),
		"case":     reflect.TypeOf(Case{}),
		"branch":   reflect.TypeOf(Branch{}),
		"approval": reflect.TypeOf(Approval{}),
		"retry":    reflect.TypeOf(Retry{}),
	}
	for name, typ := range types {
		props := doc.Properties
		if name != "" {
			props = doc.Defs[name].Properties
		}
		var inSchema, inGo []string
		for k := range props {
			inSchema = append(inSchema, k)
		}
		for k := range jsonFields(typ) {
			inGo = append(inGo, k)
		}
		sort.Strings(inSchema)
		sort.Strings(inGo)
		if !reflect.DeepEqual(inSchema, inGo) {
			t.Errorf("%s (%s): schema properties %v, Go fields %v", typ.Name(), name, inSchema, inGo)
		}
	}
	// Every kind has a spec and appears in the schema's enum.
	var step struct {
		Defs struct {
			Step struct {
				Properties struct {
					Type struct {
						Enum []string `json:"enum"`
					} `json:"type"`
				} `json:"properties"`
			} `json:"step"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(SchemaJSON(), &step); err != nil {
		t.Fatal(err)
	}
	if got := step.Defs.Step.Properties.Type.Enum; len(got) != len(Kinds) {
		t.Errorf("schema kinds %v, Go kinds %v", got, Kinds)
	}
	for _, k := range Kinds {
		if _, ok := KindSpecOf(k); !ok {
			t.Errorf("kind %q has no spec", k)
		}
	}
}

// TestExamplesMatchSchema validates every example workflow against the
// published schema with a real JSON Schema 2020-12 implementation.
func TestExamplesMatchSchema(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("workflow.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("workflow.json")
	if err != nil {
		t.Fatalf("compiling schema: %v", err)
	}
	for _, file := range exampleFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
	// And the schema rejects what Parse rejects.
	bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"name": "x", "trigger": {"type": "manual"}, "steps": [{"id": "a", "type": "stop", "nxt": "b"}]}`)))
	if sch.Validate(bad) == nil {
		t.Error("schema accepted an unknown step field")
	}
}

func TestHash(t *testing.T) {
	a, errs := Parse([]byte(`{"name": "x", "trigger": {"type": "manual"}, "vars": {"b": 1, "a": 2}, "steps": [{"id": "s", "type": "stop"}]}`))
	if errs != nil {
		t.Fatal(Errors(errs))
	}
	b, _ := Parse([]byte("{\n  \"steps\": [{\"type\": \"stop\", \"id\": \"s\"}],\n  \"vars\": {\"a\": 2, \"b\": 1},\n  \"trigger\": {\"type\": \"manual\"}, \"name\": \"x\"\n}"))
	c, _ := Parse([]byte(`{"name": "x", "trigger": {"type": "manual"}, "vars": {"b": 1, "a": 3}, "steps": [{"id": "s", "type": "stop"}]}`))
	if Hash(a) != Hash(b) {
		t.Errorf("formatting and key order changed the hash: %s vs %s", Hash(a), Hash(b))
	}
	if Hash(a) == Hash(c) {
		t.Error("different vars gave the same hash")
	}
	const want = "sha256:"
	if h := Hash(a); len(h) != len(want)+64 || h[:len(want)] != want {
		t.Errorf("hash %q is not sha256:<64 hex>", h)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		err  bool
	}{
		{name: "seconds", in: "5s", want: "5s"},
		{name: "days", in: "3d", want: "72h0m0s"},
		{name: "days and hours", in: "1d12h", want: "36h0m0s"},
		{name: "negative days", in: "-2d", want: "-48h0m0s"},
		{name: "empty is zero", in: "", want: "0s"},
		{name: "words", in: "3 days", err: true},
		{name: "fraction of a day", in: "1.5d", err: true},
		{name: "bare number", in: "10", err: true},
		{name: "double sign", in: "1d-3h", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDuration(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if err == nil && d.String() != tt.want {
				t.Errorf("got %s, want %s", d, tt.want)
			}
		})
	}
}
