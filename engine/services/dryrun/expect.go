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

// Expectation is what a dry run of a workflow must produce. It is the
// "expect" member of a test fixture (see Fixture), the body member
// "expect" of POST /api/v1/workflows/{id}/test, a file given to
// `hookflow test --expect`, and testdata/events/NAME.expect.json beside
// the examples' sample events:
//
//	{
//	  "status": "completed",
//	  "route": ["big", "fields", "crm", "tell"],
//	  "ran": ["fields"],
//	  "not_ran": ["refund"],
//	  "steps": {"crm": {"status": "continued", "output": {"error": {"class": "permanent"}}}},
//	  "reply": {"status": 200, "body": {"ok": true}, "headers": {"Content-Type": "application/json"}},
//	  "output": {"ok": true},
//	  "error": "channel_not_found",
//	  "fields": {"steps.notify.input.text": "Order #1001 paid"}
//	}
//
// Every member is optional:
//
//   - status is the run's final status (default "completed"); whatever
//     the expectation says, no step may end "failed" unless status is
//     "failed" (a step whose on_error let the run go on ends "continued");
//   - route is every step that ran, in the order they started, by id or
//     path ("lines[0].line"), nothing more and nothing less;
//   - ran lists steps that must have run, in any order; not_ran lists
//     steps that must not have run (skipped by a filter, a branch, a goto);
//   - steps checks single steps by id or path: status, attempts, error (a
//     text the step's error must contain), input and output;
//   - reply is the synchronous webhook reply a respond step shaped: its
//     status, headers (names match in any case) and body;
//   - output is the run's output; error is a text the run's error must
//     contain;
//   - fields maps a gjson path into the result document (see
//     resultDocument) to the exact JSON value there.
//
// input, output, reply.body and the output of steps match partially:
// an object matches when each member the expectation lists matches (the
// members it leaves out are not checked); arrays match element by element
// and must have the same length; everything else compares as JSON values,
// numbers by value (5733011112023 and 5733011112023.0 are equal,
// "5733011112023" is not). fields compares whole values the same way.
//
// A step named in route, ran, not_ran or steps must exist in the
// workflow: a misspelt id is an error, never an expectation that passes
// by itself (see Expectation.CheckSteps).
type Expectation struct {
	Status string                     `json:"status,omitempty"`
	Error  string                     `json:"error,omitempty"`
	Route  []string                   `json:"route,omitempty"`
	Ran    []string                   `json:"ran,omitempty"`
	NotRan []string                   `json:"not_ran,omitempty"`
	Steps  map[string]StepExpectation `json:"steps,omitempty"`
	Reply  *ReplyExpectation          `json:"reply,omitempty"`
	Output json.RawMessage            `json:"output,omitempty"`
	Fields map[string]json.RawMessage `json:"fields,omitempty"`
}

// StepExpectation is what one step must have done (see Expectation).
type StepExpectation struct {
	Status   string          `json:"status,omitempty"`
	Attempts int             `json:"attempts,omitempty"`
	Error    string          `json:"error,omitempty"`
	Input    json.RawMessage `json:"input,omitempty"`
	Output   json.RawMessage `json:"output,omitempty"`
}

// ReplyExpectation is the webhook reply a run must give (see Expectation).
type ReplyExpectation struct {
	Status  int               `json:"status,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// Failure is one expectation the run did not meet. Path is the JSON path
// of the expectation ("expect.steps.tell.status"), Expected and Got the
// JSON values compared (Got is absent when nothing was there) and Message
// a sentence for a person.
type Failure struct {
	Path     string          `json:"path"`
	Expected json.RawMessage `json:"expected,omitempty"`
	Got      json.RawMessage `json:"got,omitempty"`
	Message  string          `json:"message"`
}

// Expectations is the outcome of checking an expectation: the API's
// "expectations" member.
type Expectations struct {
	Passed   bool      `json:"passed"`
	Failures []Failure `json:"failures"`
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

// ParseExpectation decodes an expectation (see Expectation), refusing
// unknown members with their JSON path.
func ParseExpectation(raw []byte) (Expectation, error) {
	return parseExpectationAt(raw, "")
}

func parseExpectationAt(raw []byte, path string) (Expectation, error) {
	var e Expectation
	if err := strictDecode(raw, path, expectShape, &e); err != nil {
		return Expectation{}, err
	}
	if err := e.validate(path); err != nil {
		return Expectation{}, err
	}
	return e, nil
}

// validate checks the values of a decoded expectation at path.
func (e Expectation) validate(path string) error {
	if err := checkRunStatus(e.Status, join(path, "status")); err != nil {
		return err
	}
	for _, id := range sortedKeys(e.Steps) {
		switch st := e.Steps[id].Status; st {
		case "", interpreter.StepSucceeded, interpreter.StepFailed, interpreter.StepContinued, interpreter.StepFiltered, interpreter.StepWaiting:
		default:
			return &InputError{Path: join(path, "steps."+id+".status"),
				Message: fmt.Sprintf("%q: want succeeded, failed, continued, filtered or waiting", st)}
		}
		if e.Steps[id].Attempts < 0 {
			return &InputError{Path: join(path, "steps."+id+".attempts"), Message: "must be 1 or more"}
		}
	}
	if e.Reply != nil && e.Reply.Status != 0 && (e.Reply.Status < 100 || e.Reply.Status > 599) {
		return &InputError{Path: join(path, "reply.status"), Message: fmt.Sprintf("%d is not an HTTP status", e.Reply.Status)}
	}
	return nil
}

func checkRunStatus(st, path string) error {
	switch st {
	case "", interpreter.StatusCompleted, interpreter.StatusFailed, interpreter.StatusFiltered, interpreter.StatusCancelled, interpreter.StatusTimedOut:
		return nil
	}
	return &InputError{Path: path, Message: fmt.Sprintf("expectation status %q: want completed, failed, filtered, cancelled or timed_out", st)}
}

// CheckSteps reports the first step the expectation names that the
// definition does not have; path is the expectation's JSON path.
func (e Expectation) CheckSteps(steps StepIndex, path string) error {
	for i, id := range e.Route {
		if err := steps.known(id, fmt.Sprintf("%s[%d]", join(path, "route"), i)); err != nil {
			return err
		}
	}
	for i, id := range e.Ran {
		if err := steps.known(id, fmt.Sprintf("%s[%d]", join(path, "ran"), i)); err != nil {
			return err
		}
	}
	for i, id := range e.NotRan {
		if err := steps.known(id, fmt.Sprintf("%s[%d]", join(path, "not_ran"), i)); err != nil {
			return err
		}
	}
	for _, id := range sortedKeys(e.Steps) {
		if err := steps.known(id, join(path, "steps."+id)); err != nil {
			return err
		}
	}
	return nil
}

// ExpectationFor returns the expectation file that belongs beside a sample
// event: events/NAME.json -> events/NAME.expect.json.
func ExpectationFor(eventFile string) string {
	return strings.TrimSuffix(eventFile, filepath.Ext(eventFile)) + ".expect.json"
}

// Check compares a dry run's result with the expectation and returns one
// readable line per mismatch; none means the run is as expected.
func (e Expectation) Check(res Result) []string {
	fs := e.Evaluate(res)
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Message
	}
	return out
}

// Report checks res and returns the API's "expectations" member.
func (e Expectation) Report(res Result) Expectations {
	fs := e.Evaluate(res)
	if fs == nil {
		fs = []Failure{}
	}
	return Expectations{Passed: len(fs) == 0, Failures: fs}
}

// Evaluate compares a dry run's result with the expectation and returns
// every mismatch, in the order of the expectation's members.
func (e Expectation) Evaluate(res Result) []Failure {
	var fails []Failure
	add := func(f Failure) { fails = append(fails, f) }
	want := e.Status
	if want == "" {
		want = interpreter.StatusCompleted
	}
	if res.Status != want {
		msg := fmt.Sprintf("status: got %q, want %q", res.Status, want)
		if res.Error != "" {
			msg += ": " + res.Error
		}
		add(Failure{Path: "expect.status", Expected: jsonOf(want), Got: jsonOf(res.Status), Message: msg})
	}
	for _, s := range res.Steps {
		if s.Status == interpreter.StepFailed && want != interpreter.StatusFailed {
			add(Failure{Path: "expect.status", Got: jsonOf(s.Status),
				Message: fmt.Sprintf("step %s failed: %s", s.Path, s.Error)})
		}
	}
	if e.Error != "" && !strings.Contains(res.Error, e.Error) {
		add(Failure{Path: "expect.error", Expected: jsonOf(e.Error), Got: jsonOf(res.Error),
			Message: fmt.Sprintf("the run's error does not contain %q", e.Error)})
	}
	route := stepPaths(res)
	if e.Route != nil && !sameRoute(e.Route, res) {
		add(Failure{Path: "expect.route", Expected: jsonOf(e.Route), Got: jsonOf(route), Message: "the steps that ran differ from the route"})
	}
	ran := map[string]string{}
	for _, s := range res.Steps {
		ran[s.Path], ran[s.ID] = s.Status, s.Status
	}
	for i, id := range e.Ran {
		if _, ok := ran[id]; !ok {
			add(Failure{Path: fmt.Sprintf("expect.ran[%d]", i), Expected: jsonOf(id),
				Message: fmt.Sprintf("step %s did not run (ran: %s)", id, strings.Join(route, ", "))})
		}
	}
	for i, id := range e.NotRan {
		if st, ok := ran[id]; ok {
			add(Failure{Path: fmt.Sprintf("expect.not_ran[%d]", i), Got: jsonOf(st),
				Message: fmt.Sprintf("step %s ran but should not have", id)})
		}
	}
	for _, id := range sortedKeys(e.Steps) {
		fails = append(fails, e.Steps[id].evaluate("expect.steps."+id, id, res)...)
	}
	if r := e.Reply; r != nil {
		fails = append(fails, r.evaluate(res.Response)...)
	}
	if len(e.Output) > 0 {
		fails = append(fails, matchJSON("expect.output", e.Output, res.Output)...)
	}
	if len(e.Fields) > 0 {
		doc := resultDocument(res)
		for _, p := range sortedKeys(e.Fields) {
			fp := fmt.Sprintf("expect.fields[%q]", p)
			got := gjson.GetBytes(doc, p)
			if !got.Exists() {
				add(Failure{Path: fp, Expected: e.Fields[p], Message: fmt.Sprintf("%s: missing, want %s", p, compact(e.Fields[p]))})
				continue
			}
			if !sameJSON([]byte(got.Raw), e.Fields[p]) {
				add(Failure{Path: fp, Expected: e.Fields[p], Got: json.RawMessage(got.Raw),
					Message: fmt.Sprintf("%s: got %s, want %s", p, got.Raw, compact(e.Fields[p]))})
			}
		}
	}
	return fails
}

// sameRoute reports whether the steps that ran are exactly route, in
// order; each entry may be a step's path or its id.
func sameRoute(route []string, res Result) bool {
	paths := stepPaths(res)
	if len(paths) != len(route) {
		return false
	}
	ids := map[string]string{}
	for _, s := range res.Steps {
		ids[s.Path] = s.ID
	}
	for i, p := range paths {
		if route[i] != p && route[i] != ids[p] {
			return false
		}
	}
	return true
}

func (se StepExpectation) evaluate(path, id string, res Result) []Failure {
	var recs []Step
	for _, s := range res.Steps {
		if s.Path == id {
			recs = []Step{s}
			break
		}
		if s.ID == id {
			recs = append(recs, s)
		}
	}
	switch {
	case len(recs) == 0:
		return []Failure{{Path: path, Message: fmt.Sprintf("step %s did not run (ran: %s)", id, strings.Join(stepPaths(res), ", "))}}
	case len(recs) > 1:
		ps := make([]string, len(recs))
		for i, r := range recs {
			ps[i] = r.Path
		}
		return []Failure{{Path: path, Message: fmt.Sprintf("step %s ran %d times (%s): name one by its path", id, len(recs), strings.Join(ps, ", "))}}
	}
	s := recs[0]
	var fails []Failure
	if se.Status != "" && s.Status != se.Status {
		msg := fmt.Sprintf("step %s: got status %q, want %q", s.Path, s.Status, se.Status)
		if s.Error != "" {
			msg += ": " + s.Error
		}
		fails = append(fails, Failure{Path: path + ".status", Expected: jsonOf(se.Status), Got: jsonOf(s.Status), Message: msg})
	}
	if se.Attempts > 0 {
		got := max(s.Attempts, 1)
		if got != se.Attempts {
			fails = append(fails, Failure{Path: path + ".attempts", Expected: jsonOf(se.Attempts), Got: jsonOf(got),
				Message: fmt.Sprintf("step %s made %d %s, want %d", s.Path, got, plural(got, "attempt"), se.Attempts)})
		}
	}
	if se.Error != "" && !strings.Contains(s.Error, se.Error) {
		fails = append(fails, Failure{Path: path + ".error", Expected: jsonOf(se.Error), Got: jsonOf(s.Error),
			Message: fmt.Sprintf("step %s: the error does not contain %q", s.Path, se.Error)})
	}
	if len(se.Input) > 0 {
		fails = append(fails, matchJSON(path+".input", se.Input, s.Input)...)
	}
	if len(se.Output) > 0 {
		fails = append(fails, matchJSON(path+".output", se.Output, s.Output)...)
	}
	return fails
}

func (re *ReplyExpectation) evaluate(got *interpreter.Response) []Failure {
	if got == nil {
		return []Failure{{Path: "expect.reply", Message: "the run gave no reply: no respond step ran (the sender got the trigger's immediate 202)"}}
	}
	var fails []Failure
	if re.Status != 0 && got.Status != re.Status {
		fails = append(fails, Failure{Path: "expect.reply.status", Expected: jsonOf(re.Status), Got: jsonOf(got.Status),
			Message: fmt.Sprintf("the reply's status is %d, want %d", got.Status, re.Status)})
	}
	for _, name := range sortedKeys(re.Headers) {
		v, ok := "", false
		for k, hv := range got.Headers {
			if strings.EqualFold(k, name) {
				v, ok = hv, true
			}
		}
		hp := fmt.Sprintf("expect.reply.headers[%q]", name)
		switch {
		case !ok:
			fails = append(fails, Failure{Path: hp, Expected: jsonOf(re.Headers[name]), Message: fmt.Sprintf("the reply has no %s header", name)})
		case v != re.Headers[name]:
			fails = append(fails, Failure{Path: hp, Expected: jsonOf(re.Headers[name]), Got: jsonOf(v),
				Message: fmt.Sprintf("the reply's %s header differs", name)})
		}
	}
	if len(re.Body) > 0 {
		fails = append(fails, matchJSON("expect.reply.body", re.Body, got.Body)...)
	}
	return fails
}

// matchJSON matches got against want partially (see Expectation) and
// returns a failure per difference, at the deepest path that differs.
func matchJSON(path string, want, got json.RawMessage) []Failure {
	w, err := decodeNumbered(want)
	if err != nil {
		return []Failure{{Path: path, Message: "the expected value is not valid JSON: " + err.Error()}}
	}
	if len(bytes.TrimSpace(got)) == 0 {
		return []Failure{{Path: path, Expected: want, Message: "missing"}}
	}
	g, err := decodeNumbered(got)
	if err != nil {
		return []Failure{{Path: path, Expected: want, Got: got, Message: "the value is not JSON"}}
	}
	return matchValue(path, w, g, nil)
}

func matchValue(path string, want, got any, fails []Failure) []Failure {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		for _, k := range sortedKeys(w) {
			gv, ok := g[k]
			if !ok {
				fails = append(fails, Failure{Path: memberPath(path, k), Expected: jsonOf(w[k]), Message: "missing"})
				continue
			}
			fails = matchValue(memberPath(path, k), w[k], gv, fails)
		}
		return fails
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			break
		}
		for i := range w {
			fails = matchValue(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], fails)
		}
		return fails
	default:
		if sameLeaf(want, got) {
			return fails
		}
	}
	msg := "differs"
	if wa, ok := want.([]any); ok {
		if ga, ok := got.([]any); ok {
			msg = fmt.Sprintf("%d items, want %d", len(ga), len(wa))
		}
	}
	if kindOf(want) != kindOf(got) {
		msg = fmt.Sprintf("got %s, want %s", kindOf(got), kindOf(want))
	}
	return append(fails, Failure{Path: path, Expected: jsonOf(want), Got: jsonOf(got), Message: msg})
}

// memberPath appends an object member to a JSON path, quoting names that
// are not plain words.
func memberPath(path, k string) string {
	plain := k != ""
	for _, r := range k {
		plain = plain && (r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}
	if plain {
		return path + "." + k
	}
	return fmt.Sprintf("%s[%q]", path, k)
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// sameLeaf compares two decoded JSON scalars; numbers by exact value.
func sameLeaf(a, b any) bool {
	na, oka := a.(json.Number)
	nb, okb := b.(json.Number)
	if oka && okb {
		ra, ok1 := new(big.Rat).SetString(na.String())
		rb, ok2 := new(big.Rat).SetString(nb.String())
		if ok1 && ok2 {
			return ra.Cmp(rb) == 0
		}
		return na == nb
	}
	return reflect.DeepEqual(a, b)
}

func decodeNumbered(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// jsonOf encodes v for a Failure (json.Number stays a number).
func jsonOf(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// join appends a member to a JSON path that may be empty.
func join(path, member string) string {
	if path == "" {
		return member
	}
	return path + "." + member
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
