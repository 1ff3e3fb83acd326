// The JSON tree and field picker. A captured sample event is shown as a
// tree; clicking a field inserts a reference to it into the input that last
// had focus, in the syntax that input expects:
//
//   data-pick="template"    {{ trigger.data.object.amount }} at the cursor
//   data-pick="expr"        trigger.data.object.amount at the cursor
//   data-pick="gjson"       the whole value becomes trigger.data.object.amount
//                           (gjson syntax: "items.0.sku", escaped dots)
//   data-pick="gjson-body"  the same path without the root (order_key)
//   data-pick="path"        the whole value becomes trigger.data.object.amount
//                           (expr syntax: a condition builder's field)

import { h, toast } from './dom.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Objects are shown open down to OPEN_DEPTH levels when they have at most
// OPEN_MAX entries.
const OPEN_DEPTH = 4;
const OPEN_MAX = 30;

// exprPath renders a path for expr-lang: trigger.data["odd-key"][0].
export function exprPath(root, segs) {
  let s = root;
  for (const seg of segs) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (IDENT.test(seg)) s += `.${seg}`;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

// gjsonPath renders a path for gjson, escaping its special characters.
export function gjsonPath(root, segs) {
  const parts = root ? [root] : [];
  for (const seg of segs) {
    if (typeof seg === 'number') parts.push(String(seg));
    else parts.push(seg.replace(/[\\.*?|#@!=<>%]/g, (c) => `\\${c}`));
  }
  return parts.join('.');
}

// The last focused pickable input. Tracked on the document so a click on
// the tree (which moves focus to the tree's button) still knows the target.
let target = null;
document.addEventListener('focusin', (e) => {
  const el = e.target;
  if (el instanceof HTMLElement && el.dataset && el.dataset.pick) {
    if (target) target.classList.remove('pick-target');
    target = el;
    el.classList.add('pick-target');
  }
});

export function pickTarget() {
  return target && target.isConnected ? target : null;
}

// insert puts text into the target at its cursor (or replaces its value)
// and fires an input event so the editor model updates.
export function insertReference(root, segs) {
  const el = pickTarget();
  if (!el) {
    toast('Click into a field of a step first, then click a field of the sample.', 'info');
    return null;
  }
  const mode = el.dataset.pick;
  let text;
  let replaceAll = false;
  switch (mode) {
    case 'gjson':
      text = gjsonPath(root, segs);
      replaceAll = true;
      break;
    case 'gjson-body':
      text = gjsonPath('', segs);
      replaceAll = true;
      break;
    case 'expr':
      text = exprPath(root, segs);
      break;
    case 'path':
      text = exprPath(root, segs);
      replaceAll = true;
      break;
    default:
      text = `{{ ${exprPath(root, segs)} }}`;
  }
  if (replaceAll || el.selectionStart === undefined || el.selectionStart === null) {
    el.value = text;
  } else {
    const a = el.selectionStart;
    const b = el.selectionEnd;
    el.value = el.value.slice(0, a) + text + el.value.slice(b);
    el.selectionStart = el.selectionEnd = a + text.length;
  }
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  el.focus();
  return text;
}

function preview(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.length}]`;
  if (typeof v === 'object') return '{…}';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

// jsonTree renders value as a tree. With root set ("trigger"), each field is
// a button that inserts its reference into the focused input; without root
// it is a read-only view.
export function jsonTree(value, { root = '', label } = {}) {
  const tree = h('ul', { class: 'tree', role: root ? 'tree' : null, 'aria-label': label || (root ? `Fields of ${root}` : 'JSON') });
  tree.appendChild(node(root || '', value, [], root, true));
  return tree;
}

function node(key, value, segs, root, open) {
  const isObj = value !== null && typeof value === 'object';
  const name = h('span', { class: 'tree-key' }, key === '' ? '(value)' : String(key));
  const val = h('span', { class: ['tree-val', `t-${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`] }, preview(value));
  let row;
  if (root) {
    const path = exprPath(root, segs);
    row = h('button', {
      type: 'button', class: 'tree-pick', title: `Insert ${path}`, dataset: { path },
      'aria-label': `Insert ${path}`,
      onclick: (e) => {
        e.preventDefault();
        const t = insertReference(root, segs);
        if (t) toast(`Inserted ${t}`, 'ok');
      },
      onmousedown: (e) => e.preventDefault(), // keep focus in the target input
    }, name, ': ', val);
  } else {
    row = h('span', { class: 'tree-row' }, name, ': ', val);
  }
  if (!isObj) return h('li', { role: root ? 'treeitem' : null }, row);
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const kids = h('ul', { role: root ? 'group' : null });
  for (const [k, v] of entries) kids.appendChild(node(k, v, [...segs, k], root, false));
  // Webhook samples are a few levels deep; open those levels so most
  // fields are one click away, and keep long arrays folded.
  const det = h('details', { open: open || (segs.length < OPEN_DEPTH && entries.length <= OPEN_MAX) }, h('summary', {}, row), kids);
  return h('li', { role: root ? 'treeitem' : null }, det);
}
