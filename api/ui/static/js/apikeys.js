// API keys (#/api-keys, admins only): the list with scope, prefix and
// last use; create a key with a scope (its plaintext is shown once, with
// copy); revoke with confirmation. Revoking the key this browser signed
// in with signs it out on its next request.

import { h, replace, fmtTime, toast, spinner, field, badge, copyText } from './dom.js';
import * as api from './api.js';
import { errorBox, pageHeader, pager } from './common.js';
import { placeErrors } from './steps.js';

const SCOPES = [
  ['viewer', 'viewer: read workflows, runs, events and deliveries'],
  ['editor', 'editor: also change workflows, credentials and endpoints'],
  ['admin', 'admin: also manage API keys'],
];

export async function apiKeyList(main) {
  const msg = h('div', { 'aria-live': 'polite' });
  const created = h('div', { 'aria-live': 'polite' });
  const body = h('div', {}, spinner());
  const name = h('input', { type: 'text', id: 'key-name', name: 'name', required: true, autocomplete: 'off', placeholder: 'ci-deploy', 'data-error-key': 'name' });
  const scope = h('select', { id: 'key-scope', name: 'scope', 'data-error-key': 'scope' }, SCOPES.map(([v, label]) => h('option', { value: v }, label)));
  const form = h('form', { class: 'card form', 'aria-labelledby': 'new-key-title', novalidate: true },
    h('h3', { id: 'new-key-title' }, 'New API key'),
    field('Name', name, { help: 'Who or what uses the key, so you know which one to revoke.', required: true }),
    field('Scope', scope, { help: 'Give the narrowest scope that works.' }),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', id: 'create-key' }, 'Create key')));
  replace(main, pageHeader('API keys'),
    h('p', { class: 'help' }, 'Keys sign in to this UI and call the REST API as a bearer token. Only a hash is stored: a key is shown once, when it is created.'),
    msg, form, created, body);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!name.value.trim()) {
      placeErrors(form, [{ path: 'name', message: 'Give the key a name.' }]);
      name.focus();
      return;
    }
    try {
      const k = await api.post('/api-keys', { name: name.value.trim(), scope: scope.value });
      placeErrors(form, []);
      form.classList.remove('has-error'); // placeErrors clears only inside the form
      name.value = '';
      const keyBox = h('input', { type: 'text', id: 'new-key-value', readOnly: true, class: 'mono', value: k.key });
      replace(created, h('div', { class: 'banner ok', id: 'new-key', role: 'status' },
        h('strong', {}, `Key "${k.name}" (${k.scope}) created.`),
        h('p', {}, 'Copy it now: it is not shown again.'),
        field('Key', keyBox),
        h('div', { class: 'row' },
          h('button', {
            type: 'button', class: 'small primary', id: 'copy-key',
            onclick: async () => toast(await copyText(k.key) ? 'Key copied.' : 'Could not copy: select the key and copy it.', 'ok'),
          }, 'Copy key'),
          h('button', { type: 'button', class: 'small', onclick: () => replace(created) }, 'Done, hide it'))));
      keyBox.select();
      load();
    } catch (err) {
      const left = placeErrors(form, err.errors || []);
      replace(msg, left.length || !(err.errors || []).length ? errorBox(err) : null);
    }
  });

  async function load() {
    await pager(body, (cursor) => api.get('/api-keys', { limit: 100, cursor }), (list) => {
      if (!list.length) return h('p', { class: 'empty' }, 'No API keys.');
      return h('table', { class: 'list', id: 'api-keys' },
        h('thead', {}, h('tr', {}, ['Name', 'Scope', 'Key starts with', 'Created', 'Last used', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, list.map((k) => h('tr', { dataset: { key: k.name } },
          h('td', {}, h('strong', {}, k.name), k.revoked_at ? [' ', badge('revoked')] : null),
          h('td', {}, k.scope),
          h('td', { class: 'mono small' }, `${k.prefix}…`),
          h('td', {}, fmtTime(k.created_at)),
          h('td', {}, fmtTime(k.last_used_at)),
          h('td', {}, k.revoked_at ? h('span', { class: 'help' }, `Revoked ${fmtTime(k.revoked_at)}`) : h('button', {
            type: 'button', class: 'small danger', id: `revoke-${k.id}`, 'aria-label': `Revoke key ${k.name}`,
            onclick: async () => {
              if (!confirm(`Revoke key "${k.name}"? Everything using it is refused from now on. This cannot be undone.`)) return;
              try {
                await api.del(`/api-keys/${encodeURIComponent(k.id)}`);
                toast(`Key "${k.name}" revoked.`, 'ok');
                replace(msg);
                load();
              } catch (err) {
                replace(msg, errorBox(err));
              }
            },
          }, 'Revoke'))))));
    });
  }
  await load();
}
