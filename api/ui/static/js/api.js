// The REST client. Every request carries the API key from localStorage as
// a bearer token; every failure becomes an ApiError built from the API's
// RFC 9457 problem+json body (title, detail, errors[] of {path, message,
// position}), so views can show the message and highlight fields.

const KEY = 'hookflow.apiKey';
export const BASE = '/api/v1';

export function getKey() {
  return localStorage.getItem(KEY) || '';
}

export function setKey(k) {
  if (k) localStorage.setItem(KEY, k);
  else localStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, problem) {
    const p = problem || {};
    super(p.detail || p.title || `Request failed (HTTP ${status})`);
    this.status = status;
    this.type = p.type || '';
    this.title = p.title || '';
    this.detail = p.detail || '';
    // errors: [{path, message, position}] for validation failures.
    this.errors = Array.isArray(p.errors) ? p.errors : [];
    this.problem = p;
  }
}

// onUnauthorized is set by the app to send the user back to the login page
// when a key is revoked or wrong.
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// request calls the API. path is relative to /api/v1 and may carry a query
// object. It resolves to the parsed JSON body (or null for 204).
export async function request(method, path, { body, query, signal, key } = {}) {
  let url = BASE + path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers = { Accept: 'application/json, application/problem+json' };
  const k = key ?? getKey();
  if (k) headers.Authorization = `Bearer ${k}`;
  const init = { method, headers, signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, { title: 'Network error', detail: 'Could not reach the hookflow server. Is it running?' });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text.slice(0, 500) };
    }
  }
  if (!res.ok) {
    if (res.status === 401 && key === undefined) onUnauthorized();
    throw new ApiError(res.status, data && typeof data === 'object' ? data : { detail: String(data) });
  }
  return data;
}

export const get = (path, query, opts = {}) => request('GET', path, { query, ...opts });
export const post = (path, body, opts = {}) => request('POST', path, { body, ...opts });
export const put = (path, body, opts = {}) => request('PUT', path, { body, ...opts });
export const patch = (path, body, opts = {}) => request('PATCH', path, { body, ...opts });
export const del = (path, opts = {}) => request('DELETE', path, opts);

// items returns the list in a paginated response ({items, next_cursor}),
// also accepting a bare array.
export function items(page) {
  if (Array.isArray(page)) return page;
  if (!page) return [];
  return page.items || page.data || [];
}

export function nextCursor(page) {
  return (page && (page.next_cursor || page.nextCursor)) || '';
}

// Connector catalog, fetched once per page load: it only changes with the
// binary.
let catalogPromise = null;
export function catalog() {
  if (!catalogPromise) {
    catalogPromise = get('/connectors').then((c) => {
      const list = Array.isArray(c) ? c : c.connectors || items(c);
      const byName = new Map(list.map((x) => [x.name, x]));
      return { list, byName };
    }).catch((err) => {
      catalogPromise = null;
      throw err;
    });
  }
  return catalogPromise;
}

// Step kinds (fields, flow and output of every kind), fetched once per
// page load like the catalog: the step editor's forms are built from them.
let kindsPromise = null;
export function stepKinds() {
  if (!kindsPromise) {
    kindsPromise = get('/step-kinds').then((d) => {
      const list = d.step_kinds || [];
      return { list, byKind: new Map(list.map((k) => [k.kind, k])), common: d.common_fields || [] };
    }).catch((err) => {
      kindsPromise = null;
      throw err;
    });
  }
  return kindsPromise;
}

export function resetCache() {
  catalogPromise = null;
  kindsPromise = null;
}

// errorText renders an ApiError for a banner: the detail, then each field
// error as "path: message (line:col)".
export function errorLines(err) {
  if (!(err instanceof ApiError)) return [String(err && err.message ? err.message : err)];
  const lines = [err.message];
  for (const e of err.errors) {
    lines.push(`${e.path ? e.path + ': ' : ''}${e.message}${e.position ? ` (${e.position})` : ''}`);
  }
  return lines;
}

// getText fetches path as text, without parsing it: an event's body as it
// was received, where JSON.parse would lose its exact bytes.
export async function getText(path) {
  const headers = {};
  const k = getKey();
  if (k) headers.Authorization = `Bearer ${k}`;
  let res;
  try {
    res = await fetch(BASE + path, { headers });
  } catch {
    throw new ApiError(0, { title: 'Network error', detail: 'Could not reach the hookflow server. Is it running?' });
  }
  const text = await res.text();
  if (!res.ok) {
    let p = {};
    try { p = JSON.parse(text); } catch { p = { detail: text.slice(0, 500) }; }
    throw new ApiError(res.status, p);
  }
  return text;
}
