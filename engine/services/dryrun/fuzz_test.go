package dryrun_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/dryrun"
)

// Bounds the fuzz targets hold every run to. They are limits on harm, not
// speed targets: a run under the expression budgets ends in well under a
// second, and anything near these bounds is a hang or a leak.
const (
	fuzzRunBound  = 60 * time.Second
	fuzzHeapBound = 1 << 30
)

// hostileSeeds are the expressions that took hookflow down before the
// budgets (issue 11), and their relatives.
var hostileSeeds = []string{
	`{{ steps }}`,
	`{{ $env }}`,
	`{{ len(repeat(repeat("x", 999999), 999999)) }}`,
	`{{ len(reduce(1..400000, upper(toJSON(trigger)), "")) }}`,
	`{{ reduce(1..40, #acc + #acc, "x") }}`,
	`{{ reduce(1..40, concat(#acc, #acc), [1]) }}`,
	`{{ toJSON(map(1..100000, trigger)) }}`,
	`{{ join(map(1..100000, toJSON(trigger)), ",") }}`,
	`{{ replace(repeat("a", 100000), "a", repeat("b", 100000)) }}`,
	`{{ 1..100000000 }}`,
	`{{ flatten(map(1..1000, map(1..1000, [#]))) }}`,
	`{{ get(trigger, "items.#(qty>1)#.sku") }}`,
	`{{ trigger.customer.name }} owes {{ formatMoney(trigger.total, "USD") }}`,
}

// fuzzDefinition builds a definition whose filter, map and foreach are the
// fuzzed expressions, so every mutation reaches the interpreter.
func fuzzDefinition(cond, tmpl, items string) []byte {
	def := map[string]any{
		"name":    "fuzz",
		"trigger": map[string]any{"type": "manual"},
		"steps": []any{
			map[string]any{"id": "gate", "type": "filter", "if": cond},
			map[string]any{"id": "shape", "type": "map", "on_error": "continue",
				"map": map[string]any{"t": tmpl, "p": "trigger.items.0", "all": "{{ steps }}"}},
			map[string]any{"id": "each", "type": "foreach", "items": items, "on_error": "continue",
				"steps": []any{map[string]any{"id": "one", "type": "map", "map": map[string]any{"x": tmpl, "i": "{{ item }}"}}}},
			map[string]any{"id": "done", "type": "map", "map": map[string]any{"t": "{{ steps.shape }}", "e": "{{ steps.each }}"}},
		},
	}
	b, _ := json.Marshal(def)
	return b
}

// catalog is the registry's specs as a validation environment in which
// every credential exists.
func catalog(reg *connectors.Registry) definition.Env {
	env := &definition.StaticEnv{}
	for _, name := range reg.Names() {
		spec, _ := reg.Connector(name)
		env.Specs = append(env.Specs, spec)
	}
	return env
}

func fuzzRegistry(f *testing.F) *connectors.Registry {
	reg, err := all.New(all.Options{})
	if err != nil {
		f.Fatal(err)
	}
	return reg
}

// runBounded dry-runs a definition if it is valid and fails the fuzz input
// when the run panics (the fuzzer reports it), hangs or leaves the heap
// above the bound.
func runBounded(t *testing.T, reg *connectors.Registry, raw, body []byte) {
	def, errs := definition.Parse(raw)
	if def == nil || len(errs) > 0 {
		return
	}
	if errs := definition.Validate(def, catalog(reg)); len(errs) > 0 {
		return
	}
	done := make(chan error, 1)
	go func() {
		_, err := (&dryrun.Runner{Registry: reg}).Run(context.Background(), dryrun.Request{
			Definition: raw, Event: interpreter.EventInfo{Body: body}})
		done <- err
	}()
	select {
	case err := <-done:
		// An error means the dry run could not run at all, which no valid
		// definition may cause.
		if err != nil {
			t.Fatalf("dry run: %v", err)
		}
	case <-time.After(fuzzRunBound):
		t.Fatalf("dry run did not end within %s: definition %s, event %.200s", fuzzRunBound, raw, body)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse > fuzzHeapBound {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > fuzzHeapBound {
			t.Fatalf("heap in use %d MiB after the run: definition %s", ms.HeapInuse>>20, raw)
		}
	}
}

// FuzzDryRunExpressions runs the real interpreter (in the SDK's test
// environment, as dry runs do) on definitions whose filter, templates and
// foreach items are fuzzed, against a fuzzed event body. No input may
// panic, hang or exhaust memory. Run it with
//
//	go test -run '^$' -fuzz FuzzDryRunExpressions -fuzztime 10m ./engine/services/dryrun/
func FuzzDryRunExpressions(f *testing.F) {
	reg := fuzzRegistry(f)
	body := `{"total": 1999, "customer": {"name": "Ada"}, "items": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1}]}`
	for _, s := range hostileSeeds {
		f.Add("true", s, "{{ trigger.items }}", []byte(body))
		f.Add("len(toJSON(trigger)) > 0", "{{ trigger.total }}", strings.Trim(s, "{} "), []byte(body))
	}
	f.Add("trigger.total > 1000", "Hi {{ trigger.customer.name }}", "trigger.items", []byte(`{"total": 1e300}`))
	f.Fuzz(func(t *testing.T, cond, tmpl, items string, body []byte) {
		if !json.Valid(body) {
			return
		}
		runBounded(t, reg, fuzzDefinition(cond, tmpl, items), body)
	})
}

// FuzzDryRunDefinitions mutates whole example definitions and their sample
// events.
//
//	go test -run '^$' -fuzz FuzzDryRunDefinitions -fuzztime 10m ./engine/services/dryrun/
func FuzzDryRunDefinitions(f *testing.F) {
	reg := fuzzRegistry(f)
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "workflows", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no example workflows found (%v)", err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		ev, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "events", filepath.Base(file)))
		if err != nil {
			f.Fatalf("sample event of %s: %v", file, err)
		}
		f.Add(raw, ev)
	}
	f.Fuzz(func(t *testing.T, raw, body []byte) {
		if !json.Valid(body) {
			return
		}
		runBounded(t, reg, raw, body)
	})
}
