package definition

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/expression"
)

// Checking paths against samples. A definition can be valid and still read
// a field its events never carry: {{ trigger.customer.nmae }} renders as
// nothing, or (from interpreter version 8) fails every run. When the
// Validator has samples of the trigger's events (the workflow's captured
// sample, or the connector's recorded samples for the events it listens
// to), every trigger path read by an expression, a template or a mapping
// is looked up in them, and a path that no sample holds is a warning: the
// sample may simply lack an optional field, so it never blocks a save.

// Check validates def like Validate and also returns the warnings of
// paths that none of v.Samples contains.
func (v *Validator) Check(def *Definition) (errs, warnings []Error) {
	r := v.newRun(def)
	if def == nil {
		return []Error{{Message: "definition is empty"}}, nil
	}
	r.definition()
	return r.errs, r.warns
}

// SampleSet is the decoded samples of a run of the validator.
type sampleSet struct {
	raw [][]byte
}

func newSampleSet(samples []json.RawMessage) *sampleSet {
	s := &sampleSet{}
	for _, b := range samples {
		if json.Valid(b) {
			s.raw = append(s.raw, b)
		}
	}
	if len(s.raw) == 0 {
		return nil
	}
	return s
}

// has reports whether any sample has the gjson path (relative to the
// trigger body).
func (s *sampleSet) has(path string) bool {
	for _, b := range s.raw {
		if gjson.GetBytes(b, path).Exists() {
			return true
		}
	}
	return false
}

// suggest returns the closest key beside a missing one, as a full path.
func (s *sampleSet) suggest(keys []string) string {
	parent := strings.Join(keys[:len(keys)-1], ".")
	last := keys[len(keys)-1]
	var names []string
	for _, b := range s.raw {
		obj := gjson.ParseBytes(b)
		if parent != "" {
			obj = gjson.GetBytes(b, gjsonEscape(keys[:len(keys)-1]))
		}
		if !obj.IsObject() {
			continue
		}
		obj.ForEach(func(k, _ gjson.Result) bool {
			names = append(names, k.String())
			return true
		})
	}
	best, bestD := "", 3
	for _, n := range names {
		if d := connectors.EditDistance(strings.ToLower(n), strings.ToLower(last)); d < bestD && n != last {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return strings.Join(append(append([]string{"trigger"}, keys[:len(keys)-1]...), best), ".")
}

// gjsonEscape joins keys into a gjson path, escaping its metacharacters.
func gjsonEscape(keys []string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		var b strings.Builder
		for _, c := range k {
			if strings.ContainsRune(`.*?|#@\!=<>%`, c) {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		}
		out[i] = b.String()
	}
	return strings.Join(out, ".")
}

// samplePaths warns about the trigger paths of uses that no sample holds.
func (r *run) samplePaths(path string, uses []expression.PathUse) {
	if r.samples == nil {
		return
	}
	for _, u := range uses {
		if u.Path[0] != expression.RootTrigger || len(u.Path) < 2 {
			continue
		}
		keys := u.Path[1:]
		if r.samples.has(gjsonEscape(keys)) {
			continue
		}
		r.warns = append(r.warns, Error{Path: path, Position: fmt.Sprintf("%d:%d", u.Line, u.Column), Snippet: u.Snippet,
			Message: r.missingMessage(u.String(), keys)})
	}
}

// samplePath warns about a mapping's gjson path that no sample holds.
func (r *run) samplePath(path, gpath string) {
	if r.samples == nil {
		return
	}
	rest, ok := strings.CutPrefix(gpath, expression.RootTrigger+".")
	if !ok || rest == "" || r.samples.has(rest) {
		return
	}
	var keys []string
	if plainGJSON(rest) {
		keys = strings.Split(rest, ".")
	}
	r.warns = append(r.warns, Error{Path: path, Message: r.missingMessage(gpath, keys)})
}

func (r *run) missingMessage(full string, keys []string) string {
	msg := fmt.Sprintf("%s is not in the trigger's sample event", full)
	if len(keys) > 0 {
		if s := r.samples.suggest(keys); s != "" {
			msg += fmt.Sprintf("; did you mean %s?", s)
		}
	}
	return msg + " (a field the sample lacks renders empty; wrap it in default(...) if it may be absent)"
}

// plainGJSON reports whether a gjson path is only keys and indexes.
func plainGJSON(p string) bool {
	return !strings.ContainsAny(p, `*?|#@\!=<>%()[]{},:"`)
}

// TriggerSamples returns the recorded sample bodies of the events def's
// trigger listens to, from its connector's spec in env. A trigger that
// names no events gets none: its events' shape is the sender's (the
// generic incoming webhook takes any JSON), so a connector's demo sample
// would only produce false warnings. It returns nil when env is nil or the
// connector has no sample of those events.
func TriggerSamples(def *Definition, env Env) []json.RawMessage {
	if def == nil || env == nil || def.Trigger.Connector == "" || len(def.Trigger.Events) == 0 {
		return nil
	}
	spec, ok := env.Connector(def.Trigger.Connector)
	if !ok {
		return nil
	}
	var out []json.RawMessage
	for _, t := range spec.Triggers {
		for _, ev := range sortedKeys(t.Samples) {
			if matchesEvent(def.Trigger.Events, ev) {
				out = append(out, t.Samples[ev])
			}
		}
	}
	return out
}

// matchesEvent reports whether an event type is one of the trigger's
// events; an entry ending in "*" matches by prefix.
func matchesEvent(events []string, ev string) bool {
	for _, e := range events {
		if e == ev || e == "*" || (strings.HasSuffix(e, "*") && strings.HasPrefix(ev, strings.TrimSuffix(e, "*"))) {
			return true
		}
	}
	return false
}
