// Workflows: the list, and the editor (visual steps, trigger panel with
// the webhook URL and "listen for a test event", raw JSON, save with
// validation errors placed on the fields they name, activate, test run).

import { h, replace, badge, fmtTime, toast, copyText, field, spinner } from './dom.js';
import * as api from './api.js';
import { stepList, placeErrors, placeWarnings, stepIdsOnPath, parentPath } from './steps.js';
import { specControl, textControl, selectControl, conditionControl } from './fields.js';
import { setPreviewContext, refreshPreviews } from './preview.js';
import { outputsOf } from './picker.js';
import { pickerPanel } from './pickerpanel.js';
import { jsonTree } from './tree.js';
import { errorBox, pageHeader, pager } from './common.js';
import { importButton } from './templates.js';
// canvas hook (BRANCH=canvas)
import { flowCanvas } from './canvas.js';

export async function workflowList(main) {
  const body = h('div', {}, spinner());
  const msg = h('div', { 'aria-live': 'polite' });
  replace(main,
    pageHeader('Workflows', importButton(msg), h('a', { class: 'button primary', href: '#/templates', id: 'new-workflow' }, '+ New workflow')),
    msg, body);
  await pager(body, (cursor) => api.get('/workflows', { limit: 50, cursor }), (list) => {
    if (!list.length) {
      return h('div', { class: 'empty' }, h('p', {}, 'No workflows yet.'),
        h('div', { class: 'row' },
          h('a', { class: 'button primary', href: '#/templates' }, 'Start from a template'),
          h('a', { class: 'button', href: '#/workflows/new' }, 'Create your first workflow from scratch')));
    }
    const rows = list.map((w) => {
      const last = h('td', { class: 'last-run' }, '…');
      api.get('/runs', { workflow_id: w.id, limit: 1 }).then((p) => {
        const r = api.items(p)[0];
        replace(last, r ? h('a', { href: `#/runs/${encodeURIComponent(r.id)}` }, badge(r.status), ' ', fmtTime(r.started_at)) : 'never run');
      }).catch(() => replace(last, '—'));
      return h('tr', {},
        h('td', {}, h('a', { href: `#/workflows/${encodeURIComponent(w.id)}` }, w.name || w.id)),
        h('td', {}, w.active ? badge('active') : badge(w.draft ? 'draft' : 'inactive')),
        h('td', {}, `v${w.current_version}`),
        last,
        h('td', {}, fmtTime(w.updated_at)));
    });
    return h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['Name', 'Status', 'Version', 'Last run', 'Updated'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows));
  });
}

// VIEW_KEY remembers the editor view (canvas, list) the user chose last.
const VIEW_KEY = 'hookflow.editorView'; // canvas hook (BRANCH=canvas)

const BLANK = () => ({
  name: 'My workflow',
  trigger: { type: 'webhook', connector: 'webhook' },
  steps: [],
});

// workflowEditor shows one workflow (id) or a new one (id === 'new').
export async function workflowEditor(main, id) {
  replace(main, spinner('Loading workflow'));
  let wf = null;
  let def;
  let catalog;
  let kinds;
  let credentials = [];
  let workflows = [];
  try {
    const loads = [api.catalog(), api.stepKinds(), api.get('/credentials', { limit: 500 }), api.get('/workflows', { limit: 500 })];
    if (id !== 'new') loads.push(api.get(`/workflows/${encodeURIComponent(id)}`));
    const [cat, kds, creds, wfs, got] = await Promise.all(loads);
    catalog = cat;
    kinds = kds;
    credentials = api.items(creds);
    workflows = api.items(wfs).filter((w) => w.id !== id);
    wf = got || null;
    def = wf ? structuredClone(wf.definition) : BLANK();
  } catch (err) {
    replace(main, errorBox(err));
    return;
  }
  def.steps = def.steps || [];
  def.trigger = def.trigger || { type: 'manual' };

  // sampleUnsaved: the sample was chosen or captured here and is sent
  // with the next save, so a catalog sample is kept with the workflow.
  // lastRun: step outputs of the last test run, by step id, for the
  // picker and the live previews (uibuild).
  const state = { sample: null, sampleUnsaved: false, dirty: false, lastErrors: [], lastWarnings: [], lastRun: {} };
  const ctx = {
    def, catalog, kinds, credentials, workflows,
    open: new Set(),
    rerender: () => renderVisual(),
  };
  setPreviewContext({ def, catalog, sample: () => state.sample, lastRun: () => state.lastRun });
  const picker = pickerPanel(() => ({ def, catalog, sample: state.sample, lastRun: state.lastRun }));

  const banner = h('div', { class: 'banner-slot', 'aria-live': 'polite' });
  const visual = h('div', { class: 'visual' });
  const jsonArea = h('textarea', { class: 'mono json-editor', rows: 30, spellcheck: 'false', 'aria-label': 'Workflow definition JSON', 'data-error-key': '' });
  const jsonErr = h('div', { class: 'json-errors', role: 'alert' });
  const jsonPane = h('div', { class: 'json-pane', hidden: true },
    h('p', { class: 'help' }, 'The definition as JSON, exactly as the API and `hookflow apply` take it. Edits here replace the visual editor\'s state when you switch back or save.'),
    jsonArea, jsonErr);
  const tabVisual = h('button', { type: 'button', role: 'tab', 'aria-selected': 'true', id: 'tab-visual', 'aria-controls': 'pane-visual' }, 'List');
  const tabJSON = h('button', { type: 'button', role: 'tab', 'aria-selected': 'false', id: 'tab-json', 'aria-controls': 'pane-json' }, 'JSON');
  visual.id = 'pane-visual';
  jsonPane.id = 'pane-json';
  visual.setAttribute('role', 'tabpanel');
  jsonPane.setAttribute('role', 'tabpanel');

  // The JSON tab is the source of truth while it is shown.
  const jsonShown = () => !jsonPane.hidden;
  function syncFromJSON() {
    if (!jsonShown()) return true;
    try {
      const parsed = JSON.parse(jsonArea.value);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the definition must be a JSON object');
      for (const k of Object.keys(def)) delete def[k];
      Object.assign(def, parsed);
      def.steps = def.steps || [];
      def.trigger = def.trigger || { type: 'manual' };
      replace(jsonErr);
      return true;
    } catch (err) {
      replace(jsonErr, h('p', { class: 'field-error' }, `The JSON does not parse: ${err.message}`));
      return false;
    }
  }
  // --- canvas hook (BRANCH=canvas): three views of one definition. The
  // canvas is the default; the last view chosen is remembered.
  const canvasPane = h('div', { id: 'pane-canvas', role: 'tabpanel', class: 'canvas-pane' });
  const tabCanvas = h('button', { type: 'button', role: 'tab', 'aria-selected': 'false', id: 'tab-canvas', 'aria-controls': 'pane-canvas' }, 'Canvas');
  let view = ['canvas', 'list', 'json'].includes(localStorage.getItem(VIEW_KEY)) ? localStorage.getItem(VIEW_KEY) : 'canvas';
  if (view === 'json') view = 'canvas';
  const canvasShown = () => view === 'canvas';
  ctx.triggerForm = () => triggerForm();
  ctx.errors = () => state.lastErrors;
  ctx.placeErrors = () => { if (state.lastErrors.length) placeErrors(main, state.lastErrors); };
  const canvas = flowCanvas(canvasPane, ctx);
  function showTab(json) {
    showView(json ? 'json' : 'list');
  }
  function showView(next) {
    if (next !== 'json' && !syncFromJSON()) return;
    view = next;
    localStorage.setItem(VIEW_KEY, next);
    if (next === 'json') jsonArea.value = JSON.stringify(def, null, 2);
    jsonPane.hidden = next !== 'json';
    visual.hidden = next !== 'list';
    canvasPane.hidden = next !== 'canvas';
    tabCanvas.setAttribute('aria-selected', String(next === 'canvas'));
    tabVisual.setAttribute('aria-selected', String(next === 'list'));
    tabJSON.setAttribute('aria-selected', String(next === 'json'));
    // Only the shown view keeps its forms, so a field's error key is on
    // the page once.
    if (next !== 'list') replace(visual);
    if (next !== 'canvas') canvas.hide();
    if (next !== 'json') renderVisual();
  }
  tabCanvas.addEventListener('click', () => showView('canvas'));
  tabVisual.addEventListener('click', () => showView('list'));
  tabJSON.addEventListener('click', () => showView('json'));
  // --- end canvas hook

  // --- header: name, active toggle, actions -------------------------------
  const nameInput = h('input', { type: 'text', id: 'wf-name', class: 'title-input', 'data-error-key': 'name', autocomplete: 'off' });
  nameInput.value = def.name || '';
  nameInput.addEventListener('input', () => { def.name = nameInput.value; });
  const activeBox = h('input', { type: 'checkbox', id: 'wf-active', role: 'switch', checked: !!(wf && wf.active), disabled: !wf });
  activeBox.addEventListener('change', async () => {
    const want = activeBox.checked;
    activeBox.disabled = true;
    try {
      wf = await api.post(`/workflows/${encodeURIComponent(wf.id)}/${want ? 'activate' : 'deactivate'}`);
      toast(want ? 'Workflow activated: new events start runs.' : 'Workflow deactivated.', 'ok');
      replace(banner);
      draftBtn.hidden = wf.active;
      showDraft();
    } catch (err) {
      activeBox.checked = !want;
      showError(err, 'activating');
    } finally {
      activeBox.disabled = false;
      activeBox.checked = !!(wf && wf.active);
    }
  });
  const versionLabel = h('span', { class: 'muted' }, wf ? `version ${wf.current_version}` : 'not saved yet');
  const saveBtn = h('button', { type: 'button', class: 'primary', id: 'save' }, wf ? 'Save' : 'Create workflow');
  const validateBtn = h('button', { type: 'button', id: 'validate' }, 'Check');
  // An active workflow must stay complete, so only inactive ones offer it.
  const draftBtn = h('button', { type: 'button', id: 'save-draft', hidden: !!(wf && wf.active), title: 'Save even if incomplete; a draft never runs until activated' }, 'Save draft');
  const deleteBtn = wf ? h('button', { type: 'button', class: 'danger', id: 'delete' }, 'Delete') : null;
  // Export downloads the saved definition as a file: the same JSON the
  // API, `hookflow apply` and Import take.
  const exportBtn = wf ? h('button', { type: 'button', id: 'export' }, 'Export') : null;
  if (exportBtn) {
    exportBtn.addEventListener('click', async () => {
      try {
        const text = await api.getText(`/workflows/${encodeURIComponent(wf.id)}/export`);
        const a = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'application/json' })), download: `${fileSlug(wf.name)}.json`, hidden: true });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 0);
      } catch (err) {
        showError(err);
      }
    });
  }

  function showError(err, doing = 'saving') {
    const errs = err instanceof api.ApiError ? err.errors : [];
    state.lastErrors = errs;
    // Open every card on an error path so the field is visible.
    for (const e of errs) for (const sid of stepIdsOnPath(def, e.path || '')) ctx.open.add(sid);
    if (errs.length && !jsonShown()) renderVisual();
    const unplaced = placeErrors(main, errs);
    if (jsonShown()) showJSONErrors(errs);
    const list = h('ul', {}, errs.map((e) => h('li', {},
      h('a', {
        href: '#', class: 'err-path',
        onclick: (ev) => {
          ev.preventDefault();
          focusPath(e.path);
        },
      }, e.path || '(definition)'), `: ${e.message}`, e.position ? h('span', { class: 'pos' }, ` (${e.position})`) : null)));
    replace(banner, h('div', { class: 'banner error', role: 'alert' },
      h('strong', {}, errs.length ? `${errs.length} problem${errs.length > 1 ? 's' : ''} to fix before ${doing}` : (err.title || 'Something went wrong')),
      h('p', {}, err.detail && errs.length ? '' : err.message),
      errs.length ? list : null,
      unplaced.length && !jsonShown() ? h('p', { class: 'help' }, 'Problems without a field here are shown in the JSON tab too.') : null));
  }
  function showJSONErrors(errs) {
    replace(jsonErr, errs.map((e) => h('p', { class: 'field-error' }, `${e.path || '(definition)'}: ${e.message}${e.position ? ` (line:col ${e.position})` : ''}`)));
    // A parse error's position is a line:col in the document: put the cursor there.
    const withPos = errs.find((e) => /^\d+:\d+$/.test(e.position || ''));
    if (withPos) {
      const [line, col] = withPos.position.split(':').map(Number);
      const lines = jsonArea.value.split('\n');
      let off = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
      off += Math.max(0, col - 1);
      jsonArea.setSelectionRange(off, off);
    }
  }
  function focusPath(path) {
    if (canvasShown()) canvas.reveal(path); // canvas hook (BRANCH=canvas)
    let p = path || '';
    while (p) {
      const el = main.querySelector(`[data-error-key="${CSS.escape(p)}"]`);
      if (el) {
        const ctl = el.matches('input,select,textarea') ? el : el.querySelector('input,select,textarea');
        el.scrollIntoView({ block: 'center' });
        if (ctl) ctl.focus();
        return;
      }
      p = parentPath(p);
    }
    showTab(true);
  }

  // save validates in full, as always; saveDraft keeps an incomplete
  // workflow (no steps yet, an unfinished step, a credential still to
  // create) as an inactive draft that never runs, so its webhook URL and
  // listen mode exist from the moment the trigger is chosen.
  async function save(asDraft) {
    if (!syncFromJSON()) return;
    def.name = nameInput.value;
    saveBtn.disabled = true;
    draftBtn.disabled = true;
    const body = { definition: def };
    if (asDraft) body.draft = true;
    const sendSample = state.sampleUnsaved && def.trigger && def.trigger.type === 'webhook' && state.sample !== null && typeof state.sample === 'object';
    if (sendSample) body.sample = state.sample;
    try {
      if (wf) {
        wf = await api.put(`/workflows/${encodeURIComponent(wf.id)}`, body);
      } else {
        wf = await api.post('/workflows', body);
        toast(wf.draft ? 'Draft saved: its webhook URL is ready.' : 'Workflow created.', 'ok');
        location.hash = `#/workflows/${encodeURIComponent(wf.id)}`;
        return;
      }
      if (sendSample) state.sampleUnsaved = false;
      toast(wf.draft ? `Draft saved as version ${wf.current_version}.` : `Saved as version ${wf.current_version}.`, 'ok');
      versionLabel.textContent = `version ${wf.current_version}`;
      state.lastErrors = [];
      placeErrors(main, []);
      replace(banner);
      showDraft();
      renderTriggerSide();
    } catch (err) {
      showError(err);
    } finally {
      saveBtn.disabled = false;
      draftBtn.disabled = false;
      draftBtn.hidden = !!(wf && wf.active);
    }
  }
  saveBtn.addEventListener('click', () => save(false));
  draftBtn.addEventListener('click', () => save(true));
  validateBtn.addEventListener('click', async () => {
    if (!syncFromJSON()) return;
    try {
      const res = await api.post('/workflows/validate', { definition: def });
      if (res && res.valid === false) {
        throw new api.ApiError(422, { title: 'The definition has problems', errors: res.errors });
      }
      state.lastErrors = [];
      placeErrors(main, []);
      state.lastWarnings = (res && res.warnings) || [];
      placeWarnings(main, state.lastWarnings);
      replace(banner, state.lastWarnings.length
        ? h('div', { class: 'banner warn', role: 'status' },
          h('strong', {}, `No problems found, but ${state.lastWarnings.length} field${state.lastWarnings.length > 1 ? 's read' : ' reads'} data the sample does not have:`),
          h('ul', {}, state.lastWarnings.map((w) => h('li', {}, h('a', { href: '#', class: 'err-path', onclick: (ev) => { ev.preventDefault(); focusPath(w.path); } }, w.path || '(definition)'), `: ${w.message}`))))
        : h('div', { class: 'banner ok', role: 'status' }, 'No problems found.'));
    } catch (err) {
      showError(err);
    }
  });
  if (deleteBtn) {
    deleteBtn.addEventListener('click', async () => {
      if (!confirm(`Delete workflow "${def.name}"? Its runs and events are kept.`)) return;
      try {
        await api.del(`/workflows/${encodeURIComponent(wf.id)}`);
        toast('Workflow deleted.', 'ok');
        location.hash = '#/workflows';
      } catch (err) {
        showError(err);
      }
    });
  }

  // showDraft lists, beside the Active switch, what a draft still needs
  // before it can be activated; each item focuses its field.
  const draftPanel = h('div', { class: 'draft-slot', 'aria-live': 'polite' });
  function showDraft() {
    if (!wf || wf.active || !wf.draft) {
      replace(draftPanel);
      activeBox.removeAttribute('aria-describedby');
      return;
    }
    const missing = wf.missing || [];
    activeBox.setAttribute('aria-describedby', 'draft-missing');
    replace(draftPanel, h('div', { class: 'banner warn', id: 'draft-missing' },
      h('strong', {}, `Draft: ${missing.length} thing${missing.length === 1 ? '' : 's'} to finish before it can be activated`),
      h('p', { class: 'help' }, 'A draft is saved but never runs. Its webhook URL and listen mode already work.'),
      h('ul', {}, missing.map((e) => h('li', {},
        h('a', { href: '#', class: 'err-path', onclick: (ev) => { ev.preventDefault(); focusPath(e.path); } }, e.path || '(definition)'),
        `: ${e.message}`, createCredentialLink(e))))));
  }
  // createCredentialLink offers, for a credential the draft names but
  // nobody saved yet, a link to the credential form prefilled with its
  // name and app; saving it comes back here.
  function createCredentialLink(e) {
    if (!/(^|\.)credential$/.test(e.path || '')) return null;
    const owner = valueAt(wf.definition, parentPath(e.path));
    const name = valueAt(wf.definition, e.path);
    if (!owner || typeof name !== 'string' || !name || credentials.some((c) => c.name === name)) return null;
    const q = new URLSearchParams({ new: owner.connector || '', name, return: wf.id });
    const app = (catalog.byName.get(owner.connector) || {}).title || owner.connector || 'the app';
    return h('a', { class: 'button small create-cred', href: `#/credentials?${q}`, dataset: { credential: name } }, `Create ${name} (${app})`);
  }

  // --- side panel: webhook URL, listen, sample tree, test run -------------
  const side = h('aside', { class: 'side', 'aria-label': 'Trigger and test event' });
  function renderTriggerSide() {
    const t = def.trigger || {};
    const conn = catalog.byName.get(t.connector);
    const trig = conn && (conn.triggers || [])[0];
    const ep = wf && wf.endpoints && wf.endpoints[0];
    const parts = [h('h3', {}, 'Webhook')];
    if (t.type !== 'webhook') {
      parts.push(h('p', { class: 'help' }, t.type === 'schedule' ? 'This workflow runs on a schedule.' : 'This workflow is started by hand or by another workflow.'));
    } else if (!ep) {
      parts.push(h('p', { class: 'help' }, 'Save the workflow (a draft is fine) to get its webhook URL.'));
    } else {
      const url = h('input', { type: 'text', id: 'webhook-url', readOnly: true, value: ep.url, class: 'mono' });
      parts.push(field('Webhook URL', url, { help: ep.enabled === false ? 'This endpoint is disabled.' : 'Paste this URL into the sending app.' }));
      parts.push(h('button', {
        type: 'button', class: 'small', id: 'copy-url',
        onclick: async () => toast(await copyText(ep.url) ? 'Webhook URL copied.' : 'Could not copy: select the URL and copy it.', 'ok'),
      }, 'Copy URL'));
      // uiops: rotate, rate limit, allowlist, body cap, enable/disable.
      parts.push(h('a', { class: 'button small', id: 'endpoint-settings', href: `#/endpoints/${encodeURIComponent(ep.id)}` }, 'Endpoint settings'));
    }
    if (trig && trig.setup) {
      parts.push(h('details', { class: 'setup', open: !state.sample },
        h('summary', {}, `How to connect ${conn.title || conn.name}`),
        h('div', { class: 'setup-text' }, setupParagraphs(trig.setup).map((p) => h('p', {}, p)))));
    }
    const listenBtn = h('button', { type: 'button', id: 'listen', disabled: !ep }, 'Listen for a test event');
    const listenStatus = h('p', { class: 'help', 'aria-live': 'polite' });
    let abort = null;
    listenBtn.addEventListener('click', async () => {
      if (abort) {
        abort.abort();
        return;
      }
      abort = new AbortController();
      listenBtn.textContent = 'Stop listening';
      replace(listenStatus, spinner('Listening'), ' Waiting for the next delivery to the webhook URL… send a test event from the app now.');
      try {
        // The API long-polls: it answers when a delivery arrives, or 408/204 at its timeout.
        for (;;) {
          // 200 with the delivery, or 204 (null) when none came in time: ask again.
          const got = await api.request('POST', `/endpoints/${encodeURIComponent(ep.id)}/listen`, { query: { timeout: '30s' }, signal: abort.signal });
          if (got) {
            setSample(sampleBody(got));
            // Listen mode saved it on the endpoint already.
            state.sampleUnsaved = false;
            replace(listenStatus, `Captured an event at ${fmtTime(got.received_at || new Date().toISOString())}.`);
            break;
          }
        }
      } catch (err) {
        if (err.name !== 'AbortError') replace(listenStatus, h('span', { class: 'field-error' }, api.errorLines(err).join(' ')));
        else replace(listenStatus, 'Stopped listening.');
      } finally {
        abort = null;
        listenBtn.textContent = 'Listen for a test event';
      }
    });
    parts.push(h('div', { class: 'row' }, listenBtn), listenStatus);

    if (trig && trig.samples && Object.keys(trig.samples).length) {
      const sel = h('select', { 'aria-label': 'Use a sample event from the catalog' },
        h('option', { value: '' }, 'Or use a sample event…'),
        Object.keys(trig.samples).map((k) => h('option', { value: k }, k)));
      sel.addEventListener('change', () => {
        if (!sel.value) return;
        setSample(trig.samples[sel.value]);
        state.sampleUnsaved = true;
      });
      parts.push(sel);
    }
    parts.push(picker.el);
    parts.push(testPanel);
    replace(side, parts);
  }
  // The picker shows the sample and earlier steps' outputs for the
  // focused field (pickerpanel.js); previews re-evaluate on a new sample.
  function setSample(body) {
    state.sample = body;
    picker.update();
    refreshPreviews();
    testBtn.disabled = !wf;
  }

  const testOut = h('div', { class: 'test-out' });
  const testBtn = h('button', { type: 'button', id: 'test-run', disabled: true }, 'Test run with the sample');
  const liveBox = h('input', { type: 'checkbox', id: 'test-live' });
  const testPanel = h('div', { class: 'test' },
    h('h3', {}, 'Test run'),
    h('p', { class: 'help' }, 'Runs the saved version with the sample event. Actions return their sample output unless "live" is on.'),
    h('div', { class: 'row' }, testBtn, h('label', { class: 'check' }, liveBox, ' live (really call the apps)')),
    testOut);
  testBtn.addEventListener('click', async () => {
    if (!wf || state.sample === null) return;
    testBtn.disabled = true;
    replace(testOut, spinner('Running'));
    try {
      const res = await api.post(`/workflows/${encodeURIComponent(wf.id)}/test`, { event: state.sample, live: liveBox.checked });
      state.lastRun = outputsOf(res.steps);
      picker.update();
      refreshPreviews();
      replace(testOut, h('p', {}, 'Result: ', badge(res.status)), res.error ? h('p', { class: 'field-error' }, res.error) : null,
        stepsInspector(res.steps || []));
      canvas.setRun({ status: res.status, steps: res.steps || [] }); // canvas hook (BRANCH=canvas)
    } catch (err) {
      replace(testOut, errorBox(err));
    } finally {
      testBtn.disabled = false;
    }
  });

  // --- trigger form + steps ------------------------------------------------
  function triggerForm() {
    const t = def.trigger;
    const conn = catalog.byName.get(t.connector);
    const trig = conn && (conn.triggers || [])[0];
    const kids = [
      selectControl('Starts when', t, 'type', [['webhook', 'a webhook arrives'], ['schedule', 'on a schedule'], ['manual', 'started by hand']], {
        errorKey: 'trigger.type', empty: null,
        onChange: () => {
          if (t.type !== 'webhook') {
            for (const k of ['connector', 'credential', 'events', 'respond', 'respond_timeout', 'order_key', 'options']) delete t[k];
          }
          if (t.type === 'schedule') t.schedule = t.schedule || { every: '1h' };
          else delete t.schedule;
          renderVisual();
          renderTriggerSide();
        },
      }),
    ];
    if (t.type === 'webhook') {
      const withTriggers = catalog.list.filter((c) => (c.triggers || []).length);
      kids.push(selectControl('App', t, 'connector', withTriggers.map((c) => [c.name, c.title || c.name]), {
        errorKey: 'trigger.connector', empty: '(choose the app that sends webhooks)',
        onChange: () => {
          delete t.credential;
          delete t.events;
          delete t.options;
          renderVisual();
          renderTriggerSide();
        },
      }));
      if (conn && conn.credential) {
        kids.push(selectControl('Credential (signing secret)', t, 'credential',
          credentials.filter((c) => c.connector === t.connector).map((c) => [c.name, c.name]), {
            errorKey: 'trigger.credential', empty: '(choose a saved credential)',
            help: 'The credential holding the webhook signing secret. Add one on the Credentials page.',
          }));
      }
      if (trig && trig.events && trig.events.length) {
        const evSel = h('select', { multiple: true, size: Math.max(3, Math.min(8, trig.events.length)), name: 'events' },
          trig.events.map((e) => h('option', { value: e, selected: (t.events || []).includes(e) }, e)));
        evSel.addEventListener('change', () => {
          const v = [...evSel.selectedOptions].map((o) => o.value);
          if (v.length) t.events = v;
          else delete t.events;
        });
        kids.push(field('Only these events', evSel, { errorKey: 'trigger.events', help: 'Leave empty for every event. Ctrl/⌘-click to choose several.' }));
      } else {
        const evIn = h('input', { type: 'text', name: 'events', placeholder: 'order.created, order.paid', autocomplete: 'off' });
        evIn.value = (t.events || []).join(', ');
        evIn.addEventListener('input', () => {
          const l = evIn.value.split(',').map((x) => x.trim()).filter(Boolean);
          if (l.length) t.events = l;
          else delete t.events;
        });
        kids.push(field('Only these event types', evIn, { errorKey: 'trigger.events', help: 'Comma-separated; empty for every event.' }));
      }
      kids.push(conditionControl('Only when (filter)', t, 'filter', { errorKey: 'trigger.filter', placeholder: 'trigger.amount >= 100', help: 'Optional: other events are logged but start no run.' }));
      kids.push(selectControl('Reply to the sender', t, 'respond', [['immediate', 'at once with 202 (default)'], ['on_complete', 'when a respond step (or the run) finishes']], { errorKey: 'trigger.respond', empty: '(at once)' }));
      kids.push(textControl('Run in order by', t, 'order_key', { errorKey: 'trigger.order_key', pick: 'gjson-body', placeholder: 'data.object.customer', help: 'Optional path into the event: events with the same value run one after another.' }));
      const optFields = (trig && trig.options && trig.options.fields) || [];
      if (optFields.length) {
        const fs = h('fieldset', { class: 'sub', dataset: { errorKey: 'trigger.options' } }, h('legend', {}, 'Options'));
        for (const f of optFields) {
          fs.appendChild(specControl(f, t.options ? t.options[f.name] : undefined, (v) => {
            t.options = t.options || {};
            if (v === undefined) delete t.options[f.name];
            else t.options[f.name] = v;
            if (!Object.keys(t.options).length) delete t.options;
          }, { errorKey: `trigger.options.${f.name}` }));
        }
        kids.push(fs);
      }
    } else if (t.type === 'schedule') {
      t.schedule = t.schedule || {};
      kids.push(h('div', { class: 'grid2' },
        textControl('Every', t.schedule, 'every', { errorKey: 'trigger.schedule.every', placeholder: '15m, 1h, 1d' }),
        textControl('…or cron', t.schedule, 'cron', { errorKey: 'trigger.schedule.cron', placeholder: '0 9 * * 1-5' })),
      textControl('Time zone', t.schedule, 'timezone', { errorKey: 'trigger.schedule.timezone', placeholder: 'Europe/Berlin (default UTC)' }));
    }
    return h('section', { class: ['card', 'trigger-card'], dataset: { errorKey: 'trigger' }, 'aria-label': 'Trigger' },
      h('div', { class: 'card-head' }, h('span', { class: 'kind k-trigger' }, 'Trigger'), h('strong', {}, 'When this happens…')),
      h('ul', { class: 'card-errors', role: 'alert' }),
      h('div', { class: 'card-body' }, kids));
  }

  function renderVisual() {
    // Keep the scroll position across re-renders.
    const y = window.scrollY;
    if (canvasShown()) { // canvas hook (BRANCH=canvas)
      canvas.render();
      window.scrollTo(0, y);
      return;
    }
    replace(visual,
      triggerForm(),
      h('h3', { class: 'steps-title' }, '…then do this'),
      stepList(def.steps, 'steps', ctx));
    if (state.lastErrors.length) placeErrors(main, state.lastErrors);
    if (state.lastWarnings.length) placeWarnings(main, state.lastWarnings);
    window.scrollTo(0, y);
  }

  replace(main,
    h('div', { class: 'editor-head' },
      h('a', { href: '#/workflows', class: 'back' }, '← Workflows'),
      field('Workflow name', nameInput),
      h('label', { class: 'switch', for: 'wf-active' }, activeBox, h('span', {}, 'Active')),
      versionLabel,
      h('span', { class: 'spacer' }),
      validateBtn, draftBtn, saveBtn, exportBtn,
      // uiops: the version history page.
      wf ? h('a', { class: 'button', id: 'history-link', href: `#/workflows/${encodeURIComponent(wf.id)}/history` }, 'History') : null,
      deleteBtn),
    banner,
    draftPanel,
    h('div', { class: 'editor' },
      h('div', { class: 'editor-main' },
        h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Editor view' }, tabCanvas, tabVisual, tabJSON),
        canvasPane, visual, jsonPane),
      side));
  showView(view); // canvas hook (BRANCH=canvas): draws the chosen view
  renderTriggerSide();
  picker.follow(visual);
  picker.update();
  showDraft();
  // The sample kept with the workflow (captured or chosen from the
  // catalog) seeds the field picker; older servers only had the event log.
  if (wf && wf.sample !== undefined && wf.sample !== null) {
    setSample(wf.sample);
  } else if (wf && wf.endpoints && wf.endpoints[0] && wf.endpoints[0].sample_at) {
    api.get('/events', { endpoint_id: wf.endpoints[0].id, limit: 1 })
      .then((p) => api.items(p)[0])
      .then((ev) => ev && api.get(`/events/${encodeURIComponent(ev.id)}`))
      .then((ev) => ev && state.sample === null && setSample(sampleBody(ev)))
      .catch(() => {});
  }
}

// valueAt reads a definition path such as "steps[2].branches[0].credential".
function valueAt(obj, path) {
  let v = obj;
  for (const part of (path || '').split(/\.|\[(\d+)\]/).filter((x) => x !== undefined && x !== '')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

// fileSlug turns a workflow name into a file name, as the API's export does.
function fileSlug(name) {
  return (name || '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80).replace(/-$/, '') || 'workflow';
}

// setupParagraphs splits setup instructions into paragraphs: at blank
// lines and before numbered steps ("1. … 2. …"), so a numbered list
// written on one line still reads as a list.
function setupParagraphs(text) {
  return text.split(/\n+|\s(?=\d{1,2}\.\s)/).map((p) => p.trim()).filter(Boolean);
}

// sampleBody takes a captured delivery ({body, headers, …}) or a bare body.
export function sampleBody(got) {
  if (got && typeof got === 'object' && ('body' in got || 'body_text' in got || 'body_base64' in got)) {
    if (got.body === undefined) return got.body_text !== undefined ? got.body_text : `(binary, base64) ${got.body_base64}`;
    const b = got.body;
    if (typeof b === 'string') {
      try {
        return JSON.parse(b);
      } catch {
        return b;
      }
    }
    return b;
  }
  return got;
}

// stepsInspector renders a run's step log: one row per step with status,
// timings, attempts, and its input, output and error.
export function stepsInspector(steps) {
  if (!steps.length) return h('p', { class: 'help' }, 'No step has run.');
  return h('ol', { class: 'inspector' }, steps.map((s) => h('li', { class: ['insp-step', `st-${s.status}`], dataset: { path: s.path || s.id } },
    h('details', { open: s.status === 'failed' || s.status === 'filtered' },
      h('summary', {},
        badge(s.status), ' ',
        h('strong', {}, s.path || s.id), ' ',
        h('span', { class: 'muted' }, s.type || ''),
        s.mocked ? h('span', { class: 'tag' }, 'sample output') : null,
        s.attempts > 1 ? h('span', { class: 'tag' }, `${s.attempts} attempts`) : null,
        h('span', { class: 'muted right' }, s.started_at ? `${fmtTime(s.started_at)} · ${durationOf(s)}` : '')),
      s.error ? h('div', { class: 'step-error' }, h('strong', {}, 'Error'), s.error_class ? ` (${s.error_class})` : '', ': ', s.error) : null,
      filterWhy(s),
      h('div', { class: 'io' },
        h('div', {}, h('h5', {}, 'Input'), s.input !== undefined ? jsonTree(s.input, { label: `Input of ${s.path || s.id}` }) : h('p', { class: 'muted' }, '—')),
        h('div', {}, h('h5', {}, 'Output'), s.output !== undefined ? jsonTree(s.output, { label: `Output of ${s.path || s.id}` }) : h('p', { class: 'muted' }, '—')))))));
}

// filterWhy says why a filter stopped the run: the values of the fields
// its condition read, as the step's output records them (uibuild).
function filterWhy(s) {
  const o = s.output;
  if (!o || typeof o !== 'object' || o.passed !== false) return null;
  const vals = o.values && typeof o.values === 'object' ? Object.entries(o.values) : [];
  return h('div', { class: 'filter-why', role: 'note' },
    h('strong', {}, 'Stopped here: '), 'the condition was false',
    vals.length ? [' with these values:', h('ul', {}, vals.map(([k, v]) => h('li', {},
      h('code', {}, k), ' = ', h('code', {}, v === null ? 'null' : JSON.stringify(v)), v === null ? h('span', { class: 'muted' }, ' (absent or empty)') : null)))] : '.');
}

function durationOf(s) {
  if (!s.started_at) return '';
  const a = new Date(s.started_at).getTime();
  const b = s.ended_at ? new Date(s.ended_at).getTime() : Date.now();
  const ms = Math.max(0, b - a);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

