// Credentials: the masked list, a create form generated from the
// connector's credential spec (secret fields as password inputs, pattern
// help shown), and delete, which names the workflows that still use the
// credential when the API refuses with 409.

import { h, replace, fmtTime, toast, spinner, field } from './dom.js';
import * as api from './api.js';
import { specControl } from './fields.js';
import { errorBox, pageHeader, pager } from './common.js';
import { placeErrors } from './steps.js';

export async function credentialList(main) {
  const body = h('div', {});
  const formSlot = h('div', {});
  const msg = h('div', { 'aria-live': 'polite' });
  // Enabled once the catalog has loaded: the form is built from it.
  const newBtn = h('button', { type: 'button', class: 'primary', id: 'new-credential', disabled: true, onclick: () => showForm() }, '+ New credential');
  replace(main,
    pageHeader('Credentials', newBtn),
    h('p', { class: 'help' }, 'API tokens and webhook signing secrets, encrypted at rest. Secret values are never shown again after saving.'),
    msg, formSlot, body);

  let catalog;
  try {
    catalog = await api.catalog();
  } catch (err) {
    replace(body, errorBox(err));
    return;
  }
  newBtn.disabled = false;

  function showForm() {
    const withCreds = catalog.list.filter((c) => c.credential);
    const values = {};
    const name = h('input', { type: 'text', id: 'cred-name', name: 'name', required: true, autocomplete: 'off', placeholder: 'stripe-live', 'data-error-key': 'name' });
    const conn = h('select', { id: 'cred-connector', name: 'connector', required: true, 'data-error-key': 'connector' },
      h('option', { value: '' }, '(choose an app)'), withCreds.map((c) => h('option', { value: c.name }, c.title || c.name)));
    const specSlot = h('div', {});
    conn.addEventListener('change', () => {
      for (const k of Object.keys(values)) delete values[k];
      const c = catalog.byName.get(conn.value);
      if (!c) {
        replace(specSlot);
        return;
      }
      const fields = c.credential.fields || [];
      // A field with a "when" condition applies only while another field
      // (a mode) has one of its values: it is hidden otherwise, and its
      // value is dropped so the API never sees a field of another mode.
      const applies = (f) => {
        if (!f.when) return true;
        const ctl = fields.find((x) => x.name === f.when.field);
        const cur = values[f.when.field] ?? (ctl ? ctl.default : undefined);
        return (f.when.values || []).includes(cur);
      };
      const rows = fields.map((f) => ({ f, el: specControl(f, undefined, (v) => {
        if (v === undefined) delete values[f.name];
        else values[f.name] = v;
        if (fields.some((x) => x.when && x.when.field === f.name)) sync();
      }, { errorKey: `values.${f.name}` }) }));
      const sync = () => {
        for (const { f, el } of rows) {
          const on = applies(f);
          el.hidden = !on;
          el.dataset.when = on ? 'on' : 'off';
          if (!on) delete values[f.name];
        }
      };
      sync();
      const forActions = fields.filter((f) => f.for_actions);
      replace(specSlot,
        forActions.length ? h('p', { class: 'help', id: 'cred-actions-note' },
          `Only needed to run ${c.title || c.name} actions: ${forActions.map((f) => f.title || f.name).join(', ')}. ` +
          'A credential used only for the trigger can leave them empty.') : null,
        rows.map((r) => r.el));
      if (!name.value) name.value = `${c.name}`;
    });
    const err = h('div', {});
    const form = h('form', { class: 'card form', 'aria-label': 'New credential', novalidate: true },
      h('h3', {}, 'New credential'),
      field('Name', name, { help: 'Workflows refer to the credential by this name.', required: true }),
      field('App', conn, { required: true }),
      specSlot, err,
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'primary' }, 'Save credential'),
        h('button', { type: 'button', onclick: () => replace(formSlot) }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api.post('/credentials', { name: name.value.trim(), connector: conn.value, values });
        toast('Credential saved.', 'ok');
        replace(formSlot);
        load();
      } catch (ex) {
        const left = placeErrors(form, (ex.errors || []).map((x) => ({ ...x, path: x.path.replace(/^credential\./, 'values.') })));
        replace(err, errorBox(Object.assign(ex, { errors: left.length ? left : ex.errors })));
      }
    });
    replace(formSlot, form);
    name.focus();
  }

  async function load() {
    await pager(body, (cursor) => api.get('/credentials', { limit: 100, cursor }), (list) => {
      if (!list.length) return h('p', { class: 'empty' }, 'No credentials yet.');
      return h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['Name', 'App', 'Values', 'Updated', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, list.map((c) => h('tr', {},
          h('td', {}, h('strong', {}, c.name)),
          h('td', {}, (catalog.byName.get(c.connector) || {}).title || c.connector),
          h('td', { class: 'mono small' }, Object.entries(c.hint || {}).map(([k, v]) => h('div', {}, `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`))),
          h('td', {}, fmtTime(c.updated_at)),
          h('td', {}, h('button', {
            type: 'button', class: 'small danger', 'aria-label': `Delete credential ${c.name}`,
            onclick: async () => {
              if (!confirm(`Delete credential "${c.name}"?`)) return;
              try {
                await api.del(`/credentials/${encodeURIComponent(c.id)}`);
                toast('Credential deleted.', 'ok');
                replace(msg);
                load();
              } catch (err) {
                replace(msg, errorBox(err));
              }
            },
          }, 'Delete'))))));
    });
  }
  replace(body, spinner());
  await load();
}
