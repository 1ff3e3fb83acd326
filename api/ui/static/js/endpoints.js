// Endpoint settings (#/endpoints/ID): the webhook URL with copy, rotating
// it (optionally keeping the old URL working for a grace period), enable
// and disable, and the limits: rate limit and burst, IP allowlist (one
// address or CIDR a line, each bad line reported on the field by the
// API), and the body cap.

import { h, replace, fmtTime, toast, spinner, field, copyText } from './dom.js';
import * as api from './api.js';
import { errorBox, pageHeader } from './common.js';
import { placeErrors } from './steps.js';

// GRACE_CHOICES are the rotation choices; the API takes any duration up
// to 30 days.
const GRACE_CHOICES = [
  ['', 'No grace: the old URL stops at once'],
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['7d', '7 days'],
  ['30d', '30 days'],
];

// allowlistLines reads the allowlist textarea: one entry a line, blank
// lines and surrounding spaces dropped.
export function allowlistLines(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

// lineErrors names the textarea line of each allowlist error
// (ip_allowlist[1] is line 2), since the field shows them together.
export function lineErrors(errors) {
  return errors.map((e) => {
    const m = /^ip_allowlist\[(\d+)\]$/.exec(e.path || '');
    return m ? { ...e, message: `line ${Number(m[1]) + 1}: ${e.message}` } : e;
  });
}

export async function endpointSettings(main, id) {
  const msg = h('div', { 'aria-live': 'polite' });
  const slot = h('div', {}, spinner());
  replace(main, pageHeader('Endpoint settings'), msg, slot);
  let ep;
  let wf;
  try {
    ep = await api.get(`/endpoints/${encodeURIComponent(id)}`);
    wf = await api.get(`/workflows/${encodeURIComponent(ep.workflow_id)}`).catch(() => null);
  } catch (err) {
    replace(slot, errorBox(err));
    return;
  }
  const reload = () => endpointSettings(main, id);
  if (wf) {
    main.querySelector('.page-head').append(h('a', { class: 'button', href: `#/workflows/${encodeURIComponent(wf.id)}` }, `← ${wf.name}`));
  }

  // --- URL and rotation -------------------------------------------------
  const url = h('input', { type: 'text', id: 'endpoint-url', readOnly: true, value: ep.url, class: 'mono' });
  const grace = h('select', { id: 'rotate-grace', name: 'grace', 'data-error-key': 'grace' },
    GRACE_CHOICES.map(([v, label]) => h('option', { value: v }, label)));
  const rotateBtn = h('button', { type: 'button', class: 'danger', id: 'rotate' }, 'Rotate URL');
  const urlCard = h('section', { class: 'card form', 'aria-labelledby': 'url-title' },
    h('h3', { id: 'url-title' }, 'Webhook URL'),
    field('URL', url, { help: 'Anyone who knows this URL can send events to it; signed providers are still verified.' }),
    h('div', { class: 'row' }, h('button', {
      type: 'button', class: 'small', id: 'copy-endpoint-url',
      onclick: async () => toast(await copyText(ep.url) ? 'Webhook URL copied.' : 'Could not copy: select the URL and copy it.', 'ok'),
    }, 'Copy URL')),
    ep.previous_url ? h('div', { class: 'banner warn', id: 'previous-url' },
      h('p', {}, `The previous URL keeps working until ${fmtTime(ep.previous_token_until)}. Events that arrive through it are marked "received via previous-url" in the event log.`),
      h('p', { class: 'mono small wrap' }, ep.previous_url)) : null,
    h('h4', {}, 'Rotate'),
    h('p', { class: 'help' }, 'Rotating gives the endpoint a new URL. Update the sending app with it; choose a grace period to keep the old URL working meanwhile.'),
    field('Keep the old URL working for', grace),
    h('div', { class: 'row' }, rotateBtn));
  rotateBtn.addEventListener('click', async () => {
    const g = grace.value;
    const what = g ? `The old URL keeps working for ${grace.selectedOptions[0].textContent}.` : 'The old URL stops working at once.';
    if (!confirm(`Rotate the webhook URL? ${what}`)) return;
    try {
      await api.post(`/endpoints/${encodeURIComponent(id)}/rotate`, g ? { grace: g } : {});
      toast('New URL created. Update the sending app.', 'ok');
      reload();
    } catch (err) {
      const left = placeErrors(urlCard, err.errors || []);
      replace(msg, left.length || !(err.errors || []).length ? errorBox(err) : null);
    }
  });

  // --- enable / disable -------------------------------------------------
  const stateCard = h('section', { class: 'card form', 'aria-labelledby': 'state-title' },
    h('h3', { id: 'state-title' }, 'Status'),
    h('p', { id: 'endpoint-state' }, ep.enabled ? 'Enabled: deliveries are accepted.' : 'Disabled: the URL answers 404 and nothing is logged.'),
    h('button', {
      type: 'button', id: 'toggle-endpoint', class: ep.enabled ? 'danger' : 'primary',
      onclick: async () => {
        if (ep.enabled && !confirm('Disable this endpoint? Deliveries are refused until you enable it again.')) return;
        try {
          await api.post(`/endpoints/${encodeURIComponent(id)}/${ep.enabled ? 'disable' : 'enable'}`);
          toast(ep.enabled ? 'Endpoint disabled.' : 'Endpoint enabled.', 'ok');
          reload();
        } catch (err) {
          replace(msg, errorBox(err));
        }
      },
    }, ep.enabled ? 'Disable endpoint' : 'Enable endpoint'));

  // --- limits -----------------------------------------------------------
  const rate = h('input', { type: 'number', id: 'rate-limit', name: 'rate_limit', min: '0', step: 'any', value: String(ep.rate_limit ?? 0), 'data-error-key': 'rate_limit' });
  const burst = h('input', { type: 'number', id: 'rate-burst', name: 'rate_burst', min: '0', step: '1', value: String(ep.rate_burst ?? 0), 'data-error-key': 'rate_burst' });
  const allow = h('textarea', { id: 'ip-allowlist', name: 'ip_allowlist', rows: '4', class: 'mono', spellcheck: 'false', 'data-error-key': 'ip_allowlist' });
  allow.value = (ep.ip_allowlist || []).join('\n');
  const cap = h('input', { type: 'number', id: 'max-body-bytes', name: 'max_body_bytes', min: '1', step: '1', value: String(ep.max_body_bytes), 'data-error-key': 'max_body_bytes' });
  const form = h('form', { class: 'card form', 'aria-labelledby': 'limits-title', novalidate: true },
    h('h3', { id: 'limits-title' }, 'Limits'),
    field('Rate limit (events per second)', rate, { help: '0 means no limit. Over the limit the sender gets 429 with Retry-After.' }),
    field('Burst', burst, { help: 'How many events may arrive at once above the rate.' }),
    field('IP allowlist', allow, { help: 'One address or CIDR a line, such as 203.0.113.0/24. Empty: every address is allowed.' }),
    field('Body cap (bytes)', cap, { help: `Larger deliveries are refused with 413. Default ${1 << 20} (1 MiB).` }),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', id: 'save-endpoint' }, 'Save limits')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      rate_limit: Number(rate.value || 0),
      rate_burst: Math.trunc(Number(burst.value || 0)),
      ip_allowlist: allowlistLines(allow.value),
      max_body_bytes: Math.trunc(Number(cap.value || 0)),
    };
    try {
      await api.patch(`/endpoints/${encodeURIComponent(id)}`, body);
      placeErrors(form, []);
      form.classList.remove('has-error'); // placeErrors clears only inside the form
      replace(msg);
      toast('Endpoint limits saved.', 'ok');
    } catch (err) {
      const left = placeErrors(form, lineErrors(err.errors || []));
      replace(msg, left.length || !(err.errors || []).length ? errorBox(err) : null);
    }
  });

  replace(slot, urlCard, stateCard, form);
}
