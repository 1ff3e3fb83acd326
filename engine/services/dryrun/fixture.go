package dryrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
)

// Fixture is one test case of a workflow: an event, mocks and what the run
// must do. Each lives in a file of its own, in the tests folder beside
// the workflow (see Discover):
//
//	{
//	  "name": "Slack is down: the contact is still created",
//	  "event_file": "../../../testdata/events/stripe-big-payment-hubspot-slack.json",
//	  "mocks": {
//	    "crm": {"output": {"id": "901", "created": true}},
//	    "tell": {"error": {"class": "permanent", "status": 400, "message": "channel_not_found"}}
//	  },
//	  "expect": {
//	    "status": "completed",
//	    "route": ["big", "fields", "crm", "tell"],
//	    "steps": {"tell": {"status": "continued", "error": "channel_not_found"}}
//	  }
//	}
//
// Members: name (default: the file name), description, exactly one of
// event (the body the workflow sees as `trigger`) or event_file (a JSON
// file holding it, relative to the fixture), event_type (default: the
// body's "type"), event_id, received_at (RFC 3339; fixes now() for the
// run), headers, mocks (by step id or path; see Mock) and expect (see
// Expectation; absent means "completes with no failed step"). Unknown
// members, and steps the workflow does not have, are errors naming the
// file and the JSON path.
type Fixture struct {
	// File is the fixture's file; it is not a member.
	File        string            `json:"-"`
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	Event       json.RawMessage   `json:"event,omitempty"`
	EventFile   string            `json:"event_file,omitempty"`
	EventType   string            `json:"event_type,omitempty"`
	EventID     string            `json:"event_id,omitempty"`
	ReceivedAt  string            `json:"received_at,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Mocks       map[string]Mock   `json:"mocks,omitempty"`
	Expect      Expectation       `json:"expect"`
}

// shape lists the members a JSON object may have, so that unknown ones
// are refused with their path. A nil shape accepts any value; each is the
// shape of every member of an object whose keys are free (mocks by step).
type shape struct {
	members map[string]*shape
	each    *shape
}

var (
	stepExpectShape = &shape{members: map[string]*shape{"status": nil, "attempts": nil, "error": nil, "input": nil, "output": nil}}
	replyShape      = &shape{members: map[string]*shape{"status": nil, "headers": nil, "body": nil}}
	expectShape     = &shape{members: map[string]*shape{"status": nil, "error": nil, "route": nil, "ran": nil, "not_ran": nil,
		"steps": {each: stepExpectShape}, "reply": replyShape, "output": nil, "fields": nil}}
	mockShape = &shape{members: map[string]*shape{"output": nil, "times": nil,
		"error": {members: map[string]*shape{"class": nil, "status": nil, "message": nil, "retry_after": nil}}}}
	mocksShape   = &shape{each: mockShape}
	fixtureShape = &shape{members: map[string]*shape{"name": nil, "description": nil, "event": nil, "event_file": nil,
		"event_type": nil, "event_id": nil, "received_at": nil, "headers": nil, "mocks": mocksShape, "expect": expectShape}}
)

// check refuses members sh does not list, naming the first by its path.
func (sh *shape) check(raw json.RawMessage, path string) error {
	if sh == nil || len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return &InputError{Path: orRoot(path), Message: "want a JSON object"}
	}
	for _, k := range sortedKeys(obj) {
		sub := sh.each
		if sh.each == nil {
			s, ok := sh.members[k]
			if !ok {
				return &InputError{Path: join(path, k), Message: "unknown member; allowed: " + strings.Join(sortedKeys(sh.members), ", ")}
			}
			sub = s
		}
		if err := sub.check(obj[k], join(path, k)); err != nil {
			return err
		}
	}
	return nil
}

func orRoot(path string) string {
	if path == "" {
		return "(the whole document)"
	}
	return path
}

// strictDecode checks raw against sh and decodes it into out; a value of
// the wrong type is an InputError at its path too.
func strictDecode(raw []byte, path string, sh *shape, out any) error {
	if !json.Valid(raw) {
		var v any
		err := json.Unmarshal(raw, &v)
		return &InputError{Path: orRoot(path), Message: "not valid JSON: " + err.Error()}
	}
	if err := sh.check(raw, path); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if path != "" {
				field = strings.TrimPrefix(field, path+".")
			}
			return &InputError{Path: orRoot(join(path, sh.locate(raw, field, te.Value))), Message: fmt.Sprintf("want %s, got a JSON %s", typeWord(te.Type.Kind().String()), te.Value)}
		}
		return &InputError{Path: orRoot(path), Message: err.Error()}
	}
	return nil
}

// locate puts back the map keys that encoding/json leaves out of a type
// error's field ("steps.attempts" → "steps.lookup.attempts"): under a
// shape whose keys are free, it picks the key whose value holds a JSON
// value of the reported type at the rest of the field.
func (sh *shape) locate(raw []byte, field, jsonType string) string {
	segs := strings.Split(field, ".")
	var walk func(sh *shape, prefix string, segs []string) string
	walk = func(sh *shape, prefix string, segs []string) string {
		if len(segs) == 0 || sh == nil {
			return strings.Join(append([]string{prefix}, segs...), ".")
		}
		if sh.each != nil {
			obj := gjson.GetBytes(raw, prefix)
			found := ""
			obj.ForEach(func(k, _ gjson.Result) bool {
				rest := strings.Join(segs, ".")
				v := gjson.GetBytes(raw, join(join(prefix, gjsonEscape(k.String())), rest))
				if v.Exists() && jsonTypeOf(v) == jsonType {
					found = k.String()
					return false
				}
				return true
			})
			if found == "" {
				return strings.Join(append([]string{prefix}, segs...), ".")
			}
			return walk(sh.each, join(prefix, found), segs)
		}
		return walk(sh.members[segs[0]], join(prefix, segs[0]), segs[1:])
	}
	return strings.TrimPrefix(walk(sh, "", segs), ".")
}

func gjsonEscape(k string) string {
	r := strings.NewReplacer(".", `\.`, "*", `\*`, "?", `\?`)
	return r.Replace(k)
}

func jsonTypeOf(v gjson.Result) string {
	switch {
	case v.IsObject():
		return "object"
	case v.IsArray():
		return "array"
	case v.Type == gjson.String:
		return "string"
	case v.Type == gjson.Number:
		return "number"
	case v.Type == gjson.True, v.Type == gjson.False:
		return "bool"
	}
	return "null"
}

func typeWord(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "int32":
		return "a whole number"
	case "map", "struct":
		return "an object"
	case "slice":
		return "an array"
	case "bool":
		return "true or false"
	}
	return kind
}

// ParseMocks decodes the mocks member of a test request (see Mock),
// refusing unknown members; path is where it sits ("mocks").
func ParseMocks(raw json.RawMessage, path string) (map[string]Mock, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]Mock
	if err := strictDecode(raw, path, mocksShape, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// StepIndex is the kind of every step of a definition by id, nested
// steps (foreach, loop and parallel bodies) included.
type StepIndex map[string]definition.Kind

// IndexSteps indexes a parsed definition's steps.
func IndexSteps(def *definition.Definition) StepIndex {
	ix := StepIndex{}
	var walk func([]*definition.Step)
	walk = func(steps []*definition.Step) {
		for _, s := range steps {
			if s == nil {
				continue
			}
			ix[s.ID] = s.Type
			walk(s.Steps)
			for _, b := range s.Branches {
				if b != nil {
					walk(b.Steps)
				}
			}
		}
	}
	walk(def.Steps)
	return ix
}

// IndexDefinition parses a definition and indexes its steps.
func IndexDefinition(raw json.RawMessage) (StepIndex, error) {
	def, errs := definition.Parse(raw)
	if def == nil || len(errs) > 0 {
		msg := "cannot be parsed"
		if len(errs) > 0 {
			msg = errs[0].Path + ": " + errs[0].Message
		}
		return nil, &InputError{Path: "definition", Message: msg}
	}
	return IndexSteps(def), nil
}

// stepID is the step id a key names: the key itself, or the last element
// of a step path ("notify[2].send" → "send").
func stepID(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// known reports a key that names no step of the workflow.
func (ix StepIndex) known(key, path string) error {
	if _, ok := ix[stepID(key)]; ok {
		return nil
	}
	msg := fmt.Sprintf("the workflow has no step %q", key)
	if best := closest(stepID(key), sortedKeys(ix)); best != "" {
		msg += fmt.Sprintf("; did you mean %q?", best)
	} else {
		msg += "; its steps are " + strings.Join(sortedKeys(ix), ", ")
	}
	return &InputError{Path: path, Message: msg}
}

// closest returns the id nearest to s by edit distance, if it is near.
func closest(s string, ids []string) string {
	best, bestD := "", 3
	for _, id := range ids {
		if d := connectors.EditDistance(s, id); d < bestD {
			best, bestD = id, d
		}
	}
	return best
}

// CheckMocks reports the first mock that names no step, names a step that
// makes no call, or is malformed; path is where the mocks sit ("mocks").
func CheckMocks(mocks map[string]Mock, steps StepIndex, path string) error {
	for _, key := range sortedKeys(mocks) {
		mp := join(path, key)
		if err := steps.known(key, mp); err != nil {
			return err
		}
		if k := steps[stepID(key)]; !slices.Contains(MockableKinds, k) {
			names := make([]string, len(MockableKinds))
			for i, m := range MockableKinds {
				names[i] = string(m)
			}
			return &InputError{Path: mp, Message: fmt.Sprintf("step %s is a %s step, which calls nothing to mock; mocks are for %s steps", key, k, strings.Join(names, ", "))}
		}
		if err := checkMock(mocks[key], steps[stepID(key)], mp); err != nil {
			return err
		}
	}
	return nil
}

// ReadFixture reads and checks one fixture file against the steps of its
// workflow. Its errors start with the file's name and name the JSON path.
func ReadFixture(file string, steps StepIndex) (Fixture, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return Fixture{}, err
	}
	fx, err := ParseFixture(raw, filepath.Dir(file), steps)
	if err != nil {
		return Fixture{}, fmt.Errorf("%s: %w", file, err)
	}
	fx.File = file
	if fx.Name == "" {
		fx.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	return fx, nil
}

// ParseFixture decodes a fixture; dir is the folder event_file is
// relative to.
func ParseFixture(raw []byte, dir string, steps StepIndex) (Fixture, error) {
	var fx Fixture
	if err := strictDecode(raw, "", fixtureShape, &fx); err != nil {
		return Fixture{}, err
	}
	switch {
	case len(fx.Event) > 0 && fx.EventFile != "":
		return Fixture{}, &InputError{Path: "event_file", Message: `give the event or an event_file, not both`}
	case fx.EventFile != "":
		p := fx.EventFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return Fixture{}, &InputError{Path: "event_file", Message: fmt.Sprintf("cannot be read: %v", err)}
		}
		if !json.Valid(b) {
			return Fixture{}, &InputError{Path: "event_file", Message: p + " is not valid JSON"}
		}
		fx.Event = b
	case len(fx.Event) == 0:
		return Fixture{}, &InputError{Path: "event", Message: "required: the event body the workflow sees as `trigger` (or event_file)"}
	}
	if fx.ReceivedAt != "" {
		if _, err := time.Parse(time.RFC3339, fx.ReceivedAt); err != nil {
			return Fixture{}, &InputError{Path: "received_at", Message: fmt.Sprintf("%q: want an RFC 3339 time such as 2026-05-01T12:00:00Z", fx.ReceivedAt)}
		}
	}
	if err := fx.Expect.validate("expect"); err != nil {
		return Fixture{}, err
	}
	if err := CheckMocks(fx.Mocks, steps, "mocks"); err != nil {
		return Fixture{}, err
	}
	if err := fx.Expect.CheckSteps(steps, "expect"); err != nil {
		return Fixture{}, err
	}
	return fx, nil
}

// request is the dry run of the fixture.
func (fx Fixture) request(workflowID string, def json.RawMessage) Request {
	ev := SampleEvent(fx.Event, fx.EventType)
	ev.ID, ev.ProviderID, ev.Headers = fx.EventID, fx.EventID, fx.Headers
	if t, err := time.Parse(time.RFC3339, fx.ReceivedAt); err == nil {
		ev.ReceivedAt = t.UTC()
	}
	return Request{WorkflowID: workflowID, Definition: def, Event: ev, Mocks: fx.Mocks}
}

// Suite is a workflow file and its fixtures. The layout is
//
//	DIR/NAME.json             the workflow
//	DIR/tests/NAME/CASE.json  its test cases, one fixture per file
//
// so workflows/stripe-big-payment-hubspot-slack.json is tested by
// workflows/tests/stripe-big-payment-hubspot-slack/*.json.
type Suite struct {
	Workflow string
	Cases    []string
}

// TestsDir is the folder of a workflow file's fixtures.
func TestsDir(workflowFile string) string {
	return filepath.Join(filepath.Dir(workflowFile), "tests", strings.TrimSuffix(filepath.Base(workflowFile), filepath.Ext(workflowFile)))
}

// Discover finds the suites under path: a workflow file gives one suite
// (its tests folder may be missing: no cases), a folder gives one per
// *.json in it, in name order. A folder under tests/ that belongs to no
// workflow is an error, so renaming a workflow cannot leave its tests
// silently unrun.
func Discover(path string) ([]Suite, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		cases, err := caseFiles(TestsDir(path))
		if err != nil {
			return nil, err
		}
		return []Suite{{Workflow: path, Cases: cases}}, nil
	}
	files, err := filepath.Glob(filepath.Join(path, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var suites []Suite
	names := map[string]bool{}
	for _, f := range files {
		cases, err := caseFiles(TestsDir(f))
		if err != nil {
			return nil, err
		}
		names[strings.TrimSuffix(filepath.Base(f), ".json")] = true
		suites = append(suites, Suite{Workflow: f, Cases: cases})
	}
	dirs, err := os.ReadDir(filepath.Join(path, "tests"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, d := range dirs {
		if d.IsDir() && !names[d.Name()] {
			return nil, fmt.Errorf("%s: no workflow %s.json beside the tests folder to test", filepath.Join(path, "tests", d.Name()), d.Name())
		}
	}
	return suites, nil
}

func caseFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

// CaseResult is the outcome of one fixture. Err means the case could not
// run at all (an unreadable fixture, a dry run that broke); otherwise
// Failures lists the expectations it did not meet.
type CaseResult struct {
	File     string    `json:"file"`
	Name     string    `json:"name"`
	Result   *Result   `json:"result,omitempty"`
	Failures []Failure `json:"failures,omitempty"`
	// Error is Err's text, for JSON.
	Error string `json:"error,omitempty"`
	Err   error  `json:"-"`
}

func (c *CaseResult) broke(err error) {
	c.Err, c.Error = err, err.Error()
}

// Passed reports whether the case ran and met every expectation.
func (c CaseResult) Passed() bool { return c.Err == nil && len(c.Failures) == 0 }

// RunSuite runs every case of a suite. def is the workflow's definition,
// already valid (the caller validates it against its catalog); an error
// means the definition could not be indexed. Each case's own problems are
// in its CaseResult.
func (r *Runner) RunSuite(ctx context.Context, s Suite, def json.RawMessage) ([]CaseResult, error) {
	steps, err := IndexDefinition(def)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Workflow, err)
	}
	id := strings.TrimSuffix(filepath.Base(s.Workflow), filepath.Ext(s.Workflow))
	out := make([]CaseResult, 0, len(s.Cases))
	for _, file := range s.Cases {
		out = append(out, r.RunCase(ctx, file, id, def, steps))
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

// RunCase reads one fixture and runs it against def.
func (r *Runner) RunCase(ctx context.Context, file, workflowID string, def json.RawMessage, steps StepIndex) CaseResult {
	cr := CaseResult{File: file, Name: strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))}
	fx, err := ReadFixture(file, steps)
	if err != nil {
		cr.broke(err)
		return cr
	}
	cr.Name = fx.Name
	res, err := r.Run(ctx, fx.request(workflowID, def))
	if err != nil {
		cr.broke(fmt.Errorf("%s: %w", file, err))
		return cr
	}
	cr.Result = &res
	cr.Failures = fx.Expect.Evaluate(res)
	return cr
}

// Report is a dry run checked against an expectation: what the API's
// test routes answer.
type Report struct {
	Result
	Expectations *Expectations `json:"expectations,omitempty"`
}

// Test runs req with the mocks and expectation of a test request (raw
// JSON members "mocks" and "expect", either may be empty) and checks the
// result. A malformed mock or expectation, or one naming a step the
// definition lacks, is an *InputError naming its JSON path.
func (r *Runner) Test(ctx context.Context, req Request, mocks, expect json.RawMessage) (Report, error) {
	steps, err := IndexDefinition(req.Definition)
	if err != nil {
		return Report{}, err
	}
	if req.Mocks, err = ParseMocks(mocks, "mocks"); err != nil {
		return Report{}, err
	}
	if err := CheckMocks(req.Mocks, steps, "mocks"); err != nil {
		return Report{}, err
	}
	var e *Expectation
	if len(expect) > 0 && string(expect) != "null" {
		x, err := parseExpectationAt(expect, "expect")
		if err != nil {
			return Report{}, err
		}
		if err := x.CheckSteps(steps, "expect"); err != nil {
			return Report{}, err
		}
		e = &x
	}
	res, err := r.Run(ctx, req)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Result: res}
	if e != nil {
		x := e.Report(res)
		rep.Expectations = &x
	}
	return rep, nil
}
