// The flow model behind the canvas: a workflow definition turned into a
// graph with a deterministic layered layout, and the canvas's edits
// (insert a step on an edge, move a step, delete a step) turned back into
// a definition. Pure: no DOM, no fetch, so it is unit-tested in the
// browser (api/ui/canvas_browser_test.go) on every example in workflows/.
//
// Nothing here knows a step kind by name. The step-kind specs
// (GET /api/v1/step-kinds, the same data the server validates with) say
// everything the graph needs:
//
//   flow "next" | "choose" | "end"   where a run goes after the step
//   a field of format "steps"        a nested body (foreach, loop): drawn
//                                    as a box around its steps
//   an array whose parts hold a      parallel paths (parallel branches):
//   "steps" field                    drawn as a fork into lanes that join
//   a field of format "step"         a jump to a sibling: next (an option),
//                                    a choose kind's default, on_timeout;
//                                    inside an array of parts, a case's next
//   a field of format "on_error"     "goto:<id>" is drawn as its own,
//                                    dashed edge
//
// Targets of jumps always name a step of the same list (the validator
// insists), so each list is laid out on its own: rows by the longest
// path from the list's entry, following only edges that go forward in
// list order, nodes of a row side by side in list order, centred.
// Nested lists are measured first and their step grows to hold them.

// SIZE holds the layout's measures in SVG units (1 unit = 1 CSS pixel at
// zoom 1).
export const SIZE = Object.freeze({
  nodeW: 210, nodeH: 58, gapX: 40, gapY: 64, pad: 30, label: 24, closeH: 22, margin: 64, lane: 12,
});

// --- spec reading -----------------------------------------------------------

const infoCache = new WeakMap();

// kindInfo reads, from a kind's spec, which fields hold nested step lists,
// which name jump targets, which is on_error, and the kind's flow.
export function kindInfo(kinds, type) {
  let byKind = infoCache.get(kinds);
  if (!byKind) {
    byKind = new Map();
    infoCache.set(kinds, byKind);
  }
  if (byKind.has(type)) return byKind.get(type);
  const spec = kinds && kinds.byKind ? kinds.byKind.get(type) : undefined;
  const info = { spec, flow: (spec && spec.flow) || 'next', lists: [], jumps: [], onError: null, next: null, fallback: null };
  for (const f of (spec && spec.fields) || []) {
    // An optional body (a wait's notify steps) is drawn only when it has
    // steps, and closes with a "then" bar: it runs once, it is no loop.
    if (f.format === 'steps') info.lists.push({ name: f.name, title: f.title || f.name, required: !!(f.required || f.min_items > 0) });
    if (f.format === 'step') {
      if (f.option) info.next = f.name;
      else info.jumps.push({ name: f.name, title: f.title || f.name });
    }
    if (f.format === 'on_error') info.onError = f.name;
    if (f.type === 'array' && Array.isArray(f.fields)) {
      const steps = f.fields.find((x) => x.format === 'steps');
      const step = f.fields.find((x) => x.format === 'step');
      const label = f.fields.find((x) => x.format !== 'steps' && x.format !== 'step');
      if (steps) info.lists.push({ name: f.name, sub: steps.name, label: label && label.name, title: f.title || f.name });
      if (step) info.jumps.push({ name: f.name, sub: step.name, label: label && label.name, title: f.title || f.name });
    }
  }
  // A choose kind's own step field (default) replaces the fall-through
  // to the following step; other kinds' (on_timeout) add to it.
  if (info.flow === 'choose') info.fallback = (info.jumps.find((j) => !j.sub) || {}).name || null;
  byKind.set(type, info);
  return info;
}

// nestedLists lists the step lists nested in step s (at JSON path path):
// {path, steps, label, lane}. lane is true for parallel paths (parts of an
// array), false for a body. A list the step does not have yet is [] here
// and created only when a step is put into it.
export function nestedLists(s, kinds, path) {
  const out = [];
  if (!s || typeof s !== 'object') return out;
  for (const l of kindInfo(kinds, s.type).lists) {
    if (!l.sub) {
      const steps = Array.isArray(s[l.name]) ? s[l.name] : [];
      if (!steps.length && !l.required) continue;
      out.push({ path: `${path}.${l.name}`, steps, label: l.title, lane: false, optional: !l.required });
      continue;
    }
    (Array.isArray(s[l.name]) ? s[l.name] : []).forEach((p, i) => {
      const name = p && l.label && typeof p[l.label] === 'string' && p[l.label] ? p[l.label] : `${l.name} ${i + 1}`;
      out.push({ path: `${path}.${l.name}[${i}].${l.sub}`, steps: p && Array.isArray(p[l.sub]) ? p[l.sub] : [], label: name, lane: true });
    });
  }
  return out;
}

function short(v, n = 26) {
  let s = typeof v === 'string' ? v : JSON.stringify(v);
  if (s === undefined) s = '';
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

// stepEdges lists the moves out of steps[i] inside its list: {to (index,
// or steps.length for the list's end), field (the JSON field that names
// the target, null for the fall-through), kind, label}. Targets that name
// no step of the list are left out (validation reports them).
export function stepEdges(steps, i, kinds) {
  const s = steps[i];
  const out = [];
  if (!s || typeof s !== 'object') return out;
  const info = kindInfo(kinds, s.type);
  const indexOf = (id) => (typeof id === 'string' && id ? steps.findIndex((x) => x && x.id === id) : -1);
  const add = (id, field, kind, label) => {
    const to = indexOf(id);
    if (to >= 0 && to !== i) out.push({ to, field, kind, label });
  };
  for (const j of info.jumps) {
    if (j.sub) {
      (Array.isArray(s[j.name]) ? s[j.name] : []).forEach((p, k) => {
        if (!p || typeof p !== 'object') return;
        const cond = j.label && p[j.label] !== undefined && p[j.label] !== '' ? short(p[j.label]) : `case ${k + 1}`;
        add(p[j.sub], `${j.name}[${k}].${j.sub}`, 'case', cond);
      });
    } else if (s[j.name]) {
      add(s[j.name], j.name, info.fallback === j.name ? 'case' : 'jump', j.name === info.fallback ? 'otherwise' : j.title);
    }
  }
  const follow = { to: i + 1, field: null, kind: 'flow', label: '' };
  if (info.flow === 'choose') {
    if (!info.fallback || !s[info.fallback]) out.push({ ...follow, kind: 'case', label: 'otherwise' });
  } else if (info.flow !== 'end') {
    if (info.next && s[info.next] && indexOf(s[info.next]) >= 0) add(s[info.next], info.next, 'flow', '');
    else out.push(follow);
  }
  const oe = info.onError && s[info.onError];
  if (typeof oe === 'string' && oe.startsWith('goto:')) add(oe.slice(5), info.onError, 'goto', 'on error');
  return out;
}

// --- layout -----------------------------------------------------------------

// measureList lays out one list relative to its own top-left corner.
function measureList(steps, path, kinds) {
  const n = steps.length;
  const blocks = steps.map((s, i) => measureStep(s, `${path}[${i}]`, kinds));
  const edges = steps.map((_, i) => stepEdges(steps, i, kinds));
  // Rows: the longest path from the entry over edges going forward in
  // list order; a step nothing reaches goes below its predecessor.
  const layer = new Array(n).fill(-1);
  const preds = Array.from({ length: n }, () => []);
  edges.forEach((es, i) => es.forEach((e) => { if (e.to > i && e.to < n) preds[e.to].push(i); }));
  for (let i = 0; i < n; i++) {
    layer[i] = preds[i].length ? Math.max(...preds[i].map((p) => layer[p] + 1)) : (i === 0 ? 0 : layer[i - 1] + 1);
  }
  const rows = [];
  for (let i = 0; i < n; i++) (rows[layer[i]] = rows[layer[i]] || []).push(i);
  const dense = rows.filter(Boolean);
  let w = SIZE.nodeW;
  for (const r of dense) w = Math.max(w, r.reduce((a, i) => a + blocks[i].w, 0) + SIZE.gapX * (r.length - 1));
  let y = 0;
  dense.forEach((r, ri) => {
    const rw = r.reduce((a, i) => a + blocks[i].w, 0) + SIZE.gapX * (r.length - 1);
    const rh = Math.max(...r.map((i) => blocks[i].h));
    let x = (w - rw) / 2;
    for (const i of r) {
      blocks[i].x = x;
      blocks[i].y = y;
      blocks[i].row = ri;
      x += blocks[i].w + SIZE.gapX;
    }
    y += rh + (ri < dense.length - 1 ? SIZE.gapY : 0);
  });
  // An empty list keeps some room, for its "+" and as a drop target.
  const h = n ? y : SIZE.nodeH * 0.6;
  return { path, steps, blocks, edges, w, h };
}

// measureStep sizes one step: a node, or a node with its nested lists
// below it, side by side, closed by a join (paths) or a repeat bar (body).
function measureStep(s, path, kinds) {
  const lists = nestedLists(s, kinds, path);
  if (!lists.length) return { w: SIZE.nodeW, h: SIZE.nodeH, lanes: [] };
  const lanes = lists.map((l) => ({ ...l, m: measureList(l.steps, l.path, kinds) }));
  const innerW = lanes.reduce((a, l) => a + l.m.w, 0) + SIZE.gapX * (lanes.length - 1);
  const innerH = Math.max(...lanes.map((l) => l.m.h));
  const w = Math.max(SIZE.nodeW, innerW + 2 * SIZE.pad);
  const lanesY = SIZE.nodeH + SIZE.gapY + SIZE.label;
  let x = (w - innerW) / 2;
  for (const l of lanes) {
    l.x = x;
    l.y = lanesY;
    x += l.m.w + SIZE.gapX;
  }
  const closeY = lanesY + innerH + SIZE.gapY;
  return { w, h: closeY + SIZE.closeH + SIZE.pad, lanes, closeY, fork: lanes.some((l) => l.lane), then: lanes.every((l) => l.optional) };
}

// stepTitle is what a node shows: its name, or its id.
function nodeLabel(s) {
  if (!s || typeof s !== 'object') return '(not a step)';
  return s.name || s.id || '(no id)';
}

// layout builds the graph of def: nodes (with x, y, w, h), edges (with
// their end points and where an inserted step goes), boxes around
// nested bodies, lane labels, and the overall size. The result is plain
// data; canvas.js draws it.
export function layout(def, kinds) {
  const steps = Array.isArray(def && def.steps) ? def.steps : [];
  const root = measureList(steps, 'steps', kinds);
  const W = Math.max(root.w, SIZE.nodeW);
  const g = { nodes: [], edges: [], boxes: [], labels: [], width: W + 2 * SIZE.margin, height: 0 };
  const cx = SIZE.margin + W / 2;
  const trig = (def && def.trigger) || {};
  g.nodes.push({
    id: 'trigger', role: 'trigger', label: trig.connector ? `${trig.connector}${trig.events && trig.events.length ? `: ${trig.events.join(', ')}` : ''}` : (trig.type || 'trigger'),
    type: trig.type || '', x: cx - SIZE.nodeW / 2, y: SIZE.margin, w: SIZE.nodeW, h: SIZE.nodeH,
  });
  const listTop = SIZE.margin + SIZE.nodeH + SIZE.gapY;
  const endY = listTop + root.h + SIZE.gapY;
  g.nodes.push({ id: 'end', role: 'end', label: 'End', x: cx - 50, y: endY, w: 100, h: SIZE.closeH + 8 });
  place(g, root, SIZE.margin + (W - root.w) / 2, listTop, { x: cx, y: SIZE.margin + SIZE.nodeH, from: 'trigger' }, { x: cx, y: endY, to: 'end' }, null);
  g.height = endY + SIZE.closeH + 8 + SIZE.margin;
  // Edges round the side and their labels may reach past the lists.
  let right = 0;
  for (const n of g.nodes) right = Math.max(right, n.x + n.w);
  for (const e of g.edges) if (e.via !== undefined) right = Math.max(right, e.via + (e.label ? 110 : 20));
  g.width = Math.max(g.width, right + SIZE.margin / 2);
  return g;
}

// place puts a measured list at (ox, oy) and emits its nodes and edges.
// entry and exit are the points where the list is entered and left.
function place(g, m, ox, oy, entry, exit, parent) {
  const { steps, blocks } = m;
  const n = steps.length;
  const ids = [];
  steps.forEach((s, i) => {
    const b = blocks[i];
    const x = ox + b.x;
    const y = oy + b.y;
    const path = `${m.path}[${i}]`;
    ids.push(path);
    const node = {
      id: path, role: 'step', path, list: m.path, index: i, parent,
      stepId: s && s.id, type: s && s.type, label: nodeLabel(s), sub: s && s.name && s.id ? s.id : '',
      x: x + (b.w - SIZE.nodeW) / 2, y, w: SIZE.nodeW, h: SIZE.nodeH, block: { x, y, w: b.w, h: b.h },
    };
    g.nodes.push(node);
    if (b.lanes.length) {
      const closeId = `${path}#close`;
      const role = b.fork ? 'join' : b.then ? 'then' : 'repeat';
      const close = { id: closeId, role, label: { join: 'join', then: 'then', repeat: 'next item' }[role], path, x: x + b.w / 2 - 60, y: y + b.closeY, w: 120, h: SIZE.closeH };
      g.nodes.push(close);
      if (!b.fork) g.boxes.push({ id: `${path}#box`, path, x, y, w: b.w, h: b.h });
      node.exitPoint = { x: x + b.w / 2, y: close.y + close.h };
      for (const l of b.lanes) {
        g.labels.push({ list: l.path, text: l.label, x: x + l.x + Math.max(0, (l.m.w - SIZE.nodeW) / 2), y: y + l.y - 8, lane: l.lane });
        place(g, l.m, x + l.x, y + l.y,
          { x: node.x + SIZE.nodeW / 2, y: node.y + SIZE.nodeH, from: path, kind: l.lane ? 'fork' : 'flow' },
          { x: close.x + close.w / 2, y: close.y, to: closeId, kind: l.lane ? 'join' : 'flow' }, path);
      }
    }
  });
  const top = (i) => ({ x: ox + blocks[i].x + blocks[i].w / 2, y: oy + blocks[i].y });
  const bottom = (i) => {
    const node = g.nodes.find((x) => x.id === ids[i]);
    return node.exitPoint || { x: node.x + node.w / 2, y: node.y + node.h };
  };
  const side = (i) => {
    const node = g.nodes.find((x) => x.id === ids[i]);
    return { x: node.x + node.w, y: node.y + node.h / 2 };
  };
  // An edge that skips a row goes round the side of the list instead of
  // through the steps between; each such edge gets its own lane.
  const lastRow = n ? Math.max(...blocks.map((b) => b.row)) : 0;
  const detours = { left: 0, right: 0, goto: 0 };
  const via = (i, to, p1) => {
    const skips = to >= n ? blocks[i].row < lastRow : blocks[to].row - blocks[i].row > 1;
    if (!skips) return undefined;
    const left = p1.x <= ox + m.w / 2;
    const k = left ? detours.left++ : detours.right++;
    return left ? ox - SIZE.lane * (k + 1) : ox + m.w + SIZE.lane * (k + 1);
  };
  // The entry edge; an empty list has a single edge through it.
  const first = n ? top(0) : { x: exit.x, y: exit.y };
  g.edges.push({
    id: `${m.path}#enter`, from: entry.from, to: n ? ids[0] : exit.to, kind: entry.kind || 'flow', label: '', x1: entry.x, y1: entry.y, x2: first.x, y2: first.y,
    insert: { list: m.path, from: -1, to: 0, field: null },
  });
  m.edges.forEach((es, i) => {
    for (const e of es) {
      const toEnd = e.to >= n;
      let p1 = bottom(i);
      let p2 = toEnd ? { x: exit.x, y: exit.y } : top(e.to);
      let around;
      if (e.kind === 'goto') {
        p1 = side(i);
        p2 = side(e.to);
        around = ox + m.w + SIZE.lane * (4 + detours.goto++);
      } else {
        around = via(i, e.to, p1);
      }
      g.edges.push({
        via: around,
        id: `${ids[i]}->${toEnd ? 'end' : ids[e.to]}${e.field ? `:${e.field}` : ''}`,
        from: ids[i], to: toEnd ? exit.to : ids[e.to], kind: toEnd && exit.kind === 'join' ? 'join' : e.kind, label: e.label,
        x1: p1.x, y1: p1.y, x2: p2.x, y2: p2.y,
        insert: { list: m.path, from: i, to: e.to, field: e.field },
      });
    }
  });
}

// edgeMid is where an edge's "+" and label sit: the middle of its curve
// (see edgePath), or beside a goto's arc.
export function edgeMid(e) {
  if (e.kind === 'goto') return { x: e.via + 6, y: (e.y1 + e.y2) / 2 };
  if (e.via !== undefined) return { x: e.via, y: (e.y1 + e.y2) / 2 };
  return { x: (e.x1 + e.x2) / 2, y: (e.y1 + e.y2) / 2 };
}

// edgePath is the SVG path of an edge: a vertical S-curve downwards, an
// arc on the right for a goto, a loop round the left for a jump upwards.
export function edgePath(e) {
  const { x1, y1, x2, y2 } = e;
  if (e.kind === 'goto') {
    const bx = e.via + 8;
    return `M${x1},${y1} C${bx},${y1} ${bx},${y2} ${x2},${y2}`;
  }
  if (e.via !== undefined && y2 - y1 > 90) {
    const v = e.via;
    return `M${x1},${y1} C${x1},${y1 + 30} ${v},${y1 + 15} ${v},${y1 + 45} L${v},${y2 - 45} C${v},${y2 - 15} ${x2},${y2 - 30} ${x2},${y2}`;
  }
  if (y2 <= y1) {
    const lx = Math.min(x1, x2) - SIZE.nodeW / 2 - 40;
    return `M${x1},${y1} C${lx},${y1 + 60} ${lx},${y2 - 60} ${x2},${y2}`;
  }
  const dy = (y2 - y1) / 2;
  return `M${x1},${y1} C${x1},${y1 + dy} ${x2},${y2 - dy} ${x2},${y2}`;
}

// --- definition ↔ graph -----------------------------------------------------

// toGraph is the graph of def in a form that holds the whole definition:
// the definition without its step lists (meta), every list (by path, the
// paths of its steps) and every step with its nested lists replaced by a
// reference to their path. fromGraph rebuilds the definition from it.
export function toGraph(def, kinds) {
  const g = { meta: {}, root: 'steps', lists: {}, steps: {} };
  for (const [k, v] of Object.entries(def || {})) g.meta[k] = k === 'steps' ? { $list: 'steps' } : structuredClone(v);
  const walk = (steps, path) => {
    g.lists[path] = (steps || []).map((s, i) => {
      const sp = `${path}[${i}]`;
      const copy = structuredClone(s);
      if (copy && typeof copy === 'object') {
        for (const l of kindInfo(kinds, copy.type).lists) {
          if (!l.sub) {
            if (Array.isArray(copy[l.name])) {
              walk(copy[l.name], `${sp}.${l.name}`);
              copy[l.name] = { $list: `${sp}.${l.name}` };
            }
          } else if (Array.isArray(copy[l.name])) {
            copy[l.name].forEach((p, k) => {
              if (p && Array.isArray(p[l.sub])) {
                const lp = `${sp}.${l.name}[${k}].${l.sub}`;
                walk(p[l.sub], lp);
                p[l.sub] = { $list: lp };
              }
            });
          }
        }
      }
      g.steps[sp] = copy;
      return sp;
    });
  };
  if (def && Array.isArray(def.steps)) walk(def.steps, 'steps');
  return g;
}

// fromGraph rebuilds the definition toGraph took apart.
export function fromGraph(g) {
  const fill = (v) => {
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') {
      if (typeof v.$list === 'string' && Object.keys(v).length === 1) return (g.lists[v.$list] || []).map((p) => fill(g.steps[p]));
      const o = {};
      for (const [k, x] of Object.entries(v)) o[k] = fill(x);
      return o;
    }
    return v;
  };
  return fill(structuredClone(g.meta));
}

// --- edits ------------------------------------------------------------------

const TOKEN = /([^.[\]]+)|\[(\d+)\]/g;

// pathParts splits "steps[2].branches[0].steps" into ["steps", 2,
// "branches", 0, "steps"].
export function pathParts(path) {
  const out = [];
  for (const m of String(path).matchAll(TOKEN)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

// at returns the value at path in obj (undefined when absent).
export function at(obj, path) {
  let v = obj;
  for (const p of pathParts(path)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[p];
  }
  return v;
}

// listAt returns the step list at path, creating it (and only it) when
// the owning step or part exists but has no list yet.
function listAt(def, path, create) {
  const parts = pathParts(path);
  const last = parts.pop();
  let v = def;
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return null;
    v = v[p];
  }
  if (v === null || typeof v !== 'object') return null;
  if (!Array.isArray(v[last])) {
    if (!create) return null;
    v[last] = [];
  }
  return v[last];
}

// setJump points field of step s (a JSON sub-path such as "next",
// "cases[1].next" or "on_error") at id.
function setJump(s, field, id, kinds) {
  const info = kindInfo(kinds, s.type);
  const parts = pathParts(field);
  const last = parts.pop();
  let o = s;
  for (const p of parts) o = o[p];
  o[last] = field === info.onError ? `goto:${id}` : id;
}

// fallsThrough says whether s goes on to the following step of its list
// by default, and which field would pin it to a named step instead.
function fallsThrough(s, kinds) {
  if (!s || typeof s !== 'object') return { falls: false };
  const info = kindInfo(kinds, s.type);
  if (info.flow === 'end') return { falls: false };
  if (info.flow === 'choose') return { falls: !s[info.fallback], pin: info.fallback };
  return { falls: !(info.next && s[info.next]), pin: info.next };
}

// insertStep puts step on edge (an edge's insert: {list, from, to,
// field}) of a copy of def and returns {def, warnings}. The new step goes
// just before the edge's target in the target's list, so it falls
// through to it. On a jump edge (a case, a next, an on_error goto) the
// jump is pointed at the new step; a step that fell through to the old
// target is then pinned to it with its own next (or default) so that
// only the chosen edge changes.
export function insertStep(def, kinds, edge, step) {
  const out = structuredClone(def);
  const warnings = [];
  const list = listAt(out, edge.list, true);
  if (!list) throw new Error(`no step list at ${edge.list}`);
  doInsert(list, edge.from, edge.to, edge.field, structuredClone(step), kinds, warnings);
  return { def: out, warnings };
}

function doInsert(list, from, to, field, step, kinds, warnings) {
  const target = to < list.length ? list[to] : null;
  const before = to > 0 ? list[to - 1] : null;
  list.splice(Math.min(to, list.length), 0, step);
  if (field === null || field === undefined) return;
  const src = from >= 0 ? list[from >= to ? from + 1 : from] : null;
  if (src) setJump(src, field, step.id, kinds);
  if (before && before !== src && target) {
    const ft = fallsThrough(before, kinds);
    if (ft.falls) {
      if (ft.pin) before[ft.pin] = target.id;
      else warnings.push(`${before.id || 'the step before'} now goes on to ${step.id} instead of ${target.id}`);
    }
  }
}

// referencesTo lists the fields of the steps in list that name id as a
// target: [{path, field, step}], path relative to listPath.
export function referencesTo(list, listPath, id, kinds) {
  const out = [];
  list.forEach((s, i) => {
    if (!s || typeof s !== 'object') return;
    for (const e of stepEdges(list, i, kinds)) {
      if (e.field && e.to < list.length && list[e.to] && list[e.to].id === id) {
        out.push({ path: `${listPath}[${i}].${e.field}`, field: e.field, step: s.id });
      }
    }
  });
  return out;
}

// deleteStep removes the step at path (and the steps nested in it) from
// a copy of def and returns {def, refs}: refs are the fields of other
// steps that named it (an on_error goto, a case's next, a next) and now
// name nothing. They are left for the user to re-point; validation marks
// them on their fields.
export function deleteStep(def, kinds, path) {
  const out = structuredClone(def);
  const parts = pathParts(path);
  const i = parts.pop();
  const listPath = path.slice(0, path.lastIndexOf('['));
  const list = listAt(out, listPath, false);
  if (!list || typeof i !== 'number' || i >= list.length) throw new Error(`no step at ${path}`);
  const s = list[i];
  const refs = s && s.id ? referencesTo(list, listPath, s.id, kinds) : [];
  list.splice(i, 1);
  // Paths after the removed step shift up by one.
  for (const r of refs) r.path = shiftPath(r.path, listPath, i);
  return { def: out, refs };
}

function shiftPath(p, listPath, removed) {
  const m = p.slice(listPath.length).match(/^\[(\d+)\](.*)$/);
  if (!m) return p;
  const k = Number(m[1]);
  return `${listPath}[${k > removed ? k - 1 : k}]${m[2]}`;
}

// moveStep moves the step at path onto edge (as insertStep) in a copy of
// def and returns {def, warnings}. Moving a step into its own body is
// refused. Across lists, the jumps it makes and the jumps to it from its
// old list cannot stay (targets live in the same list): they are named
// in warnings.
export function moveStep(def, kinds, path, edge) {
  const out = structuredClone(def);
  const warnings = [];
  if (edge.list === path || edge.list.startsWith(`${path}.`)) throw new Error('a step cannot move into its own body');
  const listPath = path.slice(0, path.lastIndexOf('['));
  const from = listAt(out, listPath, false);
  const i = pathParts(path).pop();
  if (!from || !from[i]) throw new Error(`no step at ${path}`);
  const target = listAt(out, edge.list, true);
  // Remember the edge's ends by identity: removing the step shifts indices.
  const src = edge.from >= 0 ? target[edge.from] : null;
  const dst = edge.to < target.length ? target[edge.to] : null;
  const s = from[i];
  if (s === src || s === dst) return { def: structuredClone(def), warnings };
  if (from !== target && s && s.id) {
    for (const r of referencesTo(from, listPath, s.id, kinds)) warnings.push(`${r.step}: ${r.field} names ${s.id}, which moved to another list`);
    for (const e of stepEdges(from, i, kinds)) {
      if (e.field && e.to < from.length) warnings.push(`${s.id}: ${e.field} names ${from[e.to].id}, which is not in its new list`);
    }
  }
  from.splice(i, 1);
  const nf = src ? target.indexOf(src) : -1;
  const nt = dst ? target.indexOf(dst) : target.length;
  doInsert(target, nf, nt, edge.field, s, kinds, warnings);
  return { def: out, warnings };
}

// swapStep moves the step at path one place up (d = -1) or down (d = 1)
// in its list: the keyboard's way to reorder.
export function swapStep(def, path, d) {
  const out = structuredClone(def);
  const listPath = path.slice(0, path.lastIndexOf('['));
  const list = listAt(out, listPath, false);
  const i = pathParts(path).pop();
  const j = i + d;
  if (!list || j < 0 || j >= list.length) return { def: out, path };
  [list[i], list[j]] = [list[j], list[i]];
  return { def: out, path: `${listPath}[${j}]` };
}

// findStep returns the path of the step with id in def, or "".
export function findStep(def, kinds, id) {
  let found = '';
  const walk = (steps, path) => {
    (steps || []).forEach((s, i) => {
      if (found || !s || typeof s !== 'object') return;
      const p = `${path}[${i}]`;
      if (s.id === id) {
        found = p;
        return;
      }
      for (const l of nestedLists(s, kinds, p)) walk(l.steps, l.path);
    });
  };
  walk(def && def.steps, 'steps');
  return found;
}

// --- run overlay ------------------------------------------------------------

// STATUS describes each status a node can show: an icon and a word, so
// that colour is never the only sign.
export const STATUS = Object.freeze({
  completed: { icon: '✓', text: 'completed' },
  failed: { icon: '✕', text: 'failed' },
  continued: { icon: '⚠', text: 'failed, continued' },
  filtered: { icon: '⊘', text: 'filtered' },
  skipped: { icon: '–', text: 'skipped' },
  running: { icon: '▶', text: 'running' },
  retrying: { icon: '↻', text: 'retrying' },
  waiting: { icon: '⏸', text: 'waiting' },
  reused: { icon: '♻', text: 'reused' },
  pending: { icon: '…', text: 'not yet' },
});

// recordStatus maps a run-log record to a node status: succeeded is
// completed; a step still running after a failed attempt is retrying; a
// record marked reused (a retried run that took the earlier output) is
// reused.
export function recordStatus(r) {
  if (!r) return 'skipped';
  if (r.reused || r.status === 'reused') return 'reused';
  switch (r.status) {
    case 'succeeded': case 'completed': return 'completed';
    case 'running': return attemptCount(r) > 1 ? 'retrying' : 'running';
    case 'failed': case 'continued': case 'filtered': case 'waiting': case 'retrying': case 'skipped': return r.status;
    default: return r.status || 'completed';
  }
}

// attemptCount is how many attempts a record made: attempts is a number,
// or a list of attempts.
export function attemptCount(r) {
  if (!r) return 0;
  if (Array.isArray(r.attempts)) return r.attempts.length;
  return typeof r.attempts === 'number' ? r.attempts : 0;
}

// runStatuses gives every step of def its status in a run: {records,
// status} by step path. Records are matched by step id (ids are unique in
// a definition); a step inside a foreach body has one record per item
// and shows the worst of them. A step without a record was skipped, or,
// while the run is still going, has not run yet.
export function runStatuses(def, kinds, records, runStatus) {
  const byId = new Map();
  for (const r of records || []) {
    if (!r || !r.id) continue;
    if (!byId.has(r.id)) byId.set(r.id, []);
    byId.get(r.id).push(r);
  }
  const rank = ['failed', 'retrying', 'running', 'waiting', 'continued', 'filtered', 'completed', 'reused', 'skipped'];
  const out = new Map();
  const walk = (steps, path) => {
    (steps || []).forEach((s, i) => {
      if (!s || typeof s !== 'object') return;
      const p = `${path}[${i}]`;
      const rs = byId.get(s.id) || [];
      let status = runStatus === 'running' ? 'pending' : 'skipped';
      if (rs.length) {
        const st = rs.map(recordStatus);
        status = rank.find((x) => st.includes(x)) || st[0];
      }
      out.set(p, { status, records: rs });
      for (const l of nestedLists(s, kinds, p)) walk(l.steps, l.path);
    });
  };
  walk(def && def.steps, 'steps');
  return out;
}
