// Small DOM helpers. Every element is built with h(), which sets text with
// textContent and never parses strings as HTML, so values that come from events, workflow
// names or provider payloads can never turn into markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'class') {
      el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k === 'value') {
      el.value = v;
    } else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'multiple' || k === 'required' || k === 'readOnly') {
      el[k] = !!v;
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// clear removes every child of el and appends the new children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
// id returns a unique element id, for label/for pairs.
export function nextId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

// fmtTime renders an RFC 3339 time in the user's locale, or "—".
export function fmtTime(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  return d.toLocaleString();
}

// fmtDuration renders the time between two RFC 3339 times.
export function fmtDuration(start, end) {
  if (!start) return '—';
  const a = new Date(start).getTime();
  const b = end ? new Date(end).getTime() : Date.now();
  if (Number.isNaN(a) || Number.isNaN(b)) return '—';
  const ms = Math.max(0, b - a);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60000);
  const s = Math.round((ms % 60000) / 1000);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

// badge shows a status as a coloured pill; the colour comes from the CSS
// class of the status, the text is always readable on its own.
export function badge(status) {
  const s = status || 'unknown';
  return h('span', { class: ['badge', `st-${s.replace(/[^a-z_]/gi, '')}`] }, s.replace(/_/g, ' '));
}

// pretty formats JSON for display.
export function pretty(v) {
  if (v === undefined) return '';
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

const MAX_TOASTS = 3;

// toast shows a short message in the corner, announced to screen readers.
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const t = h('div', { class: ['toast', `toast-${kind}`], role: kind === 'error' ? 'alert' : 'status' }, message);
  box.appendChild(t);
  // Keep the stack short: the newest few messages are the useful ones.
  while (box.children.length > MAX_TOASTS) box.firstChild.remove();
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 4000);
}

// copyText copies to the clipboard, falling back to a selection for pages
// that are not served over HTTPS or localhost (no clipboard API there).
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

// field wraps a control with its label, help text and an error slot. The
// control gets aria-describedby pointing at help and error.
export function field(label, control, { help, required, errorKey } = {}) {
  if (!control.id) control.id = nextId();
  const helpEl = help ? h('p', { class: 'help', id: `${control.id}-help` }, help) : null;
  const errEl = h('p', { class: 'field-error', id: `${control.id}-err`, role: 'alert', hidden: true });
  const described = [helpEl && helpEl.id, errEl.id].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  if (errorKey) control.dataset.errorKey = errorKey;
  return h('div', { class: 'field', dataset: errorKey ? { errorKey } : undefined },
    h('label', { for: control.id }, label, required ? h('span', { class: 'req', 'aria-label': 'required' }, ' *') : null),
    control, helpEl, errEl);
}

// spinner is a small busy indicator with an accessible name.
export function spinner(label = 'Loading') {
  return h('span', { class: 'spinner', role: 'status', 'aria-label': label });
}
