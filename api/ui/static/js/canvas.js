// The flow canvas: the workflow drawn as a graph in SVG (the layout comes
// from flowmodel.js), the default view of the workflow editor. The
// trigger is on top; steps are nodes; branch and switch cases and
// parallel paths fork and join; foreach and loop bodies sit in a box;
// an on_error goto is a dashed red arc.
//
// Edit: "+" on every edge adds a step there (kind, and for an action its
// app and action); drag a node onto another edge's "+" to move it;
// Delete (button or key) removes the selected step. Zoom with Ctrl+wheel,
// the buttons or +/-; pan by dragging the background or with the arrow
// keys. Nodes are buttons (Tab, Enter opens the form; Alt+↑/↓ moves the
// step within its list). The selected step's form is the list view's card
// (steps.js), shown beside the canvas: typing there redraws the canvas,
// and every canvas edit rewrites the same definition object the list and
// JSON views show.
//
// With a run (setRun), each node shows its status and the panel shows
// the selected step's input, output, error and attempts.

import { h, replace, toast } from './dom.js';
import { layout, edgePath, edgeMid, insertStep, moveStep, deleteStep, swapStep, findStep, runStatuses, STATUS, at, SIZE } from './flowmodel.js';
import { newStep, stepPanel } from './steps.js';
import { recordDetails } from './runcanvas.js';

const SVGNS = 'http://www.w3.org/2000/svg';
const ZOOM_MIN = 0.25;
const ZOOM_MAX = 2.5;
const PAN_STEP = 60;
// How near (in screen pixels) a dragged node must come to a "+" to drop
// there.
const DROP_RADIUS = 36;

// s creates an SVG element.
export function s(tag, attrs = {}, ...kids) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, String(v));
  }
  for (const c of kids.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function clip(t, n) {
  const x = String(t === undefined || t === null ? '' : t);
  return x.length > n ? `${x.slice(0, n - 1)}…` : x;
}

// kindTitle is a kind's title from its spec.
function kindTitle(kinds, type) {
  const k = kinds.byKind.get(type);
  return k ? k.title : type || 'step';
}

// drawGraph renders graph g into an SVG <g>: boxes, lane labels, edges,
// nodes. opts.edit adds the "+" of every edge; opts.status maps a step
// path to its run status; opts.errors is a set of paths with errors;
// opts.selected the selected node id.
export function drawGraph(g, kinds, opts = {}) {
  const root = s('g', { class: 'graph' });
  for (const b of g.boxes) root.append(s('rect', { class: 'body-box', x: b.x, y: b.y, width: b.w, height: b.h, rx: 12 }));
  for (const l of g.labels) root.append(s('text', { class: ['lane-label', l.lane ? 'is-lane' : ''], x: l.x, y: l.y, 'text-anchor': 'start' }, clip(l.text, 30)));
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const name = (id) => {
    const n = byId.get(id);
    if (!n) return id;
    if (n.role === 'step') return n.stepId || n.label;
    return n.role === 'trigger' ? 'the trigger' : n.role === 'end' ? 'the end' : `the ${n.label} of ${byId.get(n.path) ? byId.get(n.path).stepId : n.path}`;
  };
  const edges = s('g', { class: 'edges' });
  const adds = s('g', { class: 'adds' });
  for (const e of g.edges) {
    edges.append(s('path', { class: ['edge', `e-${e.kind}`], d: edgePath(e), 'marker-end': `url(#arrow-${e.kind === 'goto' ? 'goto' : 'flow'})`, dataset: { edge: e.id } }));
    const m = edgeMid(e);
    if (e.label) {
      // Beside the "+", on the side the edge goes to, so that the labels
      // of a fork do not run into each other.
      const leftward = e.kind !== 'goto' && e.via === undefined && e.x2 < e.x1;
      edges.append(s('text', {
        class: ['edge-label', `e-${e.kind}`], x: leftward ? m.x - 15 : m.x + 15, y: m.y + 4, 'text-anchor': leftward ? 'end' : 'start',
      }, clip(e.label, 24)));
    }
    if (opts.edit) {
      adds.append(s('g', {
        class: 'edge-add', tabindex: 0, role: 'button', transform: `translate(${m.x},${m.y})`,
        'aria-label': `Add a step between ${name(e.from)} and ${name(e.to)}${e.label ? ` (${e.label})` : ''}`,
        dataset: { edge: e.id, x: m.x, y: m.y },
      }, s('title', {}, `Add a step here${e.label ? ` (${e.label})` : ''}`), s('circle', { r: 11 }), s('path', { d: 'M-5,0 H5 M0,-5 V5' })));
    }
  }
  root.append(edges);
  const nodes = s('g', { class: 'nodes' });
  for (const n of g.nodes) nodes.append(drawNode(n, kinds, opts));
  root.append(nodes, adds);
  return root;
}

function drawNode(n, kinds, opts) {
  if (n.role === 'join' || n.role === 'repeat' || n.role === 'then') {
    return s('g', { class: ['node', `n-${n.role}`], transform: `translate(${n.x},${n.y})`, 'aria-hidden': 'true' },
      s('rect', { width: n.w, height: n.h, rx: n.h / 2 }),
      s('text', { x: n.w / 2, y: n.h / 2 + 4, 'text-anchor': 'middle' }, n.role === 'join' ? '⋈ join' : n.role === 'then' ? '↓ then' : '↺ next item'));
  }
  if (n.role === 'end') {
    return s('g', { class: ['node', 'n-end'], transform: `translate(${n.x},${n.y})`, 'aria-hidden': 'true' },
      s('rect', { width: n.w, height: n.h, rx: n.h / 2 }),
      s('text', { x: n.w / 2, y: n.h / 2 + 4, 'text-anchor': 'middle' }, '■ End'));
  }
  const st = opts.status && n.role === 'step' ? opts.status.get(n.path) : null;
  const err = opts.errors && n.role === 'step' && opts.errors.has(n.path);
  const kind = n.role === 'trigger' ? 'Trigger' : kindTitle(kinds, n.type);
  const sInfo = st ? STATUS[st.status] || { icon: '•', text: st.status } : null;
  const label = n.role === 'trigger' ? `Trigger: ${n.label}` : `Step ${n.stepId || n.label}, ${kind}${n.sub ? `, ${n.label}` : ''}`;
  const g = s('g', {
    class: ['node', `n-${n.role}`, `k-${n.type || 'none'}`, st ? `st-${st.status}` : '', err ? 'has-error' : '', opts.selected === n.id ? 'selected' : ''],
    transform: `translate(${n.x},${n.y})`, tabindex: 0, role: 'button',
    'aria-label': `${label}${sInfo ? `: ${sInfo.text}` : ''}${err ? ': has problems' : ''}`,
    'aria-pressed': String(opts.selected === n.id),
    dataset: { node: n.id, path: n.path || '', stepId: n.stepId || '' },
  });
  g.append(s('rect', { class: 'node-box', width: n.w, height: n.h, rx: 8 }));
  g.append(s('rect', { class: 'node-kind', width: 6, height: n.h, rx: 3 }));
  g.append(s('text', { class: 'node-type', x: 16, y: 19 }, clip(kind, 22)));
  g.append(s('text', { class: 'node-label', x: 16, y: 40 }, clip(n.label, n.sub ? 18 : 24)));
  if (n.sub) g.append(s('text', { class: 'node-sub', x: n.w - 10, y: 40, 'text-anchor': 'end' }, clip(n.sub, 10)));
  if (err) g.append(s('text', { class: 'node-err', x: n.w - 10, y: 19, 'text-anchor': 'end' }, '⚠ fix'));
  if (sInfo) {
    const many = st.records.length > 1 ? ` ×${st.records.length}` : '';
    const text = `${sInfo.icon} ${sInfo.text}${many}`;
    const w = Math.min(n.w - 20, 12 + text.length * 6.6);
    g.append(s('g', { class: 'node-status', transform: `translate(${n.w - w - 6},${n.h - 9})` },
      s('rect', { width: w, height: 18, rx: 9 }),
      s('text', { x: w / 2, y: 13, 'text-anchor': 'middle' }, text)));
  }
  return g;
}

// arrowDefs are the arrow heads of edges.
export function arrowDefs() {
  return s('defs', {},
    s('marker', { id: 'arrow-flow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-flow' })),
    s('marker', { id: 'arrow-goto', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-goto' })));
}

// viewport holds zoom and pan for an SVG: wheel, drag on the background,
// buttons and keys. apply() writes the transform.
export function viewport(svg, layer, wrap, onPanStart) {
  // gh is the graph's height: the canvas grows with it (and the zoom),
  // so the page scrolls through a long flow and pan is for the sides.
  const v = { k: 1, x: 0, y: 0, gh: 0 };
  const apply = () => {
    layer.setAttribute('transform', `translate(${v.x},${v.y}) scale(${v.k})`);
    wrap.dataset.zoom = v.k.toFixed(2);
    if (v.gh) wrap.style.height = `${Math.round(Math.max(320, v.gh * v.k + Math.max(0, v.y) + 16))}px`;
  };
  const zoomAt = (f, cx, cy) => {
    const k = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, v.k * f));
    v.x = cx - (cx - v.x) * (k / v.k);
    v.y = cy - (cy - v.y) * (k / v.k);
    v.k = k;
    apply();
  };
  const center = () => ({ x: wrap.clientWidth / 2, y: wrap.clientHeight / 2 });
  const api = {
    state: v,
    zoom(f) {
      const c = center();
      zoomAt(f, c.x, c.y);
    },
    pan(dx, dy) {
      v.x += dx;
      v.y += dy;
      apply();
    },
    // fit shows the whole graph's width (never above 100 %), top first.
    fit(gw, gh) {
      if (gh) v.gh = gh;
      const avail = Math.max(200, wrap.clientWidth - 8);
      v.k = Math.max(ZOOM_MIN, Math.min(1, avail / gw));
      v.x = Math.max(0, (wrap.clientWidth - gw * v.k) / 2);
      v.y = 0;
      apply();
    },
    // toGraph converts a client point to graph units.
    toGraph(cx, cy) {
      const r = svg.getBoundingClientRect();
      return { x: (cx - r.left - v.x) / v.k, y: (cy - r.top - v.y) / v.k };
    },
    apply,
  };
  // Ctrl/⌘ + wheel (and a touchpad pinch, which browsers send as one)
  // zooms; the plain wheel keeps scrolling the page through a long flow.
  svg.addEventListener('wheel', (e) => {
    if (!e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.1 : 1 / 1.1, e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  let pan = null;
  svg.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || e.target.closest('.node[tabindex], .edge-add')) return;
    if (onPanStart) onPanStart();
    pan = { x: e.clientX, y: e.clientY, vx: v.x, vy: v.y };
    svg.setPointerCapture(e.pointerId);
    wrap.classList.add('panning');
  });
  svg.addEventListener('pointermove', (e) => {
    if (!pan) return;
    v.x = pan.vx + e.clientX - pan.x;
    v.y = pan.vy + e.clientY - pan.y;
    apply();
  });
  const end = () => {
    pan = null;
    wrap.classList.remove('panning');
  };
  svg.addEventListener('pointerup', end);
  svg.addEventListener('pointercancel', end);
  return api;
}

// zoomKeys handles +, -, 0 and the arrows on the canvas (not while a
// node takes Alt+arrows to move).
export function zoomKeys(e, vp, fit) {
  if (e.ctrlKey || e.metaKey) return false;
  const k = e.key;
  if (k === '+' || k === '=') vp.zoom(1.2);
  else if (k === '-' || k === '_') vp.zoom(1 / 1.2);
  else if (k === '0') fit();
  else if (e.altKey) return false;
  else if (k === 'ArrowLeft') vp.pan(PAN_STEP, 0);
  else if (k === 'ArrowRight') vp.pan(-PAN_STEP, 0);
  else if (k === 'ArrowUp') vp.pan(0, PAN_STEP);
  else if (k === 'ArrowDown') vp.pan(0, -PAN_STEP);
  else return false;
  e.preventDefault();
  return true;
}

// toolbar is the zoom buttons and a help line, shared with the run view.
export function zoomButtons(vp, fit, extra = []) {
  return h('div', { class: 'canvas-tools', role: 'toolbar', 'aria-label': 'Canvas tools' },
    h('button', { type: 'button', class: 'icon', id: 'zoom-out', 'aria-label': 'Zoom out', title: 'Zoom out (-)', onclick: () => vp.zoom(1 / 1.2) }, '−'),
    h('button', { type: 'button', class: 'icon', id: 'zoom-in', 'aria-label': 'Zoom in', title: 'Zoom in (+)', onclick: () => vp.zoom(1.2) }, '+'),
    h('button', { type: 'button', class: 'small', id: 'zoom-fit', title: 'Fit to width (0)', onclick: fit }, 'Fit'),
    ...extra);
}

// flowCanvas builds the editor's canvas view in pane. ctx is the editor
// context of workflows.js (def, kinds, catalog, open, rerender,
// triggerForm, errors). It returns {render, setRun, reveal}.
export function flowCanvas(pane, ctx) {
  const wrap = h('div', { class: 'canvas-wrap', tabindex: '0', role: 'group', id: 'flow-canvas', 'aria-label': 'Flow canvas. Tab to a step and press Enter to edit it; + and - zoom, arrows pan, Delete removes the selected step, Alt+arrows move it.' });
  const svg = s('svg', { class: 'canvas', xmlns: SVGNS, role: 'presentation' });
  const layer = s('g', { class: 'viewport' });
  svg.append(arrowDefs(), layer);
  wrap.append(svg);
  const panel = h('div', { class: 'canvas-panel', id: 'canvas-panel', 'aria-live': 'polite' });
  const chooser = h('div', { class: 'add-chooser', hidden: true, role: 'dialog', 'aria-label': 'Add a step' });
  wrap.append(chooser);
  const state = { selected: 'trigger', run: null, graph: null, fitted: false };
  const vp = viewport(svg, layer, wrap, () => closeChooser());
  const fit = () => state.graph && vp.fit(state.graph.width, state.graph.height);
  const delBtn = h('button', { type: 'button', class: 'small danger', id: 'canvas-delete', disabled: true, onclick: () => removeSelected() }, 'Delete step');
  const clearRunBtn = h('button', { type: 'button', class: 'small', id: 'canvas-clear-run', hidden: true, onclick: () => setRun(null) }, 'Hide test run');
  const tools = zoomButtons(vp, fit, [delBtn, clearRunBtn,
    h('span', { class: 'help' }, 'Drag a step onto a + to move it. Ctrl+wheel zooms. Keys: Tab, Enter, Delete, +/-, arrows.')]);
  replace(pane, h('div', { class: 'canvas-view' }, h('div', { class: 'canvas-col' }, tools, wrap), panel));

  // apply replaces the definition's content in place: the list view, the
  // JSON view and save all hold this one object.
  function apply(next) {
    for (const k of Object.keys(ctx.def)) delete ctx.def[k];
    Object.assign(ctx.def, next);
  }

  function selectedNode() {
    return state.graph && state.graph.nodes.find((n) => n.id === state.selected);
  }

  // stepPrefixes lists the steps a JSON path lies in, outermost first:
  // its prefixes that end in an index and name a node of the graph.
  function stepPrefixes(path, g) {
    const ids = new Set(g.nodes.filter((n) => n.role === 'step').map((n) => n.id));
    const out = [];
    const re = /\[\d+\]/g;
    for (let m = re.exec(path); m; m = re.exec(path)) {
      const p = path.slice(0, m.index + m[0].length);
      if (ids.has(p)) out.push(p);
    }
    return out;
  }

  function errorPaths(g) {
    const set = new Set();
    for (const e of (ctx.errors && ctx.errors()) || []) for (const p of stepPrefixes(String(e.path || ''), g)) set.add(p);
    return set;
  }

  function draw() {
    const g = layout(ctx.def, ctx.kinds);
    state.graph = g;
    const status = state.run ? runStatuses(ctx.def, ctx.kinds, state.run.steps || [], state.run.status) : null;
    // A redraw replaces every node: keep the keyboard focus where it was.
    const had = layer.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = had && (had.dataset.node ? `.node[data-node="${CSS.escape(had.dataset.node)}"]` : had.dataset.edge ? `.edge-add[data-edge="${CSS.escape(had.dataset.edge)}"]` : '');
    layer.replaceChildren(drawGraph(g, ctx.kinds, { edit: true, status, errors: errorPaths(g), selected: state.selected }));
    if (focusKey) {
      const el = layer.querySelector(focusKey);
      if (el) el.focus({ preventScroll: true });
    }
    vp.state.gh = g.height;
    if (!state.fitted && wrap.clientWidth) {
      state.fitted = true;
      fit();
    } else vp.apply();
    wrap.dataset.nodes = String(g.nodes.filter((n) => n.role === 'step').length);
  }

  function showPanel() {
    const n = selectedNode();
    delBtn.disabled = !n || n.role !== 'step';
    if (!n) {
      replace(panel, h('p', { class: 'help' }, 'Select a step (click it, or Tab to it and press Enter) to edit it here. Click the trigger to edit what starts the workflow.'));
      return;
    }
    if (n.role === 'trigger') {
      replace(panel, ctx.triggerForm ? ctx.triggerForm() : h('p', {}, 'Trigger'));
    } else {
      const listPath = n.list;
      const siblings = at(ctx.def, listPath);
      const step = siblings && siblings[n.index];
      if (!step) {
        state.selected = '';
        showPanel();
        return;
      }
      replace(panel, stepPanel(step, n.index, siblings, n.path, { ...ctx, stepsField: nestedNote }));
    }
    const st = state.run && n.role === 'step' ? runStatuses(ctx.def, ctx.kinds, state.run.steps || [], state.run.status).get(n.path) : null;
    if (st) panel.append(h('section', { class: 'canvas-run', 'aria-label': `Test run of ${n.stepId}` }, h('h4', {}, 'In the test run'), recordDetails(n.stepId, st)));
    if (ctx.errors && ctx.placeErrors) ctx.placeErrors();
  }

  // nestedNote stands in the form for a nested step list, which the
  // canvas draws.
  function nestedNote(f, obj) {
    const n = Array.isArray(obj[f.name]) ? obj[f.name].length : 0;
    return h('p', { class: 'help nested-note' }, `${f.title || f.name}: ${n} step${n === 1 ? '' : 's'}, drawn on the canvas. Use its + to add more.`);
  }

  function render() {
    closeChooser();
    if (state.selected && state.selected !== 'trigger') {
      // Keep the selection on the same step when paths move.
      const id = state.selectedId;
      const p = id ? findStep(ctx.def, ctx.kinds, id) : '';
      if (p) state.selected = p;
    }
    draw();
    if (state.selected && !selectedNode()) state.selected = 'trigger';
    showPanel();
  }

  function select(id, focusForm) {
    state.selected = id;
    const n = selectedNode();
    state.selectedId = n && n.stepId;
    draw();
    showPanel();
    if (focusForm) {
      const ctl = panel.querySelector('input, select, textarea');
      if (ctl) ctl.focus();
    } else {
      focusNode(id);
    }
  }

  function focusNode(id) {
    const el = layer.querySelector(`.node[data-node="${CSS.escape(id)}"]`);
    if (el) el.focus({ preventScroll: true });
  }

  // Typing in the form changes the definition in place: redraw the
  // canvas (not the form, which keeps focus) shortly after.
  // Deferred, so that a change fired by moving the focus (to a node)
  // does not replace that node while it takes the focus; and held while
  // a button is pressed on the canvas, since a redraw between press and
  // release replaces the element under the pointer and the browser then
  // fires no click (a "+" pressed for longer than the deferral, just
  // after an edit, did nothing).
  let redraw = 0;
  let pressed = false;
  let held = false;
  const redrawNow = () => {
    const n = selectedNode();
    if (n && n.role === 'step') {
      const step = at(ctx.def, n.path);
      if (step && step.id) state.selectedId = step.id;
    }
    draw();
  };
  const later = () => {
    clearTimeout(redraw);
    redraw = setTimeout(() => {
      if (pressed) held = true;
      else redrawNow();
    }, 150);
  };
  // The release may come anywhere in the window; its listeners exist
  // only while a button is pressed, so a canvas left behind keeps none.
  const released = () => {
    window.removeEventListener('pointerup', released, true);
    window.removeEventListener('pointercancel', released, true);
    pressed = false;
    // After the click this release makes, which the redraw must not
    // precede.
    if (held) {
      held = false;
      setTimeout(redrawNow, 0);
    }
  };
  svg.addEventListener('pointerdown', () => {
    if (pressed) return;
    pressed = true;
    window.addEventListener('pointerup', released, true);
    window.addEventListener('pointercancel', released, true);
  }, true);
  panel.addEventListener('input', later);
  panel.addEventListener('change', later);

  function edit(fn, okMsg) {
    let res;
    try {
      res = fn();
    } catch (err) {
      toast(err.message, 'error');
      return null;
    }
    apply(res.def);
    ctx.rerender();
    const notes = res.warnings || [];
    if (notes.length) toast(`${okMsg} Check: ${notes.join('; ')}.`, 'info');
    else if (okMsg) toast(okMsg, 'ok');
    return res;
  }

  function removeSelected() {
    const n = selectedNode();
    if (!n || n.role !== 'step') return;
    const step = at(ctx.def, n.path);
    const nested = step && Object.values(step).some((v) => Array.isArray(v) && v.some((x) => x && typeof x === 'object' && (x.type || Array.isArray(x.steps))));
    if (!confirm(`Remove step "${n.stepId || n.label}"${nested ? ' and the steps inside it' : ''}?`)) return;
    let res;
    try {
      res = deleteStep(ctx.def, ctx.kinds, n.path);
    } catch (err) {
      toast(err.message, 'error');
      return;
    }
    apply(res.def);
    state.selected = 'trigger';
    state.selectedId = '';
    ctx.rerender();
    if (res.refs.length) {
      toast(`Removed ${n.stepId}. ${res.refs.map((r) => r.path).join(', ')} still name${res.refs.length === 1 ? 's' : ''} it: point ${res.refs.length === 1 ? 'it' : 'them'} at another step.`, 'info');
    } else toast(`Removed ${n.stepId}.`, 'ok');
    wrap.focus();
  }

  // --- the add-step chooser (the list view's kind list, plus an app and
  // action for kinds that take them) -------------------------------------
  function closeChooser() {
    chooser.hidden = true;
    replace(chooser);
  }

  function openChooser(edge, x, y) {
    const kindSel = h('select', { id: 'add-kind', 'aria-label': 'Kind of the new step' },
      ctx.kinds.list.map((k) => h('option', { value: k.kind, title: k.description }, k.title)));
    const extra = h('div', {});
    const pick = {};
    const showExtra = () => {
      replace(extra);
      for (const k of Object.keys(pick)) delete pick[k];
      const spec = ctx.kinds.byKind.get(kindSel.value);
      const connF = spec && spec.fields.find((f) => f.format === 'connector');
      const actF = spec && spec.fields.find((f) => f.format === 'action');
      if (!connF) return;
      const conns = ctx.catalog.list.filter((c) => (c.actions || []).length);
      const connSel = h('select', { id: 'add-connector', 'aria-label': 'App' }, h('option', { value: '' }, '(choose the app)'), conns.map((c) => h('option', { value: c.name }, c.title || c.name)));
      const actSel = h('select', { id: 'add-action', 'aria-label': 'Action' }, h('option', { value: '' }, '(then the action)'));
      connSel.addEventListener('change', () => {
        pick[connF.name] = connSel.value || undefined;
        const c = ctx.catalog.byName.get(connSel.value);
        replace(actSel, h('option', { value: '' }, '(then the action)'), ((c && c.actions) || []).map((a) => h('option', { value: a.name }, a.title || a.name)));
      });
      actSel.addEventListener('change', () => {
        if (actF) pick[actF.name] = actSel.value || undefined;
      });
      extra.append(connSel, actF ? actSel : null);
    };
    kindSel.addEventListener('change', showExtra);
    const add = h('button', { type: 'button', class: 'small primary', id: 'add-confirm' }, 'Add step');
    const cancel = h('button', { type: 'button', class: 'small', onclick: () => { closeChooser(); wrap.focus(); } }, 'Cancel');
    add.addEventListener('click', () => {
      const step = newStep(kindSel.value, ctx.def, ctx.kinds);
      for (const [k, v] of Object.entries(pick)) if (v) step[k] = v;
      closeChooser();
      const res = edit(() => insertStep(ctx.def, ctx.kinds, edge.insert, step), `Added ${step.id}.`);
      if (res) {
        ctx.open.add(step.id);
        const p = findStep(ctx.def, ctx.kinds, step.id);
        if (p) select(p, true);
      }
    });
    chooser.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        closeChooser();
        wrap.focus();
      }
      e.stopPropagation();
    });
    replace(chooser, h('strong', {}, 'Add a step here'), kindSel, extra, h('div', { class: 'row' }, add, cancel));
    chooser.hidden = false;
    const r = svg.getBoundingClientRect();
    const wr = wrap.getBoundingClientRect();
    const px = r.left - wr.left + vp.state.x + x * vp.state.k + 16;
    const py = r.top - wr.top + vp.state.y + y * vp.state.k - 10;
    chooser.style.left = `${Math.max(4, Math.min(px, wrap.clientWidth - 250))}px`;
    chooser.style.top = `${Math.max(4, Math.min(py, wrap.clientHeight - 160))}px`;
    showExtra();
    kindSel.focus();
  }

  function edgeById(id) {
    return state.graph && state.graph.edges.find((e) => e.id === id);
  }

  // --- pointer: click to select, drag to move, "+" to add ----------------
  let drag = null;
  svg.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    const add = e.target.closest('.edge-add');
    if (add) return;
    const node = e.target.closest('.node[data-node]');
    if (!node) return;
    closeChooser();
    drag = { id: node.dataset.node, x: e.clientX, y: e.clientY, moved: false, el: node, step: node.classList.contains('n-step') };
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener('pointermove', (e) => {
    if (!drag) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 6) return;
    if (!drag.step) return;
    if (!drag.moved) {
      drag.moved = true;
      wrap.classList.add('dragging');
      drag.el.classList.add('drag-source');
      drag.ghost = drag.el.cloneNode(true);
      drag.ghost.classList.add('drag-ghost');
      drag.ghost.removeAttribute('tabindex');
      layer.append(drag.ghost);
    }
    const p = vp.toGraph(e.clientX, e.clientY);
    const n = selectedOrNode(drag.id);
    drag.ghost.setAttribute('transform', `translate(${p.x - n.w / 2},${p.y - n.h / 2})`);
    let best = null;
    for (const a of layer.querySelectorAll('.edge-add')) {
      a.classList.remove('drop');
      const r = a.getBoundingClientRect();
      const d = Math.hypot(r.left + r.width / 2 - e.clientX, r.top + r.height / 2 - e.clientY);
      if (d < DROP_RADIUS && (!best || d < best.d)) best = { d, a };
    }
    drag.target = best ? best.a.dataset.edge : '';
    if (best) best.a.classList.add('drop');
  });
  const endDrag = (e) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    wrap.classList.remove('dragging');
    if (d.ghost) d.ghost.remove();
    d.el.classList.remove('drag-source');
    if (!d.moved) {
      if (e.type === 'pointerup') select(d.id, false);
      return;
    }
    const edge = d.target && edgeById(d.target);
    if (!edge) return;
    const n = selectedOrNode(d.id);
    const res = edit(() => moveStep(ctx.def, ctx.kinds, n.path, edge.insert), `Moved ${n.stepId}.`);
    if (res) {
      state.selectedId = n.stepId;
      const p = findStep(ctx.def, ctx.kinds, n.stepId);
      if (p) select(p, false);
    }
  };
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);
  function selectedOrNode(id) {
    return state.graph.nodes.find((x) => x.id === id);
  }
  svg.addEventListener('click', (e) => {
    const add = e.target.closest('.edge-add');
    if (!add) return;
    const edge = edgeById(add.dataset.edge);
    if (edge) openChooser(edge, Number(add.dataset.x), Number(add.dataset.y));
  });

  // --- keyboard -----------------------------------------------------------
  let pendingAdd = '';
  wrap.addEventListener('keyup', (e) => {
    const add = e.target.closest && e.target.closest('.edge-add');
    if (!pendingAdd || !add || add.dataset.edge !== pendingAdd || (e.key !== 'Enter' && e.key !== ' ')) return;
    pendingAdd = '';
    const edge = edgeById(add.dataset.edge);
    if (edge) openChooser(edge, Number(add.dataset.x), Number(add.dataset.y));
  });
  wrap.addEventListener('keydown', (e) => {
    if (e.target.closest('.add-chooser')) return;
    const node = e.target.closest && e.target.closest('.node[data-node]');
    const add = e.target.closest && e.target.closest('.edge-add');
    if ((e.key === 'Enter' || e.key === ' ') && add) {
      // The chooser opens on key up: opened now, the rest of the key
      // would land on its list of kinds and open that too.
      e.preventDefault();
      pendingAdd = add.dataset.edge;
      return;
    }
    if ((e.key === 'Enter' || e.key === ' ') && node) {
      e.preventDefault();
      select(node.dataset.node, true);
      return;
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && (node || state.selected)) {
      e.preventDefault();
      if (node) {
        state.selected = node.dataset.node;
        state.selectedId = node.dataset.stepId;
      }
      removeSelected();
      return;
    }
    if (e.altKey && node && node.dataset.path && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      const res = swapStep(ctx.def, node.dataset.path, e.key === 'ArrowUp' ? -1 : 1);
      apply(res.def);
      state.selectedId = node.dataset.stepId;
      state.selected = res.path;
      ctx.rerender();
      focusNode(res.path);
      return;
    }
    zoomKeys(e, vp, fit);
  });

  function setRun(run) {
    state.run = run;
    clearRunBtn.hidden = !run;
    draw();
    showPanel();
  }

  // reveal selects the step an error path lies in, so that its form (and
  // the field) is on the page.
  function reveal(path) {
    if (!state.graph) draw();
    const ps = stepPrefixes(String(path || ''), state.graph);
    if (ps.length) select(ps[ps.length - 1], false);
    else if (/^trigger/.test(path || '')) select('trigger', false);
  }

  // hide empties the panel while another view is shown.
  function hide() {
    closeChooser();
    replace(panel);
  }

  return { render, setRun, reveal, select, fit, hide, viewport: vp };
}
