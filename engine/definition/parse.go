package definition

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// DefaultMaxDefinitionBytes bounds the JSON document Parse accepts.
const DefaultMaxDefinitionBytes = 1 << 20

// Parse decodes a definition. Beyond encoding/json it reports every
// unknown field, wrong JSON type and duplicate key at once, each with its
// JSON path and the line:col in data; a syntax error stops parsing and is
// reported alone. The definition is returned (nil only after a syntax
// error) so that callers can also run Validate and show all problems
// together; see Check.
func Parse(data []byte) (*Definition, []Error) {
	if len(data) > DefaultMaxDefinitionBytes {
		return nil, []Error{{Message: fmt.Sprintf("definition is %d bytes, over the limit of %d", len(data), DefaultMaxDefinitionBytes)}}
	}
	w := &walker{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	if err := w.value("", reflect.TypeOf(Definition{})); err != nil {
		return nil, append(w.errs, w.syntax(err))
	}
	if _, err := w.dec.Token(); err != io.EOF {
		return nil, append(w.errs, Error{Message: "unexpected data after the definition", Position: w.pos(w.dec.InputOffset())})
	}
	var def Definition
	if err := json.Unmarshal(data, &def); err != nil {
		// The walker reports the same type problems with paths; a decoding
		// error here can only accompany errors already listed.
		if len(w.errs) == 0 {
			w.errs = append(w.errs, Error{Message: fmt.Sprintf("decoding definition: %v", err)})
		}
	}
	return &def, w.errs
}

// Check parses and validates in one go, returning every problem found.
func Check(data []byte, env Env) (*Definition, []Error) {
	def, errs := Parse(data)
	if def == nil {
		return nil, errs
	}
	return def, append(errs, Validate(def, env)...)
}

// walker checks the token stream against the Go types, recording paths.
type walker struct {
	data []byte
	dec  *json.Decoder
	errs []Error
}

var rawMessageType = reflect.TypeOf(json.RawMessage(nil))

func (w *walker) pos(offset int64) string {
	if offset > int64(len(w.data)) {
		offset = int64(len(w.data))
	}
	// Skip separators so the position is the value's first byte.
	for offset < int64(len(w.data)) && strings.IndexByte(" \t\r\n,:", w.data[offset]) >= 0 {
		offset++
	}
	before := w.data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

func (w *walker) syntax(err error) Error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return Error{Message: "invalid JSON: " + se.Error(), Position: w.pos(se.Offset)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Error{Message: "invalid JSON: unexpected end of input", Position: w.pos(int64(len(w.data)))}
	}
	return Error{Message: "invalid JSON: " + err.Error(), Position: w.pos(w.dec.InputOffset())}
}

func jsonKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

func wantKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "a boolean"
	}
	return t.String()
}

// value reads one value at path that should decode into t. It returns
// only syntax errors; type problems are recorded and the value skipped.
func (w *walker) value(path string, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Interface || t == rawMessageType {
		var raw json.RawMessage
		return w.dec.Decode(&raw)
	}
	start := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // null decodes into anything as the zero value
		return nil
	}
	mismatch := func() error {
		w.errs = append(w.errs, Error{Path: path, Message: fmt.Sprintf("want %s, got %s", wantKind(t), jsonKind(tok)), Position: w.pos(start)})
		if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
			return w.skipRest()
		}
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return mismatch()
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return mismatch()
		}
	case reflect.Int, reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			return mismatch()
		}
		if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
			w.errs = append(w.errs, Error{Path: path, Message: fmt.Sprintf("want an integer, got %s", n), Position: w.pos(start)})
		}
	case reflect.Float64:
		if _, ok := tok.(json.Number); !ok {
			return mismatch()
		}
	case reflect.Slice:
		if tok != json.Delim('[') {
			return mismatch()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(fmt.Sprintf("%s[%d]", path, i), t.Elem()); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
		return err
	case reflect.Map:
		if tok != json.Delim('{') {
			return mismatch()
		}
		seen := map[string]bool{}
		for w.dec.More() {
			keyStart := w.dec.InputOffset()
			k, err := w.dec.Token()
			if err != nil {
				return err
			}
			key := k.(string)
			if seen[key] {
				w.errs = append(w.errs, Error{Path: join(path, key), Message: fmt.Sprintf("duplicate key %q", key), Position: w.pos(keyStart)})
			}
			seen[key] = true
			if err := w.value(join(path, key), t.Elem()); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
		return err
	case reflect.Struct:
		if tok != json.Delim('{') {
			return mismatch()
		}
		fields := jsonFields(t)
		seen := map[string]bool{}
		for w.dec.More() {
			keyStart := w.dec.InputOffset()
			k, err := w.dec.Token()
			if err != nil {
				return err
			}
			key := k.(string)
			f, ok := fields[key]
			switch {
			case !ok:
				w.errs = append(w.errs, Error{Path: join(path, key), Message: unknownField(key, fields), Position: w.pos(keyStart)})
				var raw json.RawMessage
				if err := w.dec.Decode(&raw); err != nil {
					return err
				}
				continue
			case seen[key]:
				w.errs = append(w.errs, Error{Path: join(path, key), Message: fmt.Sprintf("duplicate field %q", key), Position: w.pos(keyStart)})
			}
			seen[key] = true
			if err := w.value(join(path, key), f.Type); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
		return err
	}
	return nil
}

// skipRest consumes the rest of an object or array whose opening token
// has been read.
func (w *walker) skipRest() error {
	for depth := 1; depth > 0; {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

func unknownField(key string, fields map[string]reflect.StructField) string {
	msg := fmt.Sprintf("unknown field %q", key)
	best, bestDist := "", 3
	for name := range fields {
		if d := connectors.EditDistance(key, name); d < bestDist || d == bestDist && name < best {
			best, bestDist = name, d
		}
	}
	if best != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", best)
	}
	return msg
}

// jsonFields maps JSON names to struct fields.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name != "" {
			out[name] = f
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}

// join appends a key to a JSON path: a.b, or a["odd key"].
func join(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	if !plain {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}
