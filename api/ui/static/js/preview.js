// Live preview under a field: what the field's expression, condition,
// template or mapping gives against the sample event and the known
// outputs of earlier steps, evaluated by the server's real engine
// (POST /api/v1/preview), refreshed as the user types (debounced) and
// whenever the sample or the last test run changes. Paths the sample does
// not contain are warned about under the field, with the closest path.

import { h, replace } from './dom.js';
import * as api from './api.js';
import { previewData, pickSources } from './picker.js';

const DEBOUNCE_MS = 300;
const MAX_SHOWN = 300;

// The editor's preview context, set by the workflow editor:
// { def, sample(), lastRun(), catalog }.
let context = null;
const live = new Set();

export function setPreviewContext(ctx) {
  context = ctx;
}

// fieldChoices lists the paths a field at fieldPath may read (the
// sample's and the earlier steps' known outputs): [{ path, type, sample }].
export function fieldChoices(fieldPath) {
  if (!context) return [];
  return pickSources(context.def, fieldPath, { sample: context.sample(), lastRun: context.lastRun(), catalog: context.catalog })
    .flatMap((src) => src.paths);
}

// refreshPreviews re-evaluates every preview on the page (a new sample
// or test run arrived).
export function refreshPreviews() {
  for (const p of [...live]) {
    if (!p.el.isConnected) live.delete(p);
    else p.schedule(0);
  }
}

// previewBox returns the element shown under a field and starts it.
//   kind       "condition", "expression", "template" or "mapping"
//   fieldPath  the field's definition path (steps[2].if): which steps are earlier
//   source()   the current source (string or JSON value); empty = nothing to show
export function previewBox(kind, fieldPath, source) {
  const el = h('div', { class: 'preview', 'aria-live': 'polite', dataset: { previewFor: fieldPath } });
  let timer = null;
  let seq = 0;
  const p = {
    el,
    schedule(ms = DEBOUNCE_MS) {
      clearTimeout(timer);
      timer = setTimeout(run, ms);
    },
  };
  async function run() {
    if (!context || !el.isConnected) return;
    const src = source();
    if (src === undefined || src === null || src === '' || (typeof src === 'object' && !Object.keys(src).length)) {
      replace(el);
      el.className = 'preview';
      return;
    }
    const data = previewData(context.def, fieldPath, {
      sample: context.sample(), lastRun: context.lastRun(), catalog: context.catalog,
    });
    const mine = ++seq;
    let res;
    try {
      res = await api.post('/preview', { kind, source: src, ...data });
    } catch (err) {
      if (mine !== seq) return;
      show(el, 'error', [h('span', {}, `Preview unavailable: ${api.errorLines(err).join(' ')}`)]);
      return;
    }
    if (mine !== seq) return;
    render(el, kind, res, data);
  }
  live.add(p);
  // First evaluation once the element is in the page.
  queueMicrotask(() => p.schedule(0));
  return p;
}

function show(el, state, children) {
  el.className = `preview preview-${state}`;
  replace(el, children);
}

function render(el, kind, res, data) {
  const warns = (res.warnings || []).map((w) => h('li', { class: 'path-warning' }, '⚠ ', w.message));
  const noSample = data.trigger === null || data.trigger === undefined;
  const parts = [];
  let state = 'ok';
  if (res.error) {
    state = warns.length ? 'warn' : 'error';
    parts.push(h('span', { class: 'preview-label' }, 'Preview: '),
      h('span', { class: 'preview-err' }, res.error.message, res.error.position ? ` (${res.error.position})` : ''));
    if (noSample) parts.push(h('span', { class: 'muted' }, ' — choose or capture a sample event to preview against real data.'));
  } else if (kind === 'condition') {
    const v = res.value === true;
    state = v ? 'true' : 'false';
    parts.push(h('span', { class: 'preview-label' }, 'With the sample: '),
      h('strong', { class: 'preview-bool' }, v ? '✓ true — the run continues' : '✗ false — the run stops here'));
    if (res.value === null) parts.push(h('span', { class: 'muted' }, ' (the condition gives null, which counts as false)'));
  } else {
    parts.push(h('span', { class: 'preview-label' }, 'Preview: '), h('code', { class: 'preview-value' }, shown(res.value)));
  }
  if (warns.length) {
    if (state === 'ok' || state === 'true' || state === 'false') state += ' preview-has-warning';
    parts.push(h('ul', { class: 'path-warnings' }, warns));
  }
  show(el, state, parts);
}

// shown renders a value compactly: text as it is, anything else as JSON.
function shown(v) {
  const s = typeof v === 'string' ? (v === '' ? '(empty text)' : v) : JSON.stringify(v);
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s;
}
