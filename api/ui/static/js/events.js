// Events: the inbox log with filters, one event's redacted headers and
// body, and replay.

import { h, replace, badge, fmtTime, toast, spinner } from './dom.js';
import * as api from './api.js';
import { errorBox, pageHeader, pager, filterBar, hashQuery, setHashQuery } from './common.js';
import { jsonTree } from './tree.js';
import { SEARCH_FIELDS, searchHelp } from './runs.js';

export const EVENT_STATUSES = ['pending', 'dispatched', 'running', 'completed', 'failed', 'filtered', 'ignored', 'unparseable', 'rejected', 'duplicate'];

export async function eventList(main) {
  const q = hashQuery();
  const body = h('div', {});
  replace(main,
    pageHeader('Events'),
    filterBar([
      { name: 'status', label: 'Status', options: EVENT_STATUSES },
      { name: 'type', label: 'Event type', placeholder: 'payment_intent.succeeded' },
      ...SEARCH_FIELDS,
    ], q, (v) => setHashQuery('#/events', v)),
    searchHelp(q),
    body);
  await pager(body, (cursor) => api.get('/events', { ...q, limit: 50, cursor }), (list) => {
    if (!list.length) return h('p', { class: 'empty' }, 'No events match. Send a webhook to a workflow\'s URL to see it here.');
    return h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Event', 'Type', 'App', 'Status', 'Verification', 'Received', 'Run'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.map((e) => h('tr', {},
        h('td', {}, h('a', { href: `#/events/${encodeURIComponent(e.id)}`, class: 'mono' }, e.id)),
        h('td', {}, e.event_type || '—'),
        h('td', {}, e.connector || '—'),
        h('td', {}, badge(e.status)),
        h('td', {}, e.verification ? badge(e.verification === 'ok' ? 'verified' : e.verification) : '—', e.reason ? h('span', { class: 'muted' }, ` ${e.reason}`) : null),
        h('td', {}, fmtTime(e.received_at)),
        h('td', {}, e.run_id ? h('a', { href: `#/runs/${encodeURIComponent(e.run_id)}`, class: 'mono' }, 'open') : '—')))));
  });
}

function parseBody(b) {
  if (typeof b !== 'string') return b;
  try {
    return JSON.parse(b);
  } catch {
    return b;
  }
}

export async function eventDetail(main, id) {
  replace(main, spinner('Loading event'));
  let ev;
  try {
    ev = await api.get(`/events/${encodeURIComponent(id)}`);
  } catch (err) {
    replace(main, h('a', { href: '#/events', class: 'back' }, '← Events'), errorBox(err));
    return;
  }
  const msg = h('div', { 'aria-live': 'polite' });
  // A delivery that failed verification can never be replayed (the API
  // answers 409): say why instead of offering a button that fails.
  const rejected = ev.status === 'rejected' || ev.verification === 'failed';
  const replay = h('button', {
    type: 'button', id: 'replay', disabled: rejected,
    title: rejected ? 'A rejected event cannot be replayed' : null,
    'aria-describedby': rejected ? 'replay-why' : null,
  }, 'Replay');
  const replayWhy = rejected
    ? h('p', { class: 'help', id: 'replay-why' }, `Replay is off: this delivery was rejected${ev.reason ? ` (${ev.reason})` : ''}, so it never reached a workflow. Fix the sender's signing secret and let it retry.`)
    : null;
  replay.addEventListener('click', async () => {
    if (!confirm('Replay this event? It starts a new run with the workflow\'s current version.')) return;
    replay.disabled = true;
    try {
      const r = await api.post(`/events/${encodeURIComponent(id)}/replay`, {});
      toast('Replayed.', 'ok');
      const newId = r && r.id;
      replace(msg, h('div', { class: 'banner ok', role: 'status' }, 'Replay accepted as event ',
        newId ? h('a', { href: `#/events/${encodeURIComponent(newId)}`, class: 'mono' }, newId) : '(pending)',
        r && r.run_id ? [' → run ', h('a', { href: `#/runs/${encodeURIComponent(r.run_id)}`, class: 'mono' }, r.run_id)] : null));
    } catch (err) {
      replace(msg, errorBox(err));
    } finally {
      replay.disabled = rejected;
    }
  });
  const headers = Object.entries(ev.headers || {}).sort(([a], [b]) => a.localeCompare(b));
  const body = ev.body !== undefined ? parseBody(ev.body) : ev.body_text !== undefined ? ev.body_text : ev.body_base64 !== undefined ? `(binary body, base64)\n${ev.body_base64}` : null;
  replace(main,
    h('a', { href: '#/events', class: 'back' }, '← Events'),
    h('div', { class: 'page-head' }, h('h2', {}, 'Event ', h('span', { class: 'mono' }, ev.id)), badge(ev.status), h('span', { class: 'spacer' }), replay),
    replayWhy,
    msg,
    h('dl', { class: 'facts' },
      h('dt', {}, 'Type'), h('dd', {}, ev.event_type || '—'),
      h('dt', {}, 'App'), h('dd', {}, ev.connector || '—'),
      h('dt', {}, 'Received'), h('dd', {}, fmtTime(ev.received_at)),
      h('dt', {}, 'Verification'), h('dd', {}, ev.verification || '—', ev.reason ? ` — ${ev.reason}` : ''),
      ev.provider_event_id ? [h('dt', {}, 'Provider id'), h('dd', { class: 'mono' }, ev.provider_event_id)] : null,
      ev.workflow_id ? [h('dt', {}, 'Workflow'), h('dd', {}, h('a', { href: `#/workflows/${encodeURIComponent(ev.workflow_id)}` }, ev.workflow_id), ev.workflow_version ? ` v${ev.workflow_version}` : '')] : null,
      ev.run_id ? [h('dt', {}, 'Run'), h('dd', {}, h('a', { href: `#/runs/${encodeURIComponent(ev.run_id)}`, class: 'mono' }, ev.run_id))] : null,
      ev.replay_of ? [h('dt', {}, 'Replay of'), h('dd', {}, h('a', { href: `#/events/${encodeURIComponent(ev.replay_of)}`, class: 'mono' }, ev.replay_of))] : null,
      ev.duplicate_of ? [h('dt', {}, 'Duplicate of'), h('dd', {}, h('a', { href: `#/events/${encodeURIComponent(ev.duplicate_of)}`, class: 'mono' }, ev.duplicate_of))] : null),
    h('h3', {}, 'Headers'),
    h('p', { class: 'help' }, 'Signature and secret headers are redacted before they are stored.'),
    headers.length
      ? h('table', { class: 'list headers' }, h('tbody', {}, headers.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: 'mono' }, v)))))
      : h('p', { class: 'muted' }, 'none'),
    h('h3', {}, 'Body'),
    body === undefined || body === null ? h('p', { class: 'muted' }, 'empty') : typeof body === 'string' ? h('pre', { class: 'mono' }, body) : jsonTree(body, { label: 'Event body' }),
    ev.body !== undefined ? rawBody(id) : null);
}

// rawBody shows a JSON body byte for byte as it arrived (the tree above
// is a reading of it): a proxy that reformats JSON breaks signatures, and
// only the exact bytes show that.
function rawBody(id) {
  const pre = h('pre', { class: 'mono', id: 'raw-body' }, 'Loading…');
  const det = h('details', { class: 'raw-body' }, h('summary', {}, 'Exact bytes as received'), pre);
  det.addEventListener('toggle', async () => {
    if (!det.open || pre.dataset.loaded) return;
    try {
      replace(pre, await api.getText(`/events/${encodeURIComponent(id)}/body`));
      pre.dataset.loaded = '1';
    } catch (err) {
      replace(pre, err.message);
    }
  });
  return det;
}
