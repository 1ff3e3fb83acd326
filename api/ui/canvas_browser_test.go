package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/workflows"
)

// loginBrowser signs in with the admin key and waits for the workflows page.
func loginBrowser(b *browser, s *stack) {
	b.t.Helper()
	b.navigate(s.url + "/")
	b.typeInto("#api-key", s.adminKey)
	b.click("#login")
	b.waitFor(`location.hash === "#/workflows"`, "the workflows page after login")
}

// canvasDef has a branch whose cases fork and join, a foreach body, a
// parallel step with two paths and an on_error goto: every shape the
// canvas draws.
const canvasDef = `{
  "name": "Canvas shapes",
  "trigger": {"type": "webhook", "connector": "webhook"},
  "steps": [
    {"id": "check", "type": "branch", "cases": [{"if": "trigger.amount > 100", "next": "lines"}], "default": "small"},
    {"id": "lines", "type": "foreach", "items": "trigger.lines", "steps": [
      {"id": "line", "type": "map", "map": {"sku": "{{ item.sku }}"}}
    ], "next": "fan", "on_error": "goto:small"},
    {"id": "small", "type": "map", "map": {"note": "{{ trigger.amount }}"}},
    {"id": "fan", "type": "parallel", "branches": [
      {"name": "left", "steps": [{"id": "l1", "type": "map", "map": {"side": "{{ trigger.amount }}"}}]},
      {"name": "right", "steps": [{"id": "r1", "type": "map", "map": {"side": "{{ trigger.amount }}"}}]}
    ]},
    {"id": "done", "type": "stop"}
  ]
}`

// flowModelJS runs the unit tests of js/flowmodel.js in the page: the
// definition → graph → definition round trip and the layout's sanity on
// every example, then a table of edits with their exact results. It
// returns a list of failures ("" entries are never added).
const flowModelJS = `(async () => {
  const fm = await import('/ui/js/flowmodel.js');
  const api = await import('/ui/js/api.js');
  const kinds = await api.stepKinds();
  const examples = EXAMPLES;
  const fails = [];
  const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const stats = {};
  for (const [name, def] of Object.entries(examples)) {
    const back = fm.fromGraph(fm.toGraph(def, kinds));
    if (!eq(back, def)) fails.push(name + ': round trip changed the definition: ' + JSON.stringify(back));
    const g = fm.layout(def, kinds);
    const ids = new Set();
    for (const n of g.nodes) {
      if (ids.has(n.id)) fails.push(name + ': node ' + n.id + ' twice');
      ids.add(n.id);
    }
    const steps = g.nodes.filter((n) => n.role === 'step');
    for (const a of steps) for (const b of steps) {
      if (a === b) continue;
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      if (overlap) fails.push(name + ': nodes ' + a.id + ' and ' + b.id + ' overlap');
    }
    for (const e of g.edges) {
      if (!ids.has(e.from) || !ids.has(e.to)) fails.push(name + ': edge ' + e.id + ' joins unknown nodes');
      if (![e.x1, e.y1, e.x2, e.y2].every(Number.isFinite)) fails.push(name + ': edge ' + e.id + ' has no position');
    }
    // The layout is deterministic.
    if (!eq(fm.layout(def, kinds), g)) fails.push(name + ': two layouts differ');
    stats[name] = { steps: steps.length, goto: g.edges.filter((e) => e.kind === 'goto').length, joins: g.nodes.filter((n) => n.role === 'join').length,
      repeats: g.nodes.filter((n) => n.role === 'repeat').length, cases: g.edges.filter((e) => e.kind === 'case').length };
  }

  // Edits on the canvas shapes.
  const def = CANVAS;
  const g = fm.layout(def, kinds);
  const edge = (from, to, field) => {
    const e = g.edges.find((x) => x.from === from && x.to === to && (field === undefined || x.insert.field === field));
    if (!e) throw new Error('no edge ' + from + ' -> ' + to + ' ' + field);
    return e.insert;
  };
  const ids = (d, path) => (fm.at(d, path) || []).map((s) => s.id);
  const step = (id) => ({ id, type: 'map', map: { x: '1' } });
  const cases = [];
  const check = (label, got, want) => { if (!eq(got, want)) fails.push(label + ': got ' + JSON.stringify(got) + ', want ' + JSON.stringify(want)); };

  // Fork and join: the branch forks into lines (case) and small (otherwise).
  check('branch edges', g.edges.filter((e) => e.from === 'steps[0]').map((e) => [e.to, e.kind, e.label]),
    [['steps[1]', 'case', 'trigger.amount > 100'], ['steps[2]', 'case', 'otherwise']]);
  check('goto edge', g.edges.filter((e) => e.kind === 'goto').map((e) => [e.from, e.to, e.insert.field]), [['steps[1]', 'steps[2]', 'on_error']]);
  check('parallel fork', g.edges.filter((e) => e.kind === 'fork').map((e) => [e.from, e.to]), [['steps[3]', 'steps[3].branches[0].steps[0]'], ['steps[3]', 'steps[3].branches[1].steps[0]']]);
  check('parallel join', g.edges.filter((e) => e.kind === 'join').map((e) => [e.from, e.to]), [['steps[3].branches[0].steps[0]', 'steps[3]#close'], ['steps[3].branches[1].steps[0]', 'steps[3]#close']]);
  check('foreach box', g.boxes.map((b) => b.path), ['steps[1]']);
  const nodeOf = (id) => g.nodes.find((n) => n.id === id);
  const body = nodeOf('steps[1].steps[0]');
  const box = g.boxes[0];
  check('foreach body inside its box', body.x > box.x && body.y > box.y && body.x + body.w < box.x + box.w && body.y + body.h < box.y + box.h, true);
  check('rows go down', nodeOf('steps[0]').y < nodeOf('steps[1]').y && nodeOf('steps[1]').y < nodeOf('steps[2]').y, true);

  // Insert on a plain edge: between the trigger and the first step.
  let r = fm.insertStep(def, kinds, edge('trigger', 'steps[0]'), step('first'));
  check('insert at the top', ids(r.def, 'steps'), ['first', 'check', 'lines', 'small', 'fan', 'done']);
  // Insert on a case edge: the case now goes to the new step, which goes on to lines.
  r = fm.insertStep(def, kinds, edge('steps[0]', 'steps[1]', 'cases[0].next'), step('prep'));
  check('insert on a case: order', ids(r.def, 'steps'), ['check', 'prep', 'lines', 'small', 'fan', 'done']);
  check('insert on a case: case target', r.def.steps[0].cases[0].next, 'prep');
  // Insert on the otherwise edge (the default): default points at the
  // new step, which goes before small.
  r = fm.insertStep(def, kinds, edge('steps[0]', 'steps[2]', 'default'), step('tiny'));
  check('insert on default', [ids(r.def, 'steps'), r.def.steps[0].default], [['check', 'lines', 'tiny', 'small', 'fan', 'done'], 'tiny']);
  // Insert on a next edge: small, which fell through to fan, is pinned
  // to fan, so only the chosen edge runs the new step.
  r = fm.insertStep(def, kinds, edge('steps[1]', 'steps[3]', 'next'), step('between'));
  check('insert on next pins the step before', [ids(r.def, 'steps'), r.def.steps[1].next, r.def.steps[2].next], [['check', 'lines', 'small', 'between', 'fan', 'done'], 'between', 'fan']);
  // Insert on the goto edge: on_error goes to the new step.
  r = fm.insertStep(def, kinds, edge('steps[1]', 'steps[2]', 'on_error'), step('alert'));
  check('insert on goto', [ids(r.def, 'steps'), r.def.steps[1].on_error], [['check', 'lines', 'alert', 'small', 'fan', 'done'], 'goto:alert']);
  // Insert into the foreach body, after its step, and into a parallel path.
  r = fm.insertStep(def, kinds, edge('steps[1].steps[0]', 'steps[1]#close'), step('after_line'));
  check('insert at the end of a body', ids(r.def, 'steps[1].steps'), ['line', 'after_line']);
  r = fm.insertStep(def, kinds, edge('steps[3]', 'steps[3].branches[1].steps[0]'), step('r0'));
  check('insert at the start of a path', ids(r.def, 'steps[3].branches[1].steps'), ['r0', 'r1']);
  // Insert at the very end.
  r = fm.insertStep(def, kinds, edge('steps[3]', 'steps[4]'), step('last'));
  check('insert before done', ids(r.def, 'steps'), ['check', 'lines', 'small', 'fan', 'last', 'done']);
  // The original is untouched by every edit.
  check('edits copy', eq(def, CANVAS), true);

  // Move: small to the end of the list, fan's path step into the body.
  r = fm.moveStep(def, kinds, 'steps[2]', edge('steps[3]', 'steps[4]'));
  check('move down', ids(r.def, 'steps'), ['check', 'lines', 'fan', 'small', 'done']);
  r = fm.moveStep(def, kinds, 'steps[3].branches[0].steps[0]', edge('steps[1]', 'steps[1].steps[0]'));
  check('move into a body', [ids(r.def, 'steps[1].steps'), ids(r.def, 'steps[3].branches[0].steps')], [['l1', 'line'], []]);
  check('move across lists warns of nothing when nothing names it', r.warnings, []);
  r = fm.moveStep(def, kinds, 'steps[2]', edge('steps[1]', 'steps[1].steps[0]'));
  check('move across lists names the broken references', r.warnings.length > 0 && r.warnings.every((w) => w.includes('small')), true);
  let refused = '';
  try { fm.moveStep(def, kinds, 'steps[1]', edge('steps[1]', 'steps[1].steps[0]')); } catch (err) { refused = err.message; }
  check('a step cannot move into itself', refused, 'a step cannot move into its own body');
  r = fm.swapStep(def, 'steps[3]', 1);
  check('swap down', [ids(r.def, 'steps'), r.path], [['check', 'lines', 'small', 'done', 'fan'], 'steps[4]']);

  // Delete: the references to the deleted step are flagged, not dropped.
  r = fm.deleteStep(def, kinds, 'steps[2]');
  check('delete', ids(r.def, 'steps'), ['check', 'lines', 'fan', 'done']);
  check('delete flags references', r.refs.map((x) => x.path), ['steps[0].default', 'steps[1].on_error']);
  r = fm.deleteStep(def, kinds, 'steps[1]');
  check('delete with its body', [ids(r.def, 'steps'), fm.findStep(r.def, kinds, 'line')], [['check', 'small', 'fan', 'done'], '']);
  check('delete flags the case', r.refs.map((x) => x.path), ['steps[0].cases[0].next']);

  // Run statuses: records by id, worst of a foreach's items, skipped otherwise.
  const st = fm.runStatuses(def, kinds, [
    { id: 'check', path: 'check', status: 'succeeded' },
    { id: 'line', path: 'lines[0].line', status: 'succeeded' },
    { id: 'line', path: 'lines[1].line', status: 'failed' },
    { id: 'lines', path: 'lines', status: 'continued' },
    { id: 'l1', path: 'fan.left.l1', status: 'running', attempts: 2 },
    { id: 'r1', path: 'fan.right.r1', status: 'succeeded', reused: true },
  ], 'running');
  check('run statuses', [...st.entries()].map(([p, v]) => [p, v.status, v.records.length]), [
    ['steps[0]', 'completed', 1], ['steps[1]', 'continued', 1], ['steps[1].steps[0]', 'failed', 2], ['steps[2]', 'pending', 0],
    ['steps[3]', 'pending', 0], ['steps[3].branches[0].steps[0]', 'retrying', 1], ['steps[3].branches[1].steps[0]', 'reused', 1], ['steps[4]', 'pending', 0]]);
  return { fails, stats };
})()`

// TestCanvasFlowModel runs the flow model's unit tests in Chromium.
func TestCanvasFlowModel(t *testing.T) {
	s := newStack(t)
	b := startBrowser(t, 1200, 800).with(t)
	loginBrowser(b, s)

	examples := map[string]json.RawMessage{}
	want := map[string]map[string]int{}
	files, err := fs.Glob(workflows.FS(), "*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("listing the examples: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		raw, err := fs.ReadFile(workflows.FS(), f)
		if err != nil {
			t.Fatal(err)
		}
		examples[f] = raw
		var def struct{ Steps []any }
		if err := json.Unmarshal(raw, &def); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c := map[string]int{}
		countShapes(def.Steps, c)
		want[f] = c
	}
	ex, _ := json.Marshal(examples)
	code := strings.NewReplacer("EXAMPLES", string(ex), "CANVAS", canvasDef).Replace(flowModelJS)
	var res struct {
		Fails []string
		Stats map[string]map[string]int
	}
	b.eval(code, &res)
	if len(res.Fails) > 0 {
		t.Fatalf("flow model failures:\n%s", strings.Join(res.Fails, "\n"))
	}
	for f, w := range want {
		got := res.Stats[f]
		for _, k := range []string{"steps", "goto", "joins", "repeats"} {
			if got[k] != w[k] {
				t.Errorf("%s: the graph has %d %s, want %d", f, got[k], k, w[k])
			}
		}
		if w["choose"] > 0 && got["cases"] < 2*w["choose"] {
			t.Errorf("%s: %d case edges for %d branch/switch steps: each needs its cases and an otherwise", f, got["cases"], w["choose"])
		}
	}
	if p := b.pageProblems(); len(p) > 0 {
		t.Fatalf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// countShapes counts, in a decoded step list, what the graph must show:
// every step, every on_error goto, a join per parallel step, a repeat bar
// per foreach or loop, and the branch/switch steps.
func countShapes(steps []any, c map[string]int) {
	for _, x := range steps {
		st, _ := x.(map[string]any)
		if st == nil {
			continue
		}
		c["steps"]++
		if oe, _ := st["on_error"].(string); strings.HasPrefix(oe, "goto:") {
			c["goto"]++
		}
		switch st["type"] {
		case "parallel":
			c["joins"]++
		case "foreach", "loop":
			c["repeats"]++
		case "branch", "switch":
			c["choose"]++
		}
		for _, list := range []string{"steps", "notify"} {
			if body, ok := st[list].([]any); ok {
				countShapes(body, c)
			}
		}
		if bs, ok := st["branches"].([]any); ok {
			for _, bb := range bs {
				if m, ok := bb.(map[string]any); ok {
					if body, ok := m["steps"].([]any); ok {
						countShapes(body, c)
					}
				}
			}
		}
	}
}

// apiCall calls the REST API as the admin and decodes the answer.
func apiCall(t *testing.T, s *stack, method, path string, body, out any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(method, s.url+"/api/v1"+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.adminKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: HTTP %d: %s", method, path, res.StatusCode, buf.String())
	}
	if out != nil {
		if err := json.Unmarshal(buf.Bytes(), out); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", method, path, buf.String(), err)
		}
	}
}

// dragTo drags the element at selector with the real mouse onto the
// element at target, in small moves as a hand does.
func (b *browser) dragTo(selector, target string) {
	b.t.Helper()
	var pts struct{ X1, Y1, X2, Y2 float64 }
	b.eval(fmt.Sprintf(`(() => {
		document.querySelector(%s).scrollIntoView({block: "center"});
		const a = document.querySelector(%s).getBoundingClientRect();
		const z = document.querySelector(%s).getBoundingClientRect();
		return {X1: a.left + a.width / 2, Y1: a.top + a.height / 2, X2: z.left + z.width / 2, Y2: z.top + z.height / 2};
	})()`, js(selector), js(selector), js(target)), &pts)
	acts := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, pts.X1, pts.Y1),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, pts.X1, pts.Y1, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	}
	for i := 1; i <= 10; i++ {
		f := float64(i) / 10
		acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, pts.X1+(pts.X2-pts.X1)*f, pts.Y1+(pts.Y2-pts.Y1)*f, chromedp.ButtonLeft, leftHeld))
	}
	acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, pts.X2, pts.Y2, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	b.do("dragging "+selector+" onto "+target, acts...)
}

// leftHeld says the left button is down during a move, so the page sees
// pointer moves with buttons = 1, as in a real drag.
func leftHeld(p *input.DispatchMouseEventParams) { p.Buttons = 1 }

// storedDef reads the workflow's definition as stored.
func storedDef(t *testing.T, s *stack, id string) map[string]any {
	t.Helper()
	wf, err := s.store.GetWorkflow(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var def map[string]any
	if err := json.Unmarshal(wf.Definition, &def); err != nil {
		t.Fatal(err)
	}
	return def
}

// TestBrowserCanvas drives the canvas in headless Chromium: open a
// workflow with a branch, a foreach, a parallel step and an on_error
// goto; see its nodes, fork and join; add a step on an edge; drag a step
// to another place; delete one; zoom; check that the list and JSON views
// agree; save; run a test and see each node's status; open a node's
// output; then open a run's page on the canvas. It keeps screenshots.
func TestBrowserCanvas(t *testing.T) {
	s := newStack(t)
	shots := screenshotDir(t)
	b0 := startBrowser(t, 1366, 900)
	noProblems := func(t *testing.T) {
		t.Helper()
		if p := b0.pageProblems(); len(p) > 0 {
			t.Fatalf("the page reported problems:\n%s", strings.Join(p, "\n"))
		}
	}
	var wf struct{ ID string }
	// The sample kept with the workflow is the test run's event.
	apiCall(t, s, "POST", "/workflows", map[string]any{"definition": json.RawMessage(canvasDef),
		"sample": json.RawMessage(`{"amount": 250, "lines": [{"sku": "a"}, {"sku": "b"}]}`)}, &wf)
	editor := s.url + "/#/workflows/" + wf.ID
	node := func(path string) string { return `#flow-canvas .node[data-node="` + path + `"]` }

	t.Run("see the flow", func(t *testing.T) {
		b := b0.with(t)
		loginBrowser(b, s)
		b.navigate(editor)
		b.waitFor(`document.querySelector("#flow-canvas .node[data-node='steps[4]']")`, "the canvas with every step")
		var tab string
		b.eval(`document.querySelector("#tab-canvas").getAttribute("aria-selected")`, &tab)
		if tab != "true" {
			t.Fatalf("the canvas is not the default view (aria-selected %q)", tab)
		}
		var seen struct {
			Nodes, Steps, Joins, Boxes, Goto, Cases, Adds int
			Labels                                        []string
		}
		b.eval(`(() => {
			const q = (s) => document.querySelectorAll("#flow-canvas " + s);
			return {Nodes: q(".node").length, Steps: q(".node.n-step").length, Joins: q(".node.n-join").length, Boxes: q(".body-box").length,
				Goto: q(".edge.e-goto").length, Cases: q(".edge.e-case").length, Adds: q(".edge-add").length,
				Labels: [...q(".node.n-step")].map((n) => n.getAttribute("aria-label"))};
		})()`, &seen)
		if seen.Steps != 8 || seen.Joins != 1 || seen.Boxes != 1 || seen.Goto != 1 || seen.Cases != 2 {
			t.Fatalf("canvas shows %+v; want 8 steps, a join, a foreach box, a goto edge and two case edges", seen)
		}
		if seen.Adds < 10 {
			t.Fatalf("canvas has %d + buttons, want one on every edge", seen.Adds)
		}
		if !strings.Contains(strings.Join(seen.Labels, "|"), "Step check, Branch") {
			t.Fatalf("node labels %v do not name the branch step", seen.Labels)
		}
		var lbl string
		b.eval(`document.querySelector("#flow-canvas .lane-label.is-lane").textContent`, &lbl)
		if lbl != "left" {
			t.Fatalf("first parallel lane label %q, want left", lbl)
		}
		b.screenshot(shots, "canvas-editor")
		noProblems(t)
	})

	t.Run("select a node, edit its form", func(t *testing.T) {
		b := b0.with(t)
		b.click(node("steps[2]"))
		b.waitFor(`document.querySelector('#canvas-panel [data-error-key="steps[2].id"]')`, "the form of small beside the canvas")
		b.typeInto(`#canvas-panel input[data-error-key="steps[2].name"]`, "Small order")
		b.waitFor(`document.querySelector(`+js(node("steps[2]"))+`).textContent.includes("Small order")`, "the canvas to show the new name")
		// Keyboard: Tab reaches nodes, Enter opens the form.
		b.eval(`document.querySelector(`+js(node("steps[0]"))+`).focus()`, nil)
		b.do("pressing Enter on a node", chromedp.KeyEvent("\r"))
		b.waitFor(`document.activeElement && document.activeElement.closest("#canvas-panel") && document.querySelector('#canvas-panel [data-error-key="steps[0].id"]')`, "Enter to open the branch's form with focus in it")
		noProblems(t)
	})

	t.Run("add a step on an edge", func(t *testing.T) {
		b := b0.with(t)
		// The + on the branch's case edge into the foreach.
		add := `#flow-canvas .edge-add[data-edge="steps[0]->steps[1]:cases[0].next"]`
		// Just after an edit in the form (a key typed and taken back), a
		// click held longer than the canvas's deferred redraw still opens
		// the chooser: the redraw waits for the release.
		b.eval(`document.querySelector('#canvas-panel input[data-error-key="steps[0].name"]').focus()`, nil)
		b.do("typing a key and taking it back", chromedp.KeyEvent("x"), chromedp.KeyEvent(kb.Backspace))
		b.slowClick(add, 400*time.Millisecond)
		b.waitFor(`document.querySelector("#add-kind")`, "the step chooser")
		b.selectOption("#add-kind", "action")
		b.selectOption("#add-connector", "slack")
		b.selectOption("#add-action", "post_message")
		b.screenshot(shots, "canvas-add-step")
		b.click("#add-confirm")
		b.waitFor(`document.querySelector(`+js(node("steps[1]"))+`) && document.querySelector(`+js(node("steps[1]"))+`).dataset.stepId === "action_1"`, "the new action on the canvas")
		b.waitFor(`document.querySelector('#canvas-panel select[data-error-key="steps[1].action"]') && document.querySelector('#canvas-panel select[data-error-key="steps[1].action"]').value === "post_message"`, "the new step's form with its action")
		var next string
		b.eval(`document.querySelector('#flow-canvas .edge[data-edge="steps[0]->steps[1]:cases[0].next"]') ? "ok" : ""`, &next)
		if next != "ok" {
			t.Fatal("the case edge does not lead to the new step")
		}
		noProblems(t)
	})

	t.Run("drag a step to reorder, delete one, zoom", func(t *testing.T) {
		b := b0.with(t)
		// Drag r1 (the right parallel path) onto the edge into done.
		b.dragTo(node("steps[4].branches[1].steps[0]"), `#flow-canvas .edge-add[data-edge="steps[4]->steps[5]"]`)
		b.waitFor(`document.querySelector(`+js(node("steps[5]"))+`) && document.querySelector(`+js(node("steps[5]"))+`).dataset.stepId === "r1"`, "r1 moved before done")
		// Its path is empty now; put it back from the keyboard: the chooser opens on Enter.
		// Delete the moved step with the Delete key.
		b.click(node("steps[5]"))
		b.do("pressing Delete", chromedp.KeyEvent("\x7f"))
		b.waitFor(`![...document.querySelectorAll("#flow-canvas .node.n-step")].some((n) => n.dataset.stepId === "r1")`, "r1 deleted")
		// Zoom with the button and the keyboard.
		var z0, z1, z2 float64
		zoom := `Number(document.querySelector("#flow-canvas").dataset.zoom)`
		b.eval(zoom, &z0)
		b.click("#zoom-in")
		b.eval(zoom, &z1)
		b.eval(`document.querySelector("#flow-canvas").focus()`, nil)
		b.do("pressing -", chromedp.KeyEvent("-"))
		b.do("pressing -", chromedp.KeyEvent("-"))
		b.eval(zoom, &z2)
		if !(z1 > z0 && z2 < z1) {
			t.Fatalf("zoom went %.2f → %.2f (button) → %.2f (keys), want up then down", z0, z1, z2)
		}
		// Ctrl + wheel zooms in at the pointer.
		var at struct{ X, Y float64 }
		b.eval(`(() => { const r = document.querySelector("#flow-canvas").getBoundingClientRect(); return {X: r.left + 40, Y: Math.max(r.top, 0) + 40}; })()`, &at)
		b.do("ctrl+wheel on the canvas", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseWheel, at.X, at.Y,
			chromedp.ButtonModifiers(chromedp.ModifierCtrl), func(p *input.DispatchMouseEventParams) {
				// Chromium wants both deltas; a zero would be left out of the message.
				p.DeltaX, p.DeltaY = 0.01, -120
			}))
		b.waitFor(zoom+` > `+fmt.Sprintf("%.2f", z2), "ctrl+wheel to zoom in")
		// The keyboard reaches a "+" with Tab; Enter opens the chooser and
		// Escape closes it.
		b.eval(`document.querySelector('#flow-canvas .edge-add[data-edge="steps#enter"]').focus()`, nil)
		b.do("pressing Enter on a +", chromedp.KeyEvent("\r"))
		b.waitFor(`document.activeElement && document.activeElement.id === "add-kind"`, "the chooser, focused, from the keyboard")
		b.do("pressing Escape", chromedp.KeyEvent(kb.Escape))
		b.waitFor(`document.querySelector(".add-chooser").hidden`, "Escape to close the chooser")
		// Arrow keys pan.
		var before, after string
		transform := `document.querySelector("#flow-canvas .viewport").getAttribute("transform")`
		b.eval(`document.querySelector("#flow-canvas").focus()`, nil)
		b.eval(transform, &before)
		b.do("pressing the left arrow", chromedp.KeyEvent(kb.ArrowLeft))
		b.eval(transform, &after)
		if before == after {
			t.Fatalf("the left arrow did not pan the canvas (transform stays %q)", before)
		}
		b.click("#zoom-fit")
		noProblems(t)
	})

	t.Run("list and JSON agree", func(t *testing.T) {
		b := b0.with(t)
		b.click("#tab-json")
		var doc struct {
			Steps []struct {
				ID       string
				Cases    []struct{ Next string }
				Branches []struct{ Steps []struct{ ID string } }
			}
		}
		var raw string
		b.eval(`document.querySelector("textarea.json-editor").value`, &raw)
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			t.Fatalf("JSON view: %v\n%s", err, raw)
		}
		var ids []string
		for _, st := range doc.Steps {
			ids = append(ids, st.ID)
		}
		if got := strings.Join(ids, ","); got != "check,action_1,lines,small,fan,done" {
			t.Fatalf("JSON view steps %s, want check,action_1,lines,small,fan,done", got)
		}
		if doc.Steps[0].Cases[0].Next != "action_1" || len(doc.Steps[4].Branches[1].Steps) != 0 {
			t.Fatalf("JSON view: case goes to %q, right path holds %v", doc.Steps[0].Cases[0].Next, doc.Steps[4].Branches[1].Steps)
		}
		b.click("#tab-visual")
		b.waitFor(`document.querySelector('[data-path="steps[1]"][data-step-id="action_1"]')`, "the list view with the new step")
		// Fix the flow in the list: the empty right path gets a step back
		// through JSON, and the canvas shows it.
		b.click("#tab-json")
		var fixed string
		b.eval(`(() => { const d = JSON.parse(document.querySelector("textarea.json-editor").value);
			d.steps[4].branches[1].steps = [{id: "r1", type: "map", map: {side: "{{ trigger.amount }}"}}];
			d.steps.splice(1, 1); d.steps[0].cases[0].next = "lines";
			const t = document.querySelector("textarea.json-editor"); t.value = JSON.stringify(d, null, 2); t.dispatchEvent(new Event("input", {bubbles: true})); return "ok"; })()`, &fixed)
		b.click("#tab-canvas")
		b.waitFor(`document.querySelector(`+js(node("steps[3].branches[1].steps[0]"))+`) && document.querySelector(`+js(node("steps[3].branches[1].steps[0]"))+`).dataset.stepId === "r1"`, "the canvas to show the JSON edit")
		b.click("#save")
		b.waitFor(`document.body.innerText.includes("version 2")`, "version 2 saved")
		def := storedDef(t, s, wf.ID)
		if n := len(def["steps"].([]any)); n != 5 {
			t.Fatalf("stored definition has %d steps, want 5", n)
		}
		noProblems(t)
	})

	t.Run("test run statuses on the canvas", func(t *testing.T) {
		b := b0.with(t)
		b.waitFor(`document.querySelector(".sample .tree") && !document.querySelector("#test-run").disabled`, "the kept sample and the test button")
		b.click("#test-run")
		b.waitFor(`document.querySelector(".test-out ol.inspector") && document.querySelector("#flow-canvas .node.st-completed")`, "the test run's statuses on the canvas")
		var st map[string]string
		b.eval(`Object.fromEntries([...document.querySelectorAll("#flow-canvas .node.n-step")].map((n) => [n.dataset.stepId, [...n.classList].find((c) => c.startsWith("st-")) + "|" + (n.querySelector(".node-status") ? n.querySelector(".node-status").textContent : "")]))`, &st)
		want := map[string]string{"check": "st-completed|✓ completed", "lines": "st-completed|✓ completed", "line": "st-completed|✓ completed ×2", "small": "st-skipped|– skipped", "l1": "st-completed|✓ completed", "done": "st-completed|✓ completed"}
		for id, w := range want {
			if st[id] != w {
				t.Errorf("node %s shows %q, want %q (all: %v)", id, st[id], w, st)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		// Clicking a node shows its input and output under its form.
		b.click(node("steps[1].steps[0]"))
		b.waitFor(`document.querySelector("#canvas-panel .canvas-run")`, "the node's test-run details")
		out := strings.ToLower(b.text("#canvas-panel .canvas-run"))
		for _, w := range []string{"completed", "lines[0].line", "lines[1].line", "output", "sku"} {
			if !strings.Contains(out, w) {
				t.Fatalf("the node's run details do not show %q:\n%s", w, out)
			}
		}
		b.screenshot(shots, "canvas-test-run")
		noProblems(t)
	})

	t.Run("a run's page on the canvas", func(t *testing.T) {
		b := b0.with(t)
		started := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		ended := started.Add(2 * time.Second)
		steps := `[
		  {"path":"check","id":"check","type":"branch","status":"succeeded","output":{"next":"lines"},"attempts":1,"started_at":"2026-05-01T10:00:00Z"},
		  {"path":"lines[0].line","id":"line","type":"map","status":"succeeded","input":{"sku":"{{ item.sku }}"},"output":{"sku":"a"},"attempts":1,"started_at":"2026-05-01T10:00:00Z"},
		  {"path":"lines","id":"lines","type":"foreach","status":"succeeded","output":[{"line":{"sku":"a"}}],"started_at":"2026-05-01T10:00:00Z"},
		  {"path":"fan.left.l1","id":"l1","type":"map","status":"succeeded","output":{"side":"left"},"started_at":"2026-05-01T10:00:01Z"},
		  {"path":"fan.right.r1","id":"r1","type":"map","status":"failed","error":"boom: the map failed","error_class":"permanent","started_at":"2026-05-01T10:00:01Z",
		   "attempts":2}]`
		if err := s.store.UpsertRun(context.Background(), store.Run{ID: "run_canvas", WorkflowID: wf.ID, WorkflowVersion: 2, Status: store.RunFailed,
			StartedAt: started, EndedAt: &ended, Error: "step r1 failed", Steps: json.RawMessage(steps)}); err != nil {
			t.Fatal(err)
		}
		// The step's attempts, as its activity records them.
		for _, a := range []store.StepAttempt{
			{Attempt: 1, Status: store.AttemptFailed, Error: "timeout", ErrorClass: "retryable", StartedAt: started.Add(time.Second)},
			{Attempt: 2, Status: store.AttemptFailed, Error: "boom: the map failed", ErrorClass: "permanent", StartedAt: started.Add(2 * time.Second)},
		} {
			a.RunID, a.Step = "run_canvas", "fan.right.r1"
			if err := s.store.RecordStepAttempt(context.Background(), a); err != nil {
				t.Fatal(err)
			}
		}
		b.navigate(s.url + "/#/runs/run_canvas")
		b.waitFor(`document.querySelector("#run-canvas .node[data-node='steps[3].branches[1].steps[0]']")`, "the run on the canvas")
		var st map[string]string
		b.eval(`Object.fromEntries([...document.querySelectorAll("#run-canvas .node.n-step")].map((n) => [n.dataset.stepId, n.querySelector(".node-status").textContent]))`, &st)
		want := map[string]string{"check": "✓ completed", "lines": "✓ completed", "line": "✓ completed", "small": "– skipped", "l1": "✓ completed", "r1": "✕ failed", "done": "– skipped"}
		for id, w := range want {
			if st[id] != w {
				t.Errorf("run node %s shows %q, want %q", id, st[id], w)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		b.click(`#run-canvas .node[data-node="steps[3].branches[1].steps[0]"]`)
		b.waitFor(`document.querySelector("#run-canvas-panel .run-record")`, "the failed node's details")
		got := b.text("#run-canvas-panel")
		for _, w := range []string{"failed", "boom: the map failed", "permanent", "Attempts (2)", "timeout", "2 attempts"} {
			if !strings.Contains(got, w) {
				t.Fatalf("the failed node's details do not show %q:\n%s", w, got)
			}
		}
		b.click(`#run-canvas .node[data-node="steps[1].steps[0]"]`)
		b.waitFor(`document.querySelector("#run-canvas-panel").innerText.includes("sku")`, "the body step's output")
		b.screenshot(shots, "canvas-run-page")
		// The step list stays below, as the accessible alternative.
		if insp := b.text("ol.inspector"); !strings.Contains(insp, "fan.right.r1") {
			t.Fatalf("the run's step list is gone: %q", insp)
		}
		noProblems(t)
	})

	t.Run("narrow screen", func(t *testing.T) {
		b := b0.with(t)
		b.do("narrowing the page", chromedp.EmulateViewport(360, 800))
		b.navigate(editor)
		b.waitFor(`document.querySelector("#flow-canvas .node.n-step")`, "the canvas at 360 px")
		var layout struct{ CanvasBottom, PanelTop, CanvasRight, PanelRight, ViewWidth float64 }
		b.eval(`(() => { const c = document.querySelector("#flow-canvas").getBoundingClientRect(), p = document.querySelector("#canvas-panel").getBoundingClientRect();
			return {CanvasBottom: c.bottom, PanelTop: p.top, CanvasRight: c.right, PanelRight: p.right, ViewWidth: window.innerWidth}; })()`, &layout)
		if layout.PanelTop < layout.CanvasBottom {
			t.Fatalf("at 360 px the form is not below the canvas: %+v", layout)
		}
		if layout.CanvasRight > layout.ViewWidth+1 || layout.PanelRight > layout.ViewWidth+1 {
			t.Fatalf("at 360 px the canvas or its form is wider than the screen: %+v", layout)
		}
		// The whole flow fits the narrow canvas once fitted.
		b.click("#zoom-fit")
		var fits bool
		b.eval(`document.querySelector("#flow-canvas .viewport").getBoundingClientRect().right <= document.querySelector("#flow-canvas").getBoundingClientRect().right + 1`, &fits)
		if !fits {
			t.Fatal("at 360 px Fit does not fit the flow's width")
		}
		b.screenshot(shots, "canvas-narrow")
		b.do("widening the page", chromedp.EmulateViewport(1366, 900))
		noProblems(t)
	})
}
