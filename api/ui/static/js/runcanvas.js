// A run on the canvas: the run's workflow version drawn as the editor
// draws it (canvas.js), read-only, each node showing its status with an
// icon and a word as well as a colour; clicking a node shows its input,
// output, error and attempts. Used by the run page (runs.js, through
// runCanvasView) and by the editor's test-run overlay (recordDetails).

import { h, replace, badge, spinner, fmtTime } from './dom.js';
import * as api from './api.js';
import { jsonTree } from './tree.js';
import { layout, runStatuses, STATUS, attemptCount, recordStatus } from './flowmodel.js';
import { s, drawGraph, arrowDefs, viewport, zoomKeys, zoomButtons } from './canvas.js';

// recordDetails shows what a step did in a run: one block per record (a
// step in a foreach body has one per item) with its status, error,
// attempts, input and output.
export function recordDetails(stepId, st) {
  const info = STATUS[st.status] || { icon: '•', text: st.status };
  const head = h('p', { class: 'run-node-status' }, h('span', { class: ['badge', `st-${st.status}`] }, `${info.icon} ${info.text}`),
    ' ', h('strong', {}, stepId || ''));
  if (!st.records.length) {
    return h('div', { class: 'run-node' }, head, h('p', { class: 'help' },
      st.status === 'pending' ? 'This step has not run yet.' : 'This step did not run: the run took another path, or ended before it.'));
  }
  return h('div', { class: 'run-node' }, head, st.records.map((r) => recordBlock(r, st.records.length > 1)));
}

function recordBlock(r, many) {
  const n = attemptCount(r);
  const status = recordStatus(r);
  const info = STATUS[status] || { icon: '•', text: status };
  return h('div', { class: 'run-record', dataset: { path: r.path || r.id } },
    many ? h('h5', {}, `${r.path || r.id} · ${info.icon} ${info.text}`) : null,
    h('p', { class: 'muted small' }, r.started_at ? `Started ${fmtTime(r.started_at)}` : '', n ? ` · ${n} attempt${n === 1 ? '' : 's'}` : '',
      r.mocked ? ' · sample output' : ''),
    r.error ? h('div', { class: 'step-error' }, h('strong', {}, 'Error'), r.error_class ? ` (${r.error_class})` : '', ': ', r.error) : null,
    attemptsList(r),
    (r.warnings || []).length ? h('ul', { class: 'help' }, r.warnings.map((w) => h('li', {}, w))) : null,
    h('h5', {}, 'Input'), r.input !== undefined && r.input !== null ? jsonTree(r.input, { label: `Input of ${r.path || r.id}` }) : h('p', { class: 'muted' }, '—'),
    h('h5', {}, 'Output'), r.output !== undefined && r.output !== null ? jsonTree(r.output, { label: `Output of ${r.path || r.id}` }) : h('p', { class: 'muted' }, '—'));
}

// attemptsList shows each recorded attempt of a step (GET /runs/{id}
// gives the newest ones as attempt_log: {attempt, started_at, status,
// error, error_class, http_status}); the count is in the line above.
function attemptsList(r) {
  const log = r.attempt_log;
  if (!Array.isArray(log) || !log.length) return null;
  return h('details', { class: 'attempts', open: log.length > 1 },
    h('summary', {}, `Attempts (${log.length})`),
    h('ol', {}, log.map((a, i) => h('li', {},
      `#${a.attempt || i + 1} `, a.started_at ? fmtTime(a.started_at) : '',
      a.status ? [' ', badge(a.status)] : null,
      a.http_status ? ` HTTP ${a.http_status}` : null,
      a.error ? h('span', { class: 'step-error' }, ` ${a.error_class ? `(${a.error_class}) ` : ''}${a.error}`) : (a.status ? null : ' ok')))));
}

// Definitions by workflow id and version: a version never changes, and
// the run page redraws every few seconds while a run goes on.
const defs = new Map();
function versionDef(wfID, version) {
  const key = `${wfID}@${version}`;
  if (!defs.has(key)) {
    defs.set(key, api.get(`/workflows/${encodeURIComponent(wfID)}/versions/${encodeURIComponent(version)}`)
      .then((v) => v.definition || v)
      .catch(() => api.get(`/workflows/${encodeURIComponent(wfID)}`).then((w) => w.definition))
      .catch((err) => {
        defs.delete(key);
        throw err;
      }));
  }
  return defs.get(key);
}

// What the user looked at, per run, across the page's refreshes.
const views = new Map();

// runCanvasView draws run (GET /runs/{id}) with its step records on a
// read-only canvas, with a panel showing the selected node's records.
export function runCanvasView(run, records) {
  const box = h('div', { class: 'run-canvas', id: 'run-canvas' }, spinner('Loading the workflow'));
  Promise.all([versionDef(run.workflow_id, run.workflow_version), api.stepKinds()]).then(([def, kinds]) => {
    const view = views.get(run.id) || { selected: '', zoom: null };
    views.set(run.id, view);
    const g = layout(def, kinds);
    const status = runStatuses(def, kinds, records, run.status);
    const wrap = h('div', { class: 'canvas-wrap', tabindex: '0', role: 'group', 'aria-label': 'The run on the canvas. Tab to a step and press Enter to see what it did; + and - zoom, arrows pan.' });
    const svg = s('svg', { class: 'canvas', role: 'presentation' });
    const layer = s('g', { class: 'viewport' });
    svg.append(arrowDefs(), layer);
    wrap.append(svg);
    const panel = h('div', { class: 'canvas-panel', id: 'run-canvas-panel', 'aria-live': 'polite' });
    const vp = viewport(svg, layer, wrap);
    const fit = () => vp.fit(g.width, g.height);
    vp.state.gh = g.height;
    const draw = () => layer.replaceChildren(drawGraph(g, kinds, { status, selected: view.selected }));
    const show = () => {
      const n = g.nodes.find((x) => x.id === view.selected);
      if (!n || n.role !== 'step') {
        replace(panel, h('p', { class: 'help' }, 'Select a step to see its input, output, error and attempts.'));
        return;
      }
      replace(panel, recordDetails(n.stepId, status.get(n.path)));
    };
    const select = (id) => {
      view.selected = id;
      draw();
      show();
      const el = layer.querySelector(`.node[data-node="${CSS.escape(id)}"]`);
      if (el) el.focus({ preventScroll: true });
    };
    svg.addEventListener('click', (e) => {
      const node = e.target.closest('.node[data-node]');
      if (node) select(node.dataset.node);
    });
    wrap.addEventListener('keydown', (e) => {
      const node = e.target.closest && e.target.closest('.node[data-node]');
      if ((e.key === 'Enter' || e.key === ' ') && node) {
        e.preventDefault();
        select(node.dataset.node);
        return;
      }
      zoomKeys(e, vp, fit);
    });
    // Remember zoom and pan across refreshes.
    const keep = () => { view.zoom = { ...vp.state }; };
    svg.addEventListener('pointerup', keep);
    svg.addEventListener('wheel', keep);
    wrap.addEventListener('keyup', keep);
    replace(box, h('div', { class: 'canvas-view' }, h('div', { class: 'canvas-col' }, zoomButtons(vp, () => { fit(); keep(); }), wrap), panel));
    draw();
    show();
    requestAnimationFrame(() => {
      if (view.zoom) Object.assign(vp.state, view.zoom);
      else fit();
      vp.apply();
    });
  }).catch((err) => {
    replace(box, h('p', { class: 'field-error' }, `Could not draw the run: ${api.errorLines(err).join(' ')}`));
  });
  return box;
}
