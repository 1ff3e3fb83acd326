// The template gallery ("New workflow"): the example workflows shipped
// with hookflow, each with the apps it uses and the credentials it needs
// (derived by the API from the definition). Using one saves a draft and
// opens it, where the draft panel walks through the missing credentials.
// Importing a workflow file does the same for a file exported elsewhere.

import { h, replace, toast, spinner } from './dom.js';
import * as api from './api.js';
import { errorBox, pageHeader } from './common.js';

export async function templateGallery(main) {
  const body = h('div', {}, spinner('Loading templates'));
  const msg = h('div', { 'aria-live': 'polite' });
  replace(main,
    pageHeader('New workflow',
      h('a', { class: 'button', href: '#/workflows/new', id: 'start-blank' }, 'Start from scratch'),
      importButton(msg)),
    h('p', { class: 'help' }, 'Start from a template: it is saved as a draft that never runs until you activate it, and the editor lists the credentials still to create.'),
    msg, body);
  let list;
  let catalog;
  try {
    [list, catalog] = await Promise.all([api.get('/templates'), api.catalog()]);
  } catch (err) {
    replace(body, errorBox(err));
    return;
  }
  const title = (n) => (catalog.byName.get(n) || {}).title || n;
  replace(body, h('ul', { class: 'gallery', 'aria-label': 'Templates' }, api.items(list).map((t) => {
    const use = h('button', { type: 'button', class: 'primary', id: `use-${t.id}` }, 'Use this template');
    use.addEventListener('click', async () => {
      use.disabled = true;
      try {
        const wf = await api.post(`/templates/${encodeURIComponent(t.id)}/use`);
        toast(`Draft "${wf.name}" created from the template.`, 'ok');
        location.hash = `#/workflows/${encodeURIComponent(wf.id)}`;
      } catch (err) {
        replace(msg, errorBox(err));
        use.disabled = false;
      }
    });
    const creds = t.credentials || [];
    return h('li', { class: 'card template', dataset: { template: t.id } },
      h('h3', {}, t.name),
      h('p', {}, t.description || ''),
      h('p', { class: 'apps' }, h('span', { class: 'muted' }, 'Apps: '), (t.connectors || []).map((c) => h('span', { class: 'tag' }, title(c)))),
      creds.length
        ? h('div', { class: 'needs' }, h('span', { class: 'muted' }, 'Credentials: '),
          h('ul', {}, creds.map((c) => h('li', { class: c.saved ? 'cred-saved' : 'cred-missing' },
            `${c.name} (${title(c.connector)}) `, h('span', { class: 'muted' }, c.saved ? '✓ saved' : 'to create')))))
        : h('p', { class: 'muted' }, 'No credentials needed.'),
      h('div', { class: 'row' }, use));
  })));
}

// importButton is a labelled file input: the chosen workflow file (JSON)
// is saved as a new draft and opened.
export function importButton(msg) {
  const input = h('input', { type: 'file', id: 'import-file', accept: '.json,application/json', class: 'offscreen' });
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    try {
      const text = await file.text();
      try {
        JSON.parse(text);
      } catch (err) {
        throw new api.ApiError(422, { title: 'The file is not a workflow', detail: `${file.name} is not JSON: ${err.message}` });
      }
      const wf = await api.request('POST', '/workflows/import', { body: text });
      toast(`Imported "${wf.name}" as a draft.`, 'ok');
      location.hash = `#/workflows/${encodeURIComponent(wf.id)}`;
    } catch (err) {
      replace(msg, errorBox(err));
    } finally {
      input.value = '';
    }
  });
  return h('label', { class: 'button', for: 'import-file', id: 'import-label', tabindex: '0',
    onkeydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); input.click(); } } },
  'Import a file', input);
}
