// The condition builder's model and its two-way translation to expr-lang.
// Pure: no DOM, so it is unit-tested in the browser as it is.
//
// A condition is a group: { join: 'and' | 'or', items: [row | group] }.
// A row compares one field (an expr path such as trigger.data.amount)
// with a typed value: { field, op, value, type }. type is 'string',
// 'number' or 'bool' for one value, 'list' for "in list" (value is then an
// array of typed values). Operators that take no value (exists, is empty)
// ignore value and type.
//
// toExpr writes the canonical expression; parseExpr reads it back, and
// answers { ok: false, reason } for anything it cannot show as rows (a
// function call, arithmetic, a literal on the left…), so the editor can
// say so and keep the expression as text. Round trip: an expression
// toExpr writes reads back to rows that write it again unchanged (a group
// nested in one of the same join is merged into it on the way).

// OPERATORS lists the row operators in the order a form offers them.
// value: what the operator compares with ('one', 'list', 'regex' or none).
export const OPERATORS = [
  { op: 'eq', label: 'equals', value: 'one' },
  { op: 'ne', label: 'does not equal', value: 'one' },
  { op: 'contains', label: 'contains', value: 'one', text: true },
  { op: 'not_contains', label: 'does not contain', value: 'one', text: true },
  { op: 'starts', label: 'starts with', value: 'one', text: true },
  { op: 'ends', label: 'ends with', value: 'one', text: true },
  { op: 'gt', label: 'is greater than', value: 'one', num: true },
  { op: 'gte', label: 'is at least', value: 'one', num: true },
  { op: 'lt', label: 'is less than', value: 'one', num: true },
  { op: 'lte', label: 'is at most', value: 'one', num: true },
  { op: 'in', label: 'is one of', value: 'list' },
  { op: 'not_in', label: 'is not one of', value: 'list' },
  { op: 'matches', label: 'matches the pattern', value: 'regex' },
  { op: 'exists', label: 'exists' },
  { op: 'not_exists', label: 'does not exist' },
  { op: 'empty', label: 'is empty' },
  { op: 'not_empty', label: 'is not empty' },
];

export const OPERATOR = Object.fromEntries(OPERATORS.map((o) => [o.op, o]));

// Binary operators written between field and value.
const BINARY = { eq: '==', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=', contains: 'contains', starts: 'startsWith', ends: 'endsWith', matches: 'matches', in: 'in' };
const FROM_BINARY = Object.fromEntries(Object.entries(BINARY).map(([k, v]) => [v, k]));

export function emptyGroup(join = 'and') {
  return { join, items: [] };
}

export function emptyRow(field = '') {
  return { field, op: 'eq', value: '', type: 'string' };
}

// literal writes a typed value as an expr literal; null when the value
// does not fit its type (a number field holding "abc").
export function literal(value, type) {
  switch (type) {
    case 'number': {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (String(value).trim() === '' || !Number.isFinite(n)) return null;
      return String(n);
    }
    case 'bool':
      if (value === true || value === 'true') return 'true';
      if (value === false || value === 'false') return 'false';
      return null;
    case 'null':
      return 'nil';
    default:
      return JSON.stringify(String(value ?? ''));
  }
}

// rowProblem says what is missing from a row before it can be written,
// in words for the form; '' when the row is complete.
export function rowProblem(row) {
  if (!row.field || !parsePath(row.field)) return row.field ? `"${row.field}" is not a field path` : 'choose a field';
  const o = OPERATOR[row.op];
  if (!o) return `unknown comparison "${row.op}"`;
  if (o.value === 'list') {
    const vals = Array.isArray(row.value) ? row.value : [];
    if (!vals.length) return 'add at least one value';
    if (vals.some((v) => literal(v.value, v.type) === null)) return 'a value of the list is not a number';
  } else if (o.value === 'one') {
    if (row.type === 'number' && String(row.value ?? '').trim() === '') return 'enter a value';
    if (literal(row.value, row.type) === null) return row.type === 'number' ? 'the value is not a number' : 'choose yes or no';
  } else if (o.value === 'regex') {
    try {
      RegExp(String(row.value ?? ''));
    } catch (e) {
      return `the pattern is not valid: ${e.message}`;
    }
  }
  return '';
}

function rowExpr(row) {
  if (rowProblem(row)) return '';
  const f = row.field;
  switch (row.op) {
    case 'exists': return `${f} != nil`;
    case 'not_exists': return `${f} == nil`;
    case 'empty': return `default(${f}, "") == ""`;
    case 'not_empty': return `default(${f}, "") != ""`;
    case 'in':
    case 'not_in': {
      const list = `[${row.value.map((v) => literal(v.value, v.type)).join(', ')}]`;
      return row.op === 'in' ? `${f} in ${list}` : `${f} not in ${list}`;
    }
    case 'not_contains': return `not (${f} contains ${literal(row.value, 'string')})`;
    case 'matches': return `${f} matches ${literal(row.value, 'string')}`;
    default: return `${f} ${BINARY[row.op]} ${literal(row.value, row.type)}`;
  }
}

// toExpr writes a group as an expression; incomplete rows and empty
// groups are left out. A nested group is parenthesised.
export function toExpr(group) {
  const parts = [];
  for (const it of group.items || []) {
    if (it.items) {
      const inner = toExpr(it);
      if (!inner) continue;
      const n = it.items.filter((x) => (x.items ? toExpr(x) : rowExpr(x))).length;
      parts.push(n > 1 ? `(${inner})` : inner);
    } else {
      const e = rowExpr(it);
      if (e) parts.push(e);
    }
  }
  return parts.join(group.join === 'or' ? ' || ' : ' && ');
}

// --- reading an expression back ----------------------------------------

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|("(?:[^"\\]|\\.)*")|('(?:[^'\\]|\\.)*')|(==|!=|>=|<=|&&|\|\||\?\?|[<>()[\],.!*+/%?:-])|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(src) {
  const out = [];
  TOKEN.lastIndex = 0;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) return null;
    if (m[1] !== undefined) out.push({ t: 'num', v: Number(m[1]), raw: m[1] });
    else if (m[2] !== undefined) out.push({ t: 'str', v: JSON.parse(m[2]) });
    else if (m[3] !== undefined) out.push({ t: 'str', v: JSON.parse(`"${m[3].slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) });
    else if (m[4] !== undefined) out.push({ t: 'op', v: m[4] });
    else out.push({ t: 'id', v: m[5] });
    i = TOKEN.lastIndex;
  }
  return out;
}

class Unrepresentable extends Error {}

// parseExpr reads an expression into a group: { ok: true, group } or
// { ok: false, reason }. The empty expression is an empty group.
export function parseExpr(src) {
  let text = (src || '').trim();
  const tpl = text.match(/^\{\{([\s\S]*)\}\}$/);
  if (tpl && !tpl[1].includes('{{') && !tpl[1].includes('}}')) text = tpl[1].trim();
  if (!text) return { ok: true, group: emptyGroup() };
  let toks;
  try {
    toks = tokenize(text);
  } catch {
    toks = null;
  }
  if (!toks) return { ok: false, reason: 'it uses text the builder does not know' };
  let p = 0;
  const peek = (k = 0) => toks[p + k];
  const isOp = (v, k = 0) => peek(k) && peek(k).t === 'op' && peek(k).v === v;
  const isId = (v, k = 0) => peek(k) && peek(k).t === 'id' && peek(k).v === v;
  const fail = (why) => { throw new Unrepresentable(why); };
  const expect = (v) => {
    if (!isOp(v)) fail(`expected "${v}"`);
    p += 1;
  };

  // path := root (. ident | [ num ] | [ str ])*
  function path() {
    const start = p;
    const tk = peek();
    if (!tk || tk.t !== 'id' || !ROOTS.has(tk.v)) fail('a comparison must start with a field (trigger.…, steps.…)');
    p += 1;
    for (;;) {
      if (isOp('.') && peek(1) && peek(1).t === 'id') p += 2;
      else if (isOp('[') && peek(1) && (peek(1).t === 'num' || peek(1).t === 'str') && isOp(']', 2)) p += 3;
      else break;
    }
    return pathText(toks.slice(start, p));
  }
  function value() {
    const tk = peek();
    if (!tk) fail('a value is missing');
    if (tk.t === 'op' && tk.v === '-' && peek(1) && peek(1).t === 'num') {
      p += 2;
      return { value: -peek(-1).v, type: 'number' };
    }
    p += 1;
    if (tk.t === 'num') return { value: tk.v, type: 'number' };
    if (tk.t === 'str') return { value: tk.v, type: 'string' };
    if (tk.t === 'id' && (tk.v === 'true' || tk.v === 'false')) return { value: tk.v === 'true', type: 'bool' };
    fail('it compares with something other than a text, number or yes/no value');
    return null;
  }
  function list() {
    expect('[');
    const out = [];
    while (!isOp(']')) {
      out.push(value());
      if (isOp(',')) p += 1;
      else if (!isOp(']')) fail('a list of values is not closed');
    }
    p += 1;
    if (!out.length) fail('an empty list');
    return out;
  }
  // comparison := default(path, "") (==|!=) "" | path op value | path [not] in list | not (path contains str)
  function comparison() {
    if (isId('default') && isOp('(', 1)) {
      p += 2;
      const field = path();
      expect(',');
      const d = value();
      expect(')');
      if (d.type !== 'string' || d.value !== '') fail('default() with a fallback other than ""');
      const eq = isOp('==') ? 'empty' : isOp('!=') ? 'not_empty' : fail('default() not compared with ""');
      p += 1;
      const v = value();
      if (v.type !== 'string' || v.value !== '') fail('default() not compared with ""');
      return { field, op: eq, value: '', type: 'string' };
    }
    if (isId('not') && isOp('(', 1)) {
      p += 2;
      const field = path();
      if (!isId('contains')) fail('"not (…)" around something other than contains');
      p += 1;
      const v = value();
      expect(')');
      if (v.type !== 'string') fail('contains with a value that is not text');
      return { field, op: 'not_contains', value: v.value, type: 'string' };
    }
    const field = path();
    if (isId('not') && isId('in', 1)) {
      p += 2;
      return { field, op: 'not_in', value: list(), type: 'list' };
    }
    if (isId('in')) {
      p += 1;
      return { field, op: 'in', value: list(), type: 'list' };
    }
    const tk = peek();
    if (!tk) fail('a field alone is not a condition (use "exists")');
    const op = FROM_BINARY[tk.v];
    if (!op || op === 'in') fail(`the operator "${tk.v}" is not one the builder offers`);
    p += 1;
    if ((op === 'eq' || op === 'ne') && isId('nil')) {
      p += 1;
      return { field, op: op === 'ne' ? 'exists' : 'not_exists', value: '', type: 'string' };
    }
    const v = value();
    if (OPERATOR[op].text && v.type !== 'string') fail(`"${tk.v}" with a value that is not text`);
    if (op === 'matches' && v.type !== 'string') fail('matches with a pattern that is not text');
    return { field, op, value: v.value, type: v.type };
  }
  function primary() {
    if (isOp('(')) {
      p += 1;
      const g = orExpr();
      expect(')');
      return g;
    }
    return comparison();
  }
  function andExpr() {
    const items = [primary()];
    while (isOp('&&') || isId('and')) {
      p += 1;
      items.push(primary());
    }
    return items.length === 1 ? items[0] : { join: 'and', items: flatten(items, 'and') };
  }
  function orExpr() {
    const items = [andExpr()];
    while (isOp('||') || isId('or')) {
      p += 1;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0] : { join: 'or', items: flatten(items, 'or') };
  }
  try {
    const g = orExpr();
    if (p < toks.length) fail(`"${toks[p].v}" after the condition`);
    const group = g.items ? g : { join: 'and', items: [g] };
    return { ok: true, group };
  } catch (e) {
    if (e instanceof Unrepresentable) return { ok: false, reason: e.message };
    throw e;
  }
}

// flatten merges parenthesised groups of the same join into their parent:
// (a && b) && c is a && b && c.
function flatten(items, join) {
  const out = [];
  for (const it of items) {
    if (it.items && it.join === join) out.push(...it.items);
    else out.push(it);
  }
  return out;
}

const ROOTS = new Set(['trigger', 'steps', 'vars', 'event', 'item', 'index']);

// pathText writes path tokens back in canonical form.
function pathText(toks) {
  let s = toks[0].v;
  for (let i = 1; i < toks.length; i++) {
    const tk = toks[i];
    if (tk.t === 'op' && tk.v === '.') {
      s += `.${toks[i + 1].v}`;
      i += 1;
    } else if (tk.t === 'op' && tk.v === '[') {
      const k = toks[i + 1];
      s += k.t === 'num' ? `[${k.raw}]` : `[${JSON.stringify(k.v)}]`;
      i += 2;
    }
  }
  return s;
}

// parsePath checks that text is a field path the builder can write:
// a root and keys (trigger.data["odd-key"][0]). It returns the canonical
// text or null.
export function parsePath(text) {
  const toks = tokenize(String(text || '').trim());
  if (!toks || !toks.length || toks[0].t !== 'id' || !ROOTS.has(toks[0].v)) return null;
  let i = 1;
  while (i < toks.length) {
    const tk = toks[i];
    if (tk.t === 'op' && tk.v === '.' && toks[i + 1] && toks[i + 1].t === 'id') i += 2;
    else if (tk.t === 'op' && tk.v === '[' && toks[i + 1] && (toks[i + 1].t === 'num' || toks[i + 1].t === 'str') && toks[i + 2] && toks[i + 2].v === ']') i += 3;
    else return null;
  }
  return pathText(toks);
}

// fieldsOf lists the field paths a group reads, in order, once each.
export function fieldsOf(group, out = []) {
  for (const it of group.items || []) {
    if (it.items) fieldsOf(it, out);
    else if (it.field && !out.includes(it.field)) out.push(it.field);
  }
  return out;
}

// typeOf guesses a row's value type from a sample value.
export function typeOf(v) {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}
