// What a field of a step can refer to: the sample event's paths and the
// outputs of the steps that run before it. Pure (no DOM), unit-tested in
// the browser.
//
// "Before it" follows the definition's step lists: the steps earlier in
// the step's own list, then, for a step nested in a foreach body, a loop
// or a parallel branch, the steps earlier in each enclosing list. Steps of
// other parallel branches and steps after the step are not offered; a
// step of an earlier branch/switch target is offered, since it may have
// run (the preview says so when its output is unknown).

import { exprPath } from './tree.js';

// Objects and arrays are walked down to MAX_DEPTH keys and each array
// only through its first element (its paths stand for every element).
const MAX_DEPTH = 8;
const MAX_PATHS = 500;

// valuePaths lists the paths inside value under root: [{ path, segs,
// type, sample }] in document order, objects before their fields. path is
// the expr form (trigger.data["odd-key"][0].sku).
export function valuePaths(value, root, { maxDepth = MAX_DEPTH, max = MAX_PATHS } = {}) {
  const out = [];
  const walk = (v, segs) => {
    if (out.length >= max) return;
    const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
    if (segs.length) out.push({ path: exprPath(root, segs), segs, type, sample: type === 'object' || type === 'array' ? undefined : v });
    if (segs.length >= maxDepth) return;
    if (Array.isArray(v)) {
      if (v.length) walk(v[0], [...segs, 0]);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, [...segs, k]);
    }
  };
  walk(value, []);
  return out;
}

// stepAt returns the step at a definition path such as
// "steps[2].branches[0].steps[1]", or null.
export function stepAt(def, path) {
  const parsed = parseStepPath(path);
  if (!parsed) return null;
  let list = def.steps || [];
  let step = null;
  for (const seg of parsed) {
    if (seg.branch !== undefined) {
      const b = step && step.branches && step.branches[seg.branch];
      if (!b) return null;
      list = b.steps || [];
    } else if (seg.list && step) {
      list = step[seg.list] || [];
    }
    step = list[seg.index];
    if (!step) return null;
  }
  return step;
}

// parseStepPath splits a step path into its list positions:
// steps[2].branches[0].steps[1] → [{index:2}, {branch:0, index:1}].
// Any other nested list field (a foreach's "steps") is named by list.
function parseStepPath(path) {
  const re = /(?:^|\.)(?:branches\[(\d+)\]\.)?([a-z_]+)\[(\d+)\]/gy;
  const out = [];
  let m;
  let end = 0;
  while ((m = re.exec(path))) {
    out.push({ branch: m[1] !== undefined ? Number(m[1]) : undefined, list: m[2], index: Number(m[3]) });
    end = re.lastIndex;
  }
  if (!out.length || end !== path.length) return null;
  return out;
}

// earlierSteps returns the steps that run before the step at path (see
// the module comment), nearest list last: [{ id, type, step }].
export function earlierSteps(def, path) {
  const parsed = parseStepPath(path || '');
  if (!parsed) return [];
  const out = [];
  let list = def.steps || [];
  let step = null;
  for (const seg of parsed) {
    if (seg.branch !== undefined) {
      const b = step && step.branches && step.branches[seg.branch];
      if (!b) break;
      list = b.steps || [];
    } else if (step) {
      list = step[seg.list] || [];
    }
    for (const s of list.slice(0, seg.index)) if (s && s.id) out.push({ id: s.id, type: s.type, step: s });
    step = list[seg.index];
    if (!step) break;
  }
  return out;
}

// stepPathOf turns a field's definition path into the path of its step:
// steps[1].cases[0].if → steps[1]; "trigger.filter" → "" (no step).
export function stepPathOf(fieldPath) {
  const m = (fieldPath || '').match(/^((?:(?:^|\.)(?:branches\[\d+\]\.)?[a-z_]+\[\d+\])+)/);
  if (!m || !m[1].startsWith('steps[')) return '';
  // Drop a trailing list of parts (cases[0]) that is not a step list.
  let p = m[1];
  while (p && !/(^|\.)(?:branches\[\d+\]\.)?steps\[\d+\]$/.test(p)) p = p.replace(/\.[a-z_]+\[\d+\]$/, '');
  return p;
}

// sampleOutput returns what is known of a step's output: from the last
// test run (outputs by step id), else the connector action's sample
// output from the catalog; source says which. undefined when unknown.
export function sampleOutput(s, { lastRun = {}, catalog } = {}) {
  if (lastRun && Object.prototype.hasOwnProperty.call(lastRun, s.id)) return { value: lastRun[s.id], source: 'test run' };
  if (catalog && s.connector && s.action) {
    const c = catalog.byName ? catalog.byName.get(s.connector) : null;
    const a = c && (c.actions || []).find((x) => x.name === s.action);
    if (a && a.output_sample !== undefined && a.output_sample !== null) return { value: a.output_sample, source: 'sample output' };
  }
  return undefined;
}

// pickSources lists what a field at fieldPath can refer to: the trigger
// (when there is a sample) and each earlier step, each with its paths.
// [{ root, label, id?, source, value, paths }]; a step whose output is
// unknown has value undefined and no paths.
export function pickSources(def, fieldPath, { sample, lastRun, catalog } = {}) {
  const out = [];
  if (sample !== undefined && sample !== null) {
    out.push({ root: 'trigger', label: 'Trigger (sample event)', source: 'sample', value: sample, paths: valuePaths(sample, 'trigger') });
  }
  const sp = stepPathOf(fieldPath);
  const before = sp ? earlierSteps(def, sp) : [];
  for (const e of before) {
    const root = exprPath('steps', [e.id]);
    const known = sampleOutput(e.step, { lastRun, catalog });
    out.push({
      root, id: e.id, label: `Step ${e.id}`, source: known ? known.source : 'none',
      value: known ? known.value : undefined, paths: known ? valuePaths(known.value, root) : [],
    });
  }
  return out;
}

// previewData is the data a live preview evaluates against: the sample
// event and the known outputs of the steps before fieldPath.
export function previewData(def, fieldPath, ctx) {
  const steps = {};
  for (const src of pickSources(def, fieldPath, ctx)) {
    if (src.id && src.value !== undefined) steps[src.id] = src.value;
  }
  return { trigger: ctx.sample ?? null, steps, vars: def.vars || {} };
}

// outputsOf turns a test run's step records into outputs by step id (the
// last record of an id wins: a loop's final iteration).
export function outputsOf(records) {
  const out = {};
  for (const r of records || []) {
    const id = r.id || (r.path || '').split('.').pop();
    if (id && r.output !== undefined) out[id] = r.output;
  }
  return out;
}

// closestPath suggests the known path nearest to a misspelt one (edit
// distance at most 2 on the last key, same parent), or ''.
export function closestPath(path, known) {
  const cut = path.lastIndexOf('.');
  if (cut < 0) return '';
  const parent = path.slice(0, cut);
  const last = path.slice(cut + 1).toLowerCase();
  let best = '';
  let bestD = 3;
  for (const k of known) {
    const c = k.lastIndexOf('.');
    if (c < 0 || k.slice(0, c) !== parent) continue;
    const d = distance(last, k.slice(c + 1).toLowerCase());
    if (d < bestD && k !== path) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function distance(a, b) {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}
