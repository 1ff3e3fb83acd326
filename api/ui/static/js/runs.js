// Runs: the list (filter by status and workflow, search by a field of the
// event body) and the step-by-step inspector, with each step's attempts
// and a live "attempt 3 of 10, last error …, next attempt in 4 s" line
// while a step retries, retry and cancel, approve/reject for a run waiting
// on an approval, refreshing itself while the run is still going.

import { h, replace, badge, fmtTime, fmtDuration, toast, spinner } from './dom.js';
import * as api from './api.js';
import { errorBox, pageHeader, pager, filterBar, hashQuery, setHashQuery } from './common.js';
import { stepsInspector } from './workflows.js';
import { jsonTree } from './tree.js';
import { runCanvasView } from './runcanvas.js'; // canvas hook (BRANCH=canvas)
import { resumeButton } from './resume.js';

export const RUN_STATUSES = ['running', 'completed', 'failed', 'filtered', 'cancelled', 'timed_out'];
const REFRESH_MS = 2000;

export async function runList(main) {
  const q = hashQuery();
  const body = h('div', {});
  let names = new Map();
  try {
    names = new Map(api.items(await api.get('/workflows', { limit: 500 })).map((w) => [w.id, w.name]));
  } catch {
    // Names are a nicety; the list still works with ids.
  }
  replace(main,
    pageHeader('Runs'),
    filterBar([
      { name: 'status', label: 'Status', options: RUN_STATUSES },
      { name: 'workflow_id', label: 'Workflow', options: [...names.keys()] },
      ...SEARCH_FIELDS,
    ], q, (v) => setHashQuery('#/runs', v)),
    searchHelp(q),
    body);
  // Show workflow names in the workflow filter instead of ids.
  const wfSel = main.querySelector('#flt-workflow_id');
  if (wfSel) for (const o of wfSel.options) if (names.has(o.value)) o.textContent = names.get(o.value);
  await pager(body, (cursor) => api.get('/runs', { ...q, limit: 50, cursor }), (list) => {
    if (!list.length) return h('p', { class: 'empty' }, 'No runs match.');
    return h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Run', 'Workflow', 'Status', 'Started', 'Duration'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.map((r) => h('tr', {},
        h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(r.id)}`, class: r.name ? 'run-name' : 'mono', title: r.id }, r.name || r.id),
          r.name ? h('div', { class: 'muted mono small' }, r.id) : null),
        h('td', {}, h('a', { href: `#/workflows/${encodeURIComponent(r.workflow_id)}`, class: 'wf-name', title: r.workflow_id },
          r.workflow_name || names.get(r.workflow_id) || r.workflow_id), ` v${r.workflow_version}`),
        h('td', {}, badge(r.status)),
        h('td', {}, fmtTime(r.started_at)),
        h('td', {}, fmtDuration(r.started_at, r.ended_at))))));
  });
}

// SEARCH_FIELDS are the body search of the runs and events lists: a field
// picked as a gjson path (customer.email) and the value it must have.
export const SEARCH_FIELDS = [
  { name: 'path', label: 'Event field', placeholder: 'customer.email' },
  { name: 'value', label: 'equals', placeholder: 'ada@example.com' },
];

// searchHelp says how a body search reads the log, while one is on.
export function searchHelp(q) {
  if (!q.path) return null;
  return h('p', { class: 'help', id: 'search-help' },
    `Showing entries whose event has ${q.path} = "${q.value || ''}". Each page looks through up to 10,000 entries, newest first; "Load more" searches further back.`);
}

// retryLine is the live line of a retrying step: "attempt 3 of 10, last
// error: 503 from api.example.com, next attempt in 4 s".
export function retryLine(st, now = Date.now()) {
  const log = st.attempt_log || [];
  const last = log.length ? log[log.length - 1] : {};
  let err = st.last_error || '';
  if (last.http_status) err = `${last.http_status}${last.host ? ` from ${last.host}` : ''}`;
  const secs = st.next_attempt_at ? Math.round((Date.parse(st.next_attempt_at) - now) / 1000) : 0;
  const when = secs > 0 ? `next attempt in ${secs} s` : 'next attempt under way';
  return `attempt ${st.attempt}${st.max_attempts ? ` of ${st.max_attempts}` : ''}, last error: ${err}, ${when}`;
}

// attemptsPanel lists the attempts of the steps that made more than one
// (or are retrying): number, outcome, time, duration, HTTP status, host,
// error and when the next one was due.
function attemptsPanel(steps) {
  const many = steps.filter((st) => st.status === 'retrying' || (st.attempt_count || 0) > 1);
  if (!many.length) return null;
  return [h('h3', {}, 'Attempts'), many.map((st) => h('section', { class: 'attempts', id: `attempts-${st.path}`, 'aria-label': `Attempts of step ${st.path}` },
    h('h4', {}, st.path, ' ', h('span', { class: 'muted' }, `${st.attempt_count} attempt${st.attempt_count === 1 ? '' : 's'}`,
      st.attempt_count > (st.attempt_log || []).length ? ` (the last ${(st.attempt_log || []).length} shown)` : '')),
    h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['#', 'Outcome', 'Started', 'Took', 'HTTP', 'Host', 'Error', 'Next attempt'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, (st.attempt_log || []).map((a) => h('tr', {},
        h('td', {}, String(a.attempt)),
        h('td', {}, badge(a.status)),
        h('td', {}, fmtTime(a.started_at)),
        h('td', {}, `${a.duration_ms} ms`),
        h('td', {}, a.http_status ? String(a.http_status) : '—'),
        h('td', { class: 'mono' }, a.host || '—'),
        h('td', {}, a.error || '—', a.error_class ? h('span', { class: 'muted' }, ` (${a.error_class.replace(/_/g, ' ')})`) : null),
        h('td', {}, a.next_attempt_at ? fmtTime(a.next_attempt_at) : '—')))))))];
}

// runSteps returns the step list of a run body: the API may give the step
// log directly or as a RunLog object.
function runSteps(run) {
  const s = run.steps;
  if (Array.isArray(s)) return s;
  if (s && Array.isArray(s.steps)) return s.steps;
  return [];
}

// waitingApprovals lists the steps of a running run that wait for a human
// decision (a wait_for_event step with approval).
function waitingApprovals(run) {
  if (run.status !== 'running') return [];
  return runSteps(run).filter((st) => st.status === 'waiting' && st.input && typeof st.input === 'object' && 'approval' in st.input);
}

// approvalPanel shows the approval's message with Approve and Reject; the
// decision goes to POST /runs/{id}/approve, and the run continues.
function approvalPanel(id, st, msg, reload) {
  const comment = h('input', { type: 'text', id: `approval-comment-${st.path}`, placeholder: 'Comment (optional)', 'aria-label': 'Comment' });
  const approve = h('button', { type: 'button', class: 'primary', id: `approve-${st.path}` }, 'Approve');
  const reject = h('button', { type: 'button', class: 'danger', id: `reject-${st.path}` }, 'Reject');
  const decide = async (approved) => {
    approve.disabled = true;
    reject.disabled = true;
    try {
      await api.post(`/runs/${encodeURIComponent(id)}/approve`, { approved, comment: comment.value, step: st.path });
      toast(approved ? 'Approved: the run continues.' : 'Rejected: the run continues on its rejection path.', 'ok');
      reload();
    } catch (err) {
      replace(msg, errorBox(err));
      approve.disabled = false;
      reject.disabled = false;
    }
  };
  approve.addEventListener('click', () => decide(true));
  reject.addEventListener('click', () => decide(false));
  return h('div', { class: 'banner', role: 'region', 'aria-label': `Approval for step ${st.path}` },
    h('strong', {}, `Step ${st.path} waits for your approval: `), String(st.input.approval || ''),
    h('div', {}, comment, ' ', approve, ' ', reject));
}

export async function runDetail(main, id, route) {
  let timer = null;
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  route.onLeave(stop);
  const slot = h('div', {}, spinner('Loading run'));
  replace(main, h('a', { href: '#/runs', class: 'back' }, '← Runs'), slot);

  async function load() {
    let run;
    try {
      run = await api.get(`/runs/${encodeURIComponent(id)}`);
    } catch (err) {
      replace(slot, errorBox(err));
      return;
    }
    const running = run.status === 'running';
    const retry = h('button', { type: 'button', id: 'retry', disabled: running }, 'Retry');
    const cancel = h('button', { type: 'button', id: 'cancel', class: 'danger', disabled: !running }, 'Cancel');
    const msg = h('div', { id: 'run-msg', 'aria-live': 'polite' });
    retry.addEventListener('click', async () => {
      retry.disabled = true;
      try {
        const nr = await api.post(`/runs/${encodeURIComponent(id)}/retry`, {});
        toast('Retry started.', 'ok');
        location.hash = `#/runs/${encodeURIComponent(nr.id || nr.run_id)}`;
      } catch (err) {
        replace(msg, errorBox(err));
        retry.disabled = false;
      }
    });
    cancel.addEventListener('click', async () => {
      if (!confirm('Cancel this run? Steps already done are not undone.')) return;
      cancel.disabled = true;
      try {
        await api.post(`/runs/${encodeURIComponent(id)}/cancel`, {});
        toast('Cancellation requested.', 'ok');
        load();
      } catch (err) {
        replace(msg, errorBox(err));
        cancel.disabled = false;
      }
    });
    const steps = runSteps(run);
    const retrying = steps.filter((st) => st.status === 'retrying');
    replace(slot,
      h('div', { class: 'page-head' },
        run.name ? h('h2', { id: 'run-name', title: run.id }, run.name) : h('h2', {}, 'Run ', h('span', { class: 'mono' }, run.id)),
        badge(run.status),
        running ? h('span', { class: 'muted' }, ' refreshing…') : null,
        h('span', { class: 'spacer' }), retry, resumeButton(run, msg), cancel),
      msg,
      h('dl', { class: 'facts' },
        run.name ? [h('dt', {}, 'Run id'), h('dd', { class: 'mono' }, run.id)] : null,
        h('dt', {}, 'Workflow'), h('dd', {}, h('a', { href: `#/workflows/${encodeURIComponent(run.workflow_id)}`, id: 'run-workflow', title: run.workflow_id },
          run.workflow_name || run.workflow_id), ` version ${run.workflow_version}`,
          run.workflow_name ? h('span', { class: 'muted mono small' }, ` ${run.workflow_id}`) : null),
        h('dt', {}, 'Started'), h('dd', {}, fmtTime(run.started_at)),
        h('dt', {}, 'Duration'), h('dd', {}, fmtDuration(run.started_at, run.ended_at)),
        run.event_id ? [h('dt', {}, 'Event'), h('dd', {}, h('a', { href: `#/events/${encodeURIComponent(run.event_id)}`, class: 'mono' }, run.event_id))] : null,
        run.retry_of ? [h('dt', {}, 'Retry of'), h('dd', {}, h('a', { href: `#/runs/${encodeURIComponent(run.retry_of)}`, class: 'mono' }, run.retry_of))] : null),
      run.error ? h('div', { class: 'banner error', role: 'alert' }, h('strong', {}, 'The run failed: '), run.error) : null,
      run.name_warning ? h('div', { class: 'banner', role: 'status' }, h('strong', {}, 'Run name: '), run.name_warning) : null,
      retrying.map((st) => h('div', { class: 'banner retrying', role: 'status', id: `retry-${st.path}` },
        h('strong', {}, `Step ${st.path} is retrying: `), retryLine(st),
        st.last_error ? h('div', { class: 'muted' }, st.last_error) : null)),
      waitingApprovals(run).map((st) => approvalPanel(id, st, msg, load)),
      h('h3', {}, 'Steps'),
      runCanvasView(run, steps), // canvas hook (BRANCH=canvas): the run on the canvas, the list below
      stepsInspector(steps),
      attemptsPanel(steps),
      run.output !== undefined && run.output !== null ? [h('h3', {}, 'Output'), jsonTree(run.output, { label: 'Run output' })] : null);
    stop();
    if (running) timer = setTimeout(load, REFRESH_MS);
  }
  await load();
}
