// Version history of a workflow (#/workflows/ID/history): every saved
// version with its time, author (the API key that saved it) and hash, a diff between any two (in words and
// as a line diff of the pretty JSON, from diff.js), and "Restore this
// version", which saves the old definition as a new version: history is
// never rewritten.

import { h, replace, fmtTime, toast, spinner } from './dom.js';
import * as api from './api.js';
import { errorBox, pageHeader } from './common.js';
import { describeChanges, lineDiff, stableStringify, diffStats } from './diff.js';

const MAX_VERSIONS = 200;

export async function versionHistory(main, id) {
  const msg = h('div', { 'aria-live': 'polite' });
  const listSlot = h('div', {}, spinner());
  const diffSlot = h('section', { id: 'version-diff', 'aria-label': 'Differences between the chosen versions' });
  const back = h('a', { class: 'button', href: `#/workflows/${encodeURIComponent(id)}` }, '← Back to the workflow');
  replace(main, pageHeader('Version history', back), msg, listSlot, diffSlot);

  let wf;
  let versions = [];
  try {
    wf = await api.get(`/workflows/${encodeURIComponent(id)}`);
    let cursor = '';
    do {
      const page = await api.get(`/workflows/${encodeURIComponent(id)}/versions`, { limit: 100, cursor });
      versions.push(...api.items(page));
      cursor = api.nextCursor(page);
    } while (cursor && versions.length < MAX_VERSIONS);
  } catch (err) {
    replace(listSlot, errorBox(err));
    return;
  }
  main.querySelector('h2').textContent = `Version history · ${wf.name}`;
  versions.sort((x, y) => y.version - x.version);
  // Compare the previous version with the current one by default.
  let older = versions.length > 1 ? versions[1].version : versions[0].version;
  let newer = versions[0].version;

  const cache = new Map();
  const load = (n) => {
    if (!cache.has(n)) {
      cache.set(n, api.get(`/workflows/${encodeURIComponent(id)}/versions/${n}`).catch((err) => {
        cache.delete(n);
        throw err;
      }));
    }
    return cache.get(n);
  };

  async function restore(v) {
    if (!confirm(`Restore version ${v.version}? It is saved as a new version ${wf.current_version + 1}; every version stays in the history.` +
      (wf.active ? ' The workflow is active: the next event runs the restored definition.' : ''))) return;
    try {
      const res = await api.post(`/workflows/${encodeURIComponent(id)}/versions/${v.version}/restore`);
      if (res.current_version === wf.current_version) toast(`Version ${v.version} is already the current definition.`, 'ok');
      else toast(`Version ${v.version} restored as version ${res.current_version}.`, 'ok');
      replace(msg);
      versionHistory(main, id);
    } catch (err) {
      replace(msg, errorBox(err));
    }
  }

  function renderList() {
    const radio = (name, v, checked, label) => h('input', {
      type: 'radio', name, value: String(v.version), checked, 'aria-label': label,
      id: `${name}-${v.version}`,
      onchange: () => {
        if (name === 'older') older = v.version;
        else newer = v.version;
        showDiff();
      },
    });
    replace(listSlot, h('table', { class: 'list versions' },
      h('caption', { class: 'help' }, 'Choose any two versions to compare them: one in "From", one in "To".'),
      h('thead', {}, h('tr', {}, ['From', 'To', 'Version', 'Saved', 'Author', 'Hash', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, versions.map((v) => h('tr', { dataset: { version: String(v.version) } },
        h('td', {}, radio('older', v, v.version === older, `Compare from version ${v.version}`)),
        h('td', {}, radio('newer', v, v.version === newer, `Compare to version ${v.version}`)),
        h('td', {}, h('strong', {}, `v${v.version}`), v.version === wf.current_version ? [' ', h('span', { class: 'badge st-current' }, 'current')] : null),
        h('td', {}, fmtTime(v.created_at)),
        h('td', { class: 'wrap' }, v.author || h('span', { class: 'help', title: 'Saved before hookflow recorded authors, or without an API key' }, 'unknown')),
        h('td', { class: 'mono small', title: v.hash }, (v.hash || '').replace(/^sha256:/, '').slice(0, 12)),
        h('td', {}, v.version === wf.current_version ? null : h('button', {
          type: 'button', class: 'small', id: `restore-${v.version}`,
          'aria-label': `Restore version ${v.version}`, onclick: () => restore(v),
        }, 'Restore this version')))))));
  }

  async function showDiff() {
    const [from, to] = [older, newer];
    replace(diffSlot, spinner('Comparing versions'));
    let a;
    let b;
    try {
      [a, b] = await Promise.all([load(from), load(to)]);
    } catch (err) {
      replace(diffSlot, errorBox(err));
      return;
    }
    if (from !== older || to !== newer) return; // the user chose again meanwhile
    const words = describeChanges(a.definition, b.definition);
    const lines = lineDiff(stableStringify(a.definition), stableStringify(b.definition));
    const st = diffStats(lines);
    replace(diffSlot,
      h('h3', {}, `Changes from v${from} to v${to}`),
      from === to ? h('p', { class: 'help' }, 'You chose the same version twice; choose two different versions.') : null,
      h('ul', { class: 'changes', id: 'diff-words' },
        words.length ? words.map((w) => h('li', {}, w)) : h('li', {}, 'No changes: the two definitions are the same.')),
      h('p', { class: 'help' }, `${st.added} line${st.added === 1 ? '' : 's'} added, ${st.removed} removed.`),
      h('div', { class: 'diff-lines', id: 'diff-lines', role: 'table', 'aria-label': `Line diff of v${from} and v${to}` },
        lines.map((l) => h('div', {
          role: 'row',
          class: ['diff-line', l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same'],
        },
        h('span', { role: 'cell', class: 'ln' }, l.a ?? ''),
        h('span', { role: 'cell', class: 'ln' }, l.b ?? ''),
        h('span', { role: 'cell', class: 'op', 'aria-label': l.op === '+' ? 'added' : l.op === '-' ? 'removed' : 'unchanged' }, l.op),
        h('span', { role: 'cell', class: 'code' }, l.text)))));
  }

  renderList();
  showDiff();
}
