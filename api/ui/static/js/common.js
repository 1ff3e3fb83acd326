// Pieces shared by the pages: page headers, error boxes, paginated lists.

import { h, replace, spinner } from './dom.js';
import * as api from './api.js';

export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-head' }, h('h2', {}, title), h('span', { class: 'spacer' }), ...actions);
}

// errorBox shows an API error: its detail, each field error, and for a 409
// "in use" the workflows that block the action, as links.
export function errorBox(err) {
  const lines = api.errorLines(err);
  const p = err instanceof api.ApiError ? err.problem : {};
  return h('div', { class: 'banner error', role: 'alert' },
    h('strong', {}, (err instanceof api.ApiError && err.title) || 'Something went wrong'),
    h('p', {}, lines[0]),
    lines.length > 1 ? h('ul', {}, lines.slice(1).map((l) => h('li', {}, l))) : null,
    Array.isArray(p.workflows) && p.workflows.length
      ? h('div', {}, h('p', {}, 'Used by:'), h('ul', {}, p.workflows.map((w) => h('li', {}, h('a', { href: `#/workflows/${encodeURIComponent(w.id)}` }, w.name || w.id)))))
      : null);
}

// pager loads a paginated list into container. fetchPage(cursor) returns
// the API page; render(items) returns the element for them. A "Load more"
// button follows next_cursor.
export async function pager(container, fetchPage, render) {
  const all = [];
  const more = h('button', { type: 'button', class: 'small', hidden: true }, 'Load more');
  const slot = h('div', {});
  let cursor = '';
  async function load() {
    more.disabled = true;
    try {
      const page = await fetchPage(cursor);
      all.push(...api.items(page));
      cursor = api.nextCursor(page);
      replace(slot, render(all));
      more.hidden = !cursor;
    } catch (err) {
      replace(slot, errorBox(err));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', load);
  replace(container, slot, h('div', { class: 'more' }, more));
  replace(slot, spinner());
  await load();
}

// filterBar builds labelled selects/inputs bound to the hash query, so a
// filtered list can be bookmarked and survives reload.
export function filterBar(fields, values, onChange) {
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); onChange(read()); } });
  const controls = {};
  for (const f of fields) {
    const id = `flt-${f.name}`;
    let c;
    if (f.options) {
      c = h('select', { id, name: f.name }, h('option', { value: '' }, 'all'), f.options.map((o) => h('option', { value: o, selected: values[f.name] === o }, o.replace(/_/g, ' '))));
      c.addEventListener('change', () => onChange(read()));
    } else {
      c = h('input', { id, name: f.name, type: 'search', placeholder: f.placeholder || '', value: values[f.name] || '' });
    }
    controls[f.name] = c;
    form.appendChild(h('div', { class: 'field inline' }, h('label', { for: id }, f.label), c));
  }
  form.appendChild(h('button', { type: 'submit', class: 'small' }, 'Filter'));
  function read() {
    const out = {};
    for (const [k, c] of Object.entries(controls)) if (c.value) out[k] = c.value;
    return out;
  }
  return form;
}

// hashQuery reads the query part of the hash (#/runs?status=failed).
export function hashQuery() {
  const i = location.hash.indexOf('?');
  return Object.fromEntries(new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : ''));
}

export function setHashQuery(base, q) {
  const s = new URLSearchParams(q).toString();
  location.hash = s ? `${base}?${s}` : base;
}
