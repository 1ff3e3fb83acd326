package dryrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/engine/interpreter"
)

// Expectation is what a dry run of a workflow must produce. It is read
// from a JSON file beside the sample event (testdata/events/NAME.expect.json
// for workflows/NAME.json) or given to `hookflow test --expect`:
//
//	{
//	  "status": "completed",
//	  "ran": ["fields", "notify"],
//	  "not_ran": ["refund"],
//	  "fields": {"steps.notify.input.text": "Order #1001 paid", "response.status": 200}
//	}
//
// Every member is optional. Status defaults to "completed". Whatever the
// expectation says, no step may end "failed" unless Status is "failed"
// (a step whose on_error continued the run ends "continued", not
// "failed"). Ran lists step ids (or paths such as "notify[0].send") that
// must have run, in any order; NotRan lists steps that must not have run.
// Fields maps a gjson path into the dry run's result document to the
// JSON value expected there; the document is
//
//	{"status": ..., "error": ..., "output": ..., "response": {"status", "headers", "body"},
//	 "steps": {"<path>": {"status", "input", "output", "error"}}}
//
// so "steps.notify.input.text" is the text the notify step was called with.
// Values compare as JSON (numbers by value, so 5733011112023 and
// 5733011112023.0 are equal but "5733011112023" is not).
//
// The format is deliberately small; it is the seed of the test fixtures
// (event + mocks + expectations) `hookflow test` will grow into.
type Expectation struct {
	Status string                     `json:"status,omitempty"`
	Ran    []string                   `json:"ran,omitempty"`
	NotRan []string                   `json:"not_ran,omitempty"`
	Fields map[string]json.RawMessage `json:"fields,omitempty"`
}

// ReadExpectation reads an expectation file, refusing unknown members so a
// misspelt "not_run" is an error and not an expectation silently ignored.
func ReadExpectation(path string) (Expectation, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Expectation{}, err
	}
	return ParseExpectation(raw)
}

// ParseExpectation decodes an expectation (see Expectation).
func ParseExpectation(raw []byte) (Expectation, error) {
	var e Expectation
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return Expectation{}, fmt.Errorf("reading the expectation: %w (allowed members: status, ran, not_ran, fields)", err)
	}
	switch e.Status {
	case "", interpreter.StatusCompleted, interpreter.StatusFailed, interpreter.StatusFiltered, interpreter.StatusCancelled, interpreter.StatusTimedOut:
	default:
		return Expectation{}, fmt.Errorf("expectation status %q: want completed, failed, filtered, cancelled or timed_out", e.Status)
	}
	return e, nil
}

// ExpectationFor returns the expectation file that belongs beside a sample
// event: events/NAME.json -> events/NAME.expect.json.
func ExpectationFor(eventFile string) string {
	return strings.TrimSuffix(eventFile, filepath.Ext(eventFile)) + ".expect.json"
}

// Check compares a dry run's result with the expectation and returns one
// readable line per mismatch; none means the run is as expected.
func (e Expectation) Check(res Result) []string {
	var problems []string
	want := e.Status
	if want == "" {
		want = interpreter.StatusCompleted
	}
	if res.Status != want {
		msg := fmt.Sprintf("status: got %q, want %q", res.Status, want)
		if res.Error != "" {
			msg += ": " + res.Error
		}
		problems = append(problems, msg)
	}
	ran := map[string]bool{}
	for _, s := range res.Steps {
		ran[s.Path], ran[s.ID] = true, true
		if s.Status == interpreter.StepFailed && want != interpreter.StatusFailed {
			problems = append(problems, fmt.Sprintf("step %s failed: %s", s.Path, s.Error))
		}
	}
	for _, id := range e.Ran {
		if !ran[id] {
			problems = append(problems, fmt.Sprintf("step %s did not run (ran: %s)", id, strings.Join(stepPaths(res), ", ")))
		}
	}
	for _, id := range e.NotRan {
		if ran[id] {
			problems = append(problems, fmt.Sprintf("step %s ran but should not have", id))
		}
	}
	if len(e.Fields) > 0 {
		doc := resultDocument(res)
		paths := make([]string, 0, len(e.Fields))
		for p := range e.Fields {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			got := gjson.GetBytes(doc, p)
			if !got.Exists() {
				problems = append(problems, fmt.Sprintf("%s: missing, want %s", p, compact(e.Fields[p])))
				continue
			}
			if !sameJSON([]byte(got.Raw), e.Fields[p]) {
				problems = append(problems, fmt.Sprintf("%s: got %s, want %s", p, got.Raw, compact(e.Fields[p])))
			}
		}
	}
	return problems
}

func stepPaths(res Result) []string {
	out := make([]string, 0, len(res.Steps))
	for _, s := range res.Steps {
		if !slices.Contains(out, s.Path) {
			out = append(out, s.Path)
		}
	}
	return out
}

// resultDocument is the JSON that Fields paths address. Step paths that
// contain gjson metacharacters ("notify[2].send") are keys of "steps";
// address them with gjson escapes (steps.notify[2]\.send.output).
func resultDocument(res Result) []byte {
	type stepDoc struct {
		Status string          `json:"status"`
		Input  json.RawMessage `json:"input,omitempty"`
		Output json.RawMessage `json:"output,omitempty"`
		Error  string          `json:"error,omitempty"`
	}
	steps := map[string]stepDoc{}
	for _, s := range res.Steps {
		steps[s.Path] = stepDoc{Status: s.Status, Input: s.Input, Output: s.Output, Error: s.Error}
	}
	doc := map[string]any{"status": res.Status, "error": res.Error, "steps": steps}
	if len(res.Output) > 0 {
		doc["output"] = res.Output
	}
	if res.Response != nil {
		doc["response"] = res.Response
	}
	b, _ := json.Marshal(doc)
	return b
}

// sameJSON compares two JSON texts as values; numbers compare by their
// decimal value so 1 and 1.0 match, and large integers keep their digits.
func sameJSON(a, b []byte) bool {
	va, erra := decodeNumbers(a)
	vb, errb := decodeNumbers(b)
	if erra != nil || errb != nil {
		return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
	return reflect.DeepEqual(va, vb)
}

func decodeNumbers(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return canonNumbers(v), nil
}

// canonNumber is a JSON number in canonical exact form (big.Rat's
// RatString), a type of its own so it never equals a string.
type canonNumber string

// canonNumbers rewrites every json.Number into its exact rational value,
// so 1, 1.0 and 1e0 are equal and no digit of a large integer is lost.
func canonNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(x.String())
		if !ok {
			return canonNumber(x.String())
		}
		return canonNumber(r.RatString())
	case map[string]any:
		for k, e := range x {
			x[k] = canonNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = canonNumbers(e)
		}
	}
	return v
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// SampleEvent is the event of a dry run whose sample is only a body, as
// `hookflow test --event` and the example tests give it: the type is typ,
// or else the body's top-level "type" member (Stripe, Standard Webhooks
// and most generic senders put it there).
func SampleEvent(body []byte, typ string) interpreter.EventInfo {
	ev := interpreter.EventInfo{Body: body, Type: typ}
	if ev.Type == "" {
		if t := gjson.GetBytes(body, "type"); t.Type == gjson.String {
			ev.Type = t.String()
		}
	}
	return ev
}
