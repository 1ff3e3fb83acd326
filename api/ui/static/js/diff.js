// Comparing two workflow versions, with no DOM access so it can be unit
// tested: describeChanges says in words which steps and fields changed,
// lineDiff gives a line diff of the pretty JSON (stable key order, so a
// re-ordered object is not reported as a change).

// MAX_LCS_CELLS bounds the line diff's work (lines × lines). Past it the
// diff falls back to "everything between the common head and tail
// changed", which is still correct, only less precise.
export const MAX_LCS_CELLS = 4_000_000;

// stableStringify pretty-prints v with object keys sorted.
export function stableStringify(v) {
  return JSON.stringify(sortKeys(v), null, 2);
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

// lineDiff compares two texts line by line and returns
// [{op: ' ' | '-' | '+', text, a, b}], where a and b are 1-based line
// numbers in the old and new text (null on the side that lacks the line).
export function lineDiff(oldText, newText) {
  const a = oldText === '' ? [] : oldText.split('\n');
  const b = newText === '' ? [] : newText.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const out = [];
  for (let i = 0; i < head; i++) out.push({ op: ' ', text: a[i], a: i + 1, b: i + 1 });
  for (const d of middle(am, bm)) {
    out.push({ op: d.op, text: d.text, a: d.a === null ? null : d.a + head + 1, b: d.b === null ? null : d.b + head + 1 });
  }
  for (let i = tail; i > 0; i--) {
    out.push({ op: ' ', text: a[a.length - i], a: a.length - i + 1, b: b.length - i + 1 });
  }
  return out;
}

// middle diffs the differing middle part with a longest common
// subsequence table, or marks it all changed when that is too big.
function middle(a, b) {
  const out = [];
  if (a.length * b.length > MAX_LCS_CELLS) {
    a.forEach((t, i) => out.push({ op: '-', text: t, a: i, b: null }));
    b.forEach((t, j) => out.push({ op: '+', text: t, a: null, b: j }));
    return out;
  }
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = length of the LCS of a[i:] and b[j:].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i], a: i, b: j });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      out.push({ op: '-', text: a[i], a: i, b: null });
      i++;
    } else {
      out.push({ op: '+', text: b[j], a: null, b: j });
      j++;
    }
  }
  for (; i < n; i++) out.push({ op: '-', text: a[i], a: i, b: null });
  for (; j < m; j++) out.push({ op: '+', text: b[j], a: null, b: j });
  return out;
}

// diffStats counts added and removed lines of a lineDiff result.
export function diffStats(lines) {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.op === '+') added++;
    else if (l.op === '-') removed++;
  }
  return { added, removed };
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStep = (v) => isObj(v) && typeof v.id === 'string' && v.id !== '';
const isStepList = (v) => Array.isArray(v) && v.length > 0 && v.every(isStep);

// show renders a value for a sentence: strings quoted, the rest as JSON,
// long values cut.
export function show(v) {
  let s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(sortKeys(v));
  if (s === undefined) s = String(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

// fieldChanges lists the changed leaves between a and b as
// {path, kind: 'added' | 'removed' | 'changed', from, to}. Lists of steps
// are skipped (steps are compared by id, see collectSteps); lists of
// objects of the same length are compared entry by entry (a branch's
// condition: branches[0].if), other arrays and scalars whole.
export function fieldChanges(a, b, prefix = '') {
  const out = [];
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (isStepList(a[k]) || isStepList(b[k])) continue;
      if (!(k in a)) out.push({ path: p, kind: 'added', to: b[k] });
      else if (!(k in b)) out.push({ path: p, kind: 'removed', from: a[k] });
      else out.push(...fieldChanges(a[k], b[k], p));
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    // Steps are compared by id elsewhere: leave them out here, also from
    // inside nested objects (a branch's steps).
    const sa = stripSteps(a);
    const sb = stripSteps(b);
    if (sa.length === sb.length && sa.every(isObj) && sb.every(isObj)) {
      sa.forEach((x, i) => out.push(...fieldChanges(x, sb[i], `${prefix}[${i}]`)));
      return out;
    }
    if (JSON.stringify(sortKeys(sa)) !== JSON.stringify(sortKeys(sb))) out.push({ path: prefix, kind: 'changed', from: sa, to: sb });
    return out;
  }
  if (JSON.stringify(sortKeys(a)) !== JSON.stringify(sortKeys(b))) out.push({ path: prefix, kind: 'changed', from: a, to: b });
  return out;
}

// stripSteps copies v without its steps: step entries of arrays and
// object fields holding lists of steps are dropped, at any depth.
function stripSteps(v) {
  if (Array.isArray(v)) return v.filter((x) => !isStep(x)).map(stripSteps);
  if (isObj(v)) {
    const out = {};
    for (const [k, x] of Object.entries(v)) if (!isStepList(x)) out[k] = stripSteps(x);
    return out;
  }
  return v;
}

// collectSteps walks a definition's steps, also nested ones (branches,
// cases, loop bodies), and returns Map id → {step, parent, index}, where
// parent is the JSON path of the list holding the step.
export function collectSteps(def) {
  const found = new Map();
  const walk = (v, path) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        if (isStep(x) && !found.has(x.id)) found.set(x.id, { step: x, parent: path, index: i });
        walk(x, `${path}[${i}]`);
      });
    } else if (isObj(v)) {
      for (const k of Object.keys(v).sort()) walk(v[k], path ? `${path}.${k}` : k);
    }
  };
  walk(def && def.steps, 'steps');
  return found;
}

function sentence(subject, c) {
  const field = c.path || 'value';
  if (c.kind === 'added') return `${subject}: ${field} added (${show(c.to)}).`;
  if (c.kind === 'removed') return `${subject}: ${field} removed (was ${show(c.from)}).`;
  return `${subject}: ${field} changed from ${show(c.from)} to ${show(c.to)}.`;
}

// describeChanges says in words what changed from definition a to b: the
// name, the trigger, other top-level settings, and each step by id
// (added, removed, moved, and every changed field). It returns [] when
// the two are the same.
export function describeChanges(a, b) {
  a = a || {};
  b = b || {};
  const out = [];
  if (a.name !== b.name) out.push(`Name changed from ${show(a.name ?? '')} to ${show(b.name ?? '')}.`);
  for (const c of fieldChanges(a.trigger ?? {}, b.trigger ?? {})) out.push(sentence('Trigger', c));
  const top = (d) => Object.fromEntries(Object.entries(d).filter(([k]) => !['name', 'trigger', 'steps'].includes(k)));
  for (const c of fieldChanges(top(a), top(b))) out.push(sentence('Settings', c));
  const sa = collectSteps(a);
  const sb = collectSteps(b);
  for (const [id, x] of sa) {
    if (!sb.has(id)) out.push(`Step ${show(id)} removed.`);
    void x;
  }
  for (const [id, y] of sb) {
    const x = sa.get(id);
    if (!x) {
      out.push(`Step ${show(id)} added${y.step.type ? ` (${y.step.type})` : ''}.`);
      continue;
    }
    if (x.parent !== y.parent) out.push(`Step ${show(id)} moved from ${x.parent} to ${y.parent}.`);
    else if (x.index !== y.index) out.push(`Step ${show(id)} moved from position ${x.index + 1} to ${y.index + 1}.`);
    for (const c of fieldChanges(x.step, y.step)) out.push(sentence(`Step ${show(id)}`, c));
  }
  return out;
}
