package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	textmsg "golang.org/x/text/message"
)

// schemaURL is the name the step's schema is compiled under; messages
// quote schema locations relative to it ("#/properties/category/enum").
const schemaURL = "hookflow:json_schema"

// printer renders validation messages in English.
var printer = textmsg.NewPrinter(language.English)

// replySchema is a compiled json_schema input. Validation uses
// github.com/santhosh-tekuri/jsonschema/v6 (already a dependency for the
// workflow definition schema), a complete JSON Schema implementation, so
// the keywords OpenAI's structured outputs accept (type, properties,
// required, enum, const, items, additionalProperties, anyOf, $defs/$ref,
// string and number bounds) are all checked, not a hand-picked subset.
type replySchema struct {
	raw      map[string]any
	compiled *jsonschema.Schema
}

// errNoLoader refuses every external reference: a schema typed by an
// editor must not make hookflow read files or fetch URLs.
var errNoLoader = errors.New("external $ref is not allowed; put shared definitions under $defs")

type noLoader struct{}

func (noLoader) Load(url string) (any, error) { return nil, fmt.Errorf("%s: %w", url, errNoLoader) }

// compileSchema checks and compiles a json_schema input. Its top level must
// be an object schema, as OpenAI requires for response_format.
func compileSchema(v any) (*replySchema, error) {
	raw, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a JSON schema object, got %T", v)
	}
	if t, ok := raw["type"]; ok && t != "object" {
		return nil, fmt.Errorf(`the top level must be {"type": "object", …} (structured output replies are objects), got type %v`, t)
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	compiled, err := c.Compile(schemaURL)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), schemaURL, "json_schema"))
	}
	return &replySchema{raw: raw, compiled: compiled}, nil
}

// check parses a reply and validates it. The error says, for people and
// for the model (it is sent back on a retry), where the reply is wrong and
// which schema rule it breaks.
func (s *replySchema) check(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(stripFence(text)))
	dec.UseNumber()
	var inst any
	if err := dec.Decode(&inst); err != nil {
		return nil, fmt.Errorf("the reply is not JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("the reply has text after its JSON value")
	}
	err := s.compiled.Validate(inst)
	if err == nil {
		return toFloats(inst), nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var msgs []string
	for _, leaf := range leaves(ve) {
		msgs = append(msgs, fmt.Sprintf("at %s (schema %s): %s", instancePath(leaf.InstanceLocation), schemaPath(leaf),
			leaf.ErrorKind.LocalizedString(printer)))
	}
	sort.Strings(msgs)
	return nil, fmt.Errorf("the reply does not satisfy json_schema: %s", strings.Join(msgs, "; "))
}

// leaves returns the innermost causes, which name the failing keyword.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// instancePath is a JSON pointer into the reply, "/" for the whole reply.
func instancePath(loc []string) string {
	if len(loc) == 0 {
		return "/"
	}
	parts := make([]string, len(loc))
	for i, p := range loc {
		parts[i] = strings.NewReplacer("~", "~0", "/", "~1").Replace(p)
	}
	return "/" + strings.Join(parts, "/")
}

// schemaPath is the failing keyword's location in the step's schema,
// "#/properties/category/enum".
func schemaPath(e *jsonschema.ValidationError) string {
	loc := strings.TrimPrefix(e.SchemaURL, schemaURL)
	if loc == "" {
		loc = "#"
	}
	if kw := e.ErrorKind.KeywordPath(); len(kw) > 0 {
		loc = strings.TrimSuffix(loc, "/") + "/" + strings.Join(kw, "/")
	}
	return loc
}

// stripFence removes a Markdown code fence around a reply (```json … ```),
// which models without structured-output support often add.
func stripFence(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "```") {
		return t
	}
	t = strings.TrimPrefix(t, "```")
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		t = t[i+1:]
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t), "```"))
}

// toFloats turns the json.Numbers the validator needs into float64, the
// number type every other step output has.
func toFloats(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case map[string]any:
		for k, e := range x {
			x[k] = toFloats(e)
		}
	case []any:
		for i, e := range x {
			x[i] = toFloats(e)
		}
	}
	return v
}
