// Credentials: the masked list, a create form generated from the
// connector's credential spec (secret fields as password inputs, pattern
// help shown), and delete, which names the workflows that still use the
// credential when the API refuses with 409. Connectors the admin enabled
// OAuth 2 for get "Connect <app>" (the browser goes to the provider and
// comes back through /oauth/callback to #/credentials?connected=NAME);
// connections the provider stopped accepting show "Reconnect".
// Edit (uiops) changes a credential in place: fields come from the
// connector's spec, secrets stay masked and unchanged unless retyped, and
// "Rotate a secret" replaces one secret value after a confirmation.

import { h, replace, fmtTime, toast, spinner, field, badge } from './dom.js';
import * as api from './api.js';
import { specControl } from './fields.js';
import { errorBox, pageHeader, pager, hashQuery } from './common.js';
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
  let oauthApps = [];
  try {
    catalog = await api.catalog();
    oauthApps = ((await api.get('/oauth/connectors')).connectors || []).filter((n) => catalog.byName.has(n));
  } catch (err) {
    replace(body, errorBox(err));
    return;
  }
  newBtn.disabled = false;
  const q = hashQuery();
  if (q.connected) toast(`Connected ${q.connected}.`, 'ok');
  if (q.oauth_error) replace(msg, errorBox(new Error(`Connecting the account failed: ${q.oauth_error}`)));
  if (q.new) showForm({ name: q.name, connector: q.new, returnTo: q.return });

  // connect starts the OAuth flow for the credential name (created, or
  // reconnected when it exists) and sends the browser to the provider.
  async function connect(connector, credName) {
    try {
      const res = await api.post(`/oauth/${encodeURIComponent(connector)}/authorize`, { name: credName });
      location.assign(res.authorize_url);
    } catch (err) {
      replace(msg, errorBox(err));
    }
  }
  const titleOf = (n) => (catalog.byName.get(n) || {}).title || n;
  if (oauthApps.length) {
    const connName = h('input', { type: 'text', id: 'connect-name', name: 'connect-name', autocomplete: 'off', placeholder: 'hubspot-acme' });
    formSlot.before(h('div', { class: 'card form', id: 'oauth-connect' },
      h('h3', {}, 'Connect an account'),
      h('p', { class: 'help' }, 'Sign in to the app and grant access; hookflow keeps the tokens encrypted and refreshes them.'),
      field('Name', connName, { help: 'Workflows refer to the credential by this name.' }),
      h('div', { class: 'row' }, oauthApps.map((n) => h('button', {
        type: 'button', class: 'primary', id: `connect-${n}`,
        onclick: () => connect(n, connName.value.trim() || n),
      }, `Connect ${titleOf(n)}`)))));
  }

  // showForm opens the new-credential form, prefilled when a draft's
  // missing-credential link (#/credentials?new=APP&name=NAME&return=WF)
  // sent the user here; saving then goes back to that workflow.
  function showForm(prefill = {}) {
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
      // One control per field name, even if a spec (or the catalog's added
      // base_url) declares a name twice: two "API base URL" inputs would
      // write the same value.
      const fields = (c.credential.fields || []).filter((f, i, all) => all.findIndex((x) => x.name === f.name) === i);
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
        if (prefill.returnTo) {
          location.hash = `#/workflows/${encodeURIComponent(prefill.returnTo)}`;
          return;
        }
        replace(formSlot);
        load();
      } catch (ex) {
        const left = placeErrors(form, (ex.errors || []).map((x) => ({ ...x, path: x.path.replace(/^credential\./, 'values.') })));
        replace(err, errorBox(Object.assign(ex, { errors: left.length ? left : ex.errors })));
      }
    });
    replace(formSlot, form);
    if (prefill.name) name.value = prefill.name;
    if (prefill.connector && catalog.byName.has(prefill.connector)) {
      conn.value = prefill.connector;
      conn.dispatchEvent(new Event('change'));
    }
    name.focus();
  }

  // editForm edits credential c (uiops). Non-secret fields start from
  // the stored values the API shows; secret fields start empty, with the
  // masked hint as placeholder, and only fields the user changed are sent,
  // so an untouched secret keeps its value. The API merges them.
  function editForm(c) {
    const spec = catalog.byName.get(c.connector);
    const fields = (spec && spec.credential && spec.credential.fields) || [];
    const hint = c.hint || {};
    const changed = {};
    const name = h('input', { type: 'text', id: 'edit-cred-name', name: 'name', required: true, autocomplete: 'off', value: c.name, 'data-error-key': 'name' });
    const rows = fields.map((f) => {
      const el = specControl(f, f.secret ? undefined : hint[f.name], (v) => {
        changed[f.name] = v === undefined ? null : v;
      }, { errorKey: `values.${f.name}` });
      if (f.secret) {
        const input = el.querySelector('input, textarea');
        if (input) {
          input.placeholder = hint[f.name] ? `unchanged (${hint[f.name]})` : 'not set';
          input.dataset.secret = f.name;
        }
      }
      return el;
    });
    const secrets = fields.filter((f) => f.secret && !f.name.startsWith('previous_'));
    const rotField = h('select', { id: 'rotate-field', name: 'rotate-field' }, secrets.map((f) => h('option', { value: f.name }, f.title || f.name)));
    const rotValue = h('input', { type: 'password', id: 'rotate-value', name: 'rotate-value', autocomplete: 'new-password', 'data-error-key': 'rotate' });
    const err = h('div', {});
    const rotate = secrets.length ? h('fieldset', { class: 'rotate' },
      h('legend', {}, 'Rotate a secret'),
      h('p', { class: 'help', id: 'rotate-help' }, 'Replaces the secret with a new value; steps and triggers use the new one from their next call. ' +
        (fields.some((f) => f.name.startsWith('previous_'))
          ? 'Where this app has a "previous" field, the old value moves there and is still accepted while the sender switches; clear it when done.'
          : 'The old value stops working at once.')),
      field('Secret to rotate', rotField),
      field('New value', rotValue),
      h('button', {
        type: 'button', class: 'danger', id: 'rotate-secret',
        onclick: async () => {
          const f = rotField.value;
          if (!rotValue.value) {
            placeErrors(form, [{ path: 'rotate', message: 'Type the new secret value.' }]);
            rotValue.focus();
            return;
          }
          const keeps = fields.some((x) => x.name === `previous_${f}`);
          if (!confirm(`Rotate ${f} of "${c.name}"? ${keeps ? `The old value moves to previous_${f} and is still accepted until you clear it.` : 'The old value stops working at once.'}`)) return;
          try {
            const res = await api.post(`/credentials/${encodeURIComponent(c.id)}/rotate`, { field: f, value: rotValue.value });
            toast(res.kept_previous ? `Secret ${f} rotated; the old one is kept as ${res.kept_previous}.` : `Secret ${f} rotated.`, 'ok');
            replace(formSlot);
            load();
          } catch (ex) {
            const left = placeErrors(form, (ex.errors || []).map((x) => ({ ...x, path: x.path === 'value' ? 'rotate' : x.path.replace(/^credential\./, 'values.') })));
            replace(err, errorBox(Object.assign(ex, { errors: left.length ? left : ex.errors })));
          }
        },
      }, 'Rotate secret')) : null;
    const form = h('form', { class: 'card form', id: 'edit-credential', 'aria-label': `Edit credential ${c.name}`, novalidate: true },
      h('h3', {}, `Edit ${c.name}`),
      h('p', { class: 'help' }, 'Leave a secret empty to keep it. Renaming breaks workflows that use the old name until you update them.'),
      field('Name', name, { required: true }),
      rows, err,
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'primary', id: 'save-credential' }, 'Save changes'),
        h('button', { type: 'button', onclick: () => replace(formSlot) }, 'Cancel')),
      rotate);
    async function save(values, done) {
      const body = {};
      if (name.value.trim() !== c.name) body.name = name.value.trim();
      if (Object.keys(values).length) body.values = values;
      if (!Object.keys(body).length) {
        toast('Nothing changed.', 'ok');
        return;
      }
      try {
        await api.patch(`/credentials/${encodeURIComponent(c.id)}`, body);
        toast(done, 'ok');
        replace(formSlot);
        load();
      } catch (ex) {
        const left = placeErrors(form, (ex.errors || []).map((x) => ({ ...x, path: x.path.replace(/^credential\./, 'values.') })));
        replace(err, errorBox(Object.assign(ex, { errors: left.length ? left : ex.errors })));
      }
    }
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      save({ ...changed }, 'Credential saved.');
    });
    replace(formSlot, form);
    name.focus();
  }

  async function load() {
    await pager(body, (cursor) => api.get('/credentials', { limit: 100, cursor }), (list) => {
      if (!list.length) return h('p', { class: 'empty' }, 'No credentials yet.');
      return h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['Name', 'App', 'Values', 'Updated', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, list.map((c) => h('tr', { dataset: { credential: c.name } },
          h('td', {}, h('strong', {}, c.name), c.status ? [' ', badge(c.status === 'reconnect' ? 'reconnect_needed' : c.status)] : null,
            c.status === 'reconnect' || c.status === 'disconnected'
              ? h('div', { class: 'help' }, `${titleOf(c.connector)} no longer accepts this connection; steps using it fail until you reconnect.`) : null),
          h('td', {}, (catalog.byName.get(c.connector) || {}).title || c.connector),
          h('td', { class: 'mono small' }, Object.entries(c.hint || {}).map(([k, v]) => h('div', {}, `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`))),
          h('td', {}, fmtTime(c.updated_at)),
          h('td', {},
            (c.status === 'reconnect' || c.status === 'disconnected') && oauthApps.includes(c.connector)
              ? h('button', { type: 'button', class: 'small primary', id: `reconnect-${c.name}`, onclick: () => connect(c.connector, c.name) },
                `Reconnect ${titleOf(c.connector)}`) : null,
            c.status === 'connected' ? h('button', {
              type: 'button', class: 'small', 'aria-label': `Disconnect credential ${c.name}`,
              onclick: async () => {
                if (!confirm(`Disconnect "${c.name}"? The app's tokens are revoked and deleted.`)) return;
                try {
                  const res = await api.post(`/credentials/${encodeURIComponent(c.id)}/disconnect`);
                  toast(res.revocation_error ? `Disconnected; ${res.revocation_error}` : 'Disconnected.', 'ok');
                  load();
                } catch (err) {
                  replace(msg, errorBox(err));
                }
              },
            }, 'Disconnect') : null,
            c.status ? null : h('button', {
              type: 'button', class: 'small', id: `edit-${c.name}`, 'aria-label': `Edit credential ${c.name}`,
              onclick: () => editForm(c),
            }, 'Edit'),
            h('button', {
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
