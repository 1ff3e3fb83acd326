// Outgoing deliveries (#/deliveries): dead letters first, a status
// filter, per-destination health from /deliveries/health, and one
// delivery's page (#/deliveries/ID) with every attempt (time, HTTP
// status, duration, error, the start of the reply) and Retry for a failed
// or dead delivery.

import { h, replace, fmtTime, toast, spinner, badge, pretty } from './dom.js';
import * as api from './api.js';
import { errorBox, pageHeader, pager, filterBar, hashQuery, setHashQuery } from './common.js';

const STATUSES = ['dead', 'failed', 'pending', 'succeeded'];

function deliveryTable(list, caption) {
  if (!list.length) return h('p', { class: 'empty' }, caption ? `No ${caption.toLowerCase()}.` : 'No deliveries.');
  return h('table', { class: 'list deliveries' },
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, ['Status', 'Destination', 'Attempts', 'Last error', 'Created'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map((d) => h('tr', { dataset: { delivery: d.id } },
      h('td', {}, badge(d.status)),
      h('td', { class: 'mono small wrap' }, h('a', { href: `#/deliveries/${encodeURIComponent(d.id)}` }, d.destination)),
      h('td', {}, String(d.attempts)),
      h('td', { class: 'small wrap' }, d.last_status ? `HTTP ${d.last_status}${d.last_error ? ': ' : ''}` : '', d.last_error || (d.last_status ? '' : '—')),
      h('td', {}, fmtTime(d.created_at))))));
}

function pct(x) {
  return `${(x * 100).toFixed(x === 1 || x === 0 ? 0 : 1)} %`;
}

async function healthTable(slot) {
  replace(slot, spinner('Loading destination health'));
  try {
    const list = api.items(await api.get('/deliveries/health'));
    if (!list.length) {
      replace(slot, h('p', { class: 'empty' }, 'No outgoing webhooks sent yet.'));
      return;
    }
    replace(slot, h('table', { class: 'list health', id: 'delivery-health' },
      h('caption', {}, 'Health per destination'),
      h('thead', {}, h('tr', {}, ['Destination', 'Success rate', 'Deliveries', 'Dead letters', 'Avg. attempt', 'Last error'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.map((x) => h('tr', { dataset: { destination: x.destination } },
        h('td', { class: 'mono small wrap' }, h('a', { href: `#/deliveries?destination=${encodeURIComponent(x.destination)}` }, x.destination)),
        h('td', {}, x.succeeded + x.failed > 0 ? pct(x.success_rate || 0) : '—'),
        h('td', {}, String(x.deliveries)),
        h('td', {}, x.dead ? h('a', { href: `#/deliveries?status=dead&destination=${encodeURIComponent(x.destination)}` }, String(x.dead)) : '0'),
        h('td', {}, x.avg_latency_ms ? `${Math.round(x.avg_latency_ms)} ms` : '—'),
        h('td', { class: 'small wrap' }, x.last_error ? [x.last_error, h('div', { class: 'help' }, fmtTime(x.last_error_at))] : '—'))))));
  } catch (err) {
    replace(slot, errorBox(err));
  }
}

export async function deliveryList(main) {
  const q = hashQuery();
  const health = h('section', { 'aria-label': 'Destination health' });
  const dead = h('section', { 'aria-label': 'Dead letters' });
  const body = h('section', { 'aria-label': 'Deliveries' });
  const filters = filterBar([
    { name: 'status', label: 'Status', options: STATUSES },
    { name: 'destination', label: 'Destination', placeholder: 'https://…' },
  ], q, (v) => setHashQuery('#/deliveries', v));
  replace(main,
    pageHeader('Outgoing deliveries'),
    h('p', { class: 'help' }, 'Webhooks your workflows send. A delivery that failed every scheduled attempt becomes a dead letter; open it to see each attempt and retry it.'),
    health, filters, dead, body);
  healthTable(health);
  const query = (extra) => (cursor) => api.get('/deliveries', { limit: 50, cursor, destination: q.destination, ...extra });
  if (!q.status) {
    // Dead letters first: they are what needs a person.
    await pager(dead, query({ status: 'dead' }), (list) => deliveryTable(list, 'Dead letters'));
    await pager(body, query({}), (list) => deliveryTable(list, 'All deliveries'));
  } else {
    await pager(body, query({ status: q.status }), (list) => deliveryTable(list, `${q.status.charAt(0).toUpperCase()}${q.status.slice(1)} deliveries`));
  }
}

export async function deliveryDetail(main, id) {
  const msg = h('div', { 'aria-live': 'polite' });
  const slot = h('div', {}, spinner());
  replace(main, pageHeader('Delivery', h('a', { class: 'button', href: '#/deliveries' }, '← All deliveries')), msg, slot);
  let d;
  let attempts;
  try {
    [d, attempts] = await Promise.all([
      api.get(`/deliveries/${encodeURIComponent(id)}`),
      api.get(`/deliveries/${encodeURIComponent(id)}/attempts`).then(api.items),
    ]);
  } catch (err) {
    replace(slot, errorBox(err));
    return;
  }
  const canRetry = d.status === 'dead' || d.status === 'failed';
  const retryBtn = h('button', { type: 'button', class: 'primary', id: 'retry-delivery', disabled: !canRetry }, 'Retry now');
  retryBtn.addEventListener('click', async () => {
    if (!confirm('Send this delivery again now? The receiver gets the same webhook id with a fresh signature.')) return;
    retryBtn.disabled = true;
    try {
      await api.post(`/deliveries/${encodeURIComponent(id)}/retry`);
      toast('Retry sent.', 'ok');
      // The retry runs in the background; show its attempt when it lands.
      await waitForAttempt(id, d.attempts);
      deliveryDetail(main, id);
    } catch (err) {
      retryBtn.disabled = false;
      replace(msg, errorBox(err));
    }
  });
  replace(slot,
    h('dl', { class: 'facts ops' },
      h('dt', {}, 'Status'), h('dd', { id: 'delivery-status' }, badge(d.status)),
      h('dt', {}, 'Destination'), h('dd', { class: 'mono wrap' }, d.destination),
      h('dt', {}, 'Workflow'), h('dd', {}, d.workflow_id ? h('a', { href: `#/workflows/${encodeURIComponent(d.workflow_id)}` }, d.workflow_id) : '—'),
      h('dt', {}, 'Run'), h('dd', {}, d.run_id ? h('a', { href: `#/runs/${encodeURIComponent(d.run_id)}` }, d.run_id) : '—'),
      h('dt', {}, 'Step'), h('dd', {}, d.step_id || '—'),
      h('dt', {}, 'Attempts'), h('dd', {}, String(d.attempts)),
      d.next_attempt_at ? [h('dt', {}, 'Next attempt'), h('dd', {}, fmtTime(d.next_attempt_at))] : null),
    h('div', { class: 'row' }, retryBtn,
      canRetry ? null : h('span', { class: 'help' }, d.status === 'succeeded' ? 'Delivered: nothing to retry.' : 'Still being retried on schedule.')),
    h('h3', {}, 'Attempts'),
    attempts.length ? h('table', { class: 'list attempts', id: 'attempts' },
      h('thead', {}, h('tr', {}, ['#', 'Time', 'Result', 'HTTP status', 'Duration', 'Error', 'Response'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, attempts.map((a) => h('tr', { dataset: { attempt: String(a.attempt) } },
        h('td', {}, String(a.attempt)),
        h('td', {}, fmtTime(a.attempted_at)),
        h('td', {}, badge(a.status)),
        h('td', {}, a.http_status ? String(a.http_status) : '—'),
        h('td', {}, `${a.latency_ms} ms`),
        h('td', { class: 'small wrap' }, a.error || '—'),
        h('td', {}, a.response ? h('pre', { class: 'snippet' }, a.response) : '—')))))
      : h('p', { class: 'empty' }, d.attempts ? 'The attempts were made before hookflow kept a log of each one; the last one is summed up above.' : 'Not attempted yet.'),
    h('h3', {}, 'Payload'),
    h('pre', { class: 'json' }, d.payload !== undefined ? pretty(d.payload) : (d.payload_base64 ? `(binary, base64) ${d.payload_base64}` : '—')));
}

// waitForAttempt polls until the delivery records an attempt after the
// `before` ones, for up to about 10 s (the retry runs in the background).
async function waitForAttempt(id, before) {
  for (let i = 0; i < 20; i++) {
    const d = await api.get(`/deliveries/${encodeURIComponent(id)}`);
    if (d.attempts > before && d.status !== 'pending') return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
