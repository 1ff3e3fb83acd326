// The field picker beside the editor: the sample event and the output of
// every step that runs before the field being edited (picker.js decides
// which), each as a tree whose fields insert a reference into that field
// (tree.js). It follows the focus: clicking into a field of step 3 shows
// the trigger and steps 1 and 2.

import { h, replace } from './dom.js';
import { jsonTree } from './tree.js';
import { pickSources, stepPathOf } from './picker.js';

// pickerPanel returns { el, update(), follow(root) }. ctx() gives
// { def, sample, lastRun, catalog } at the time of drawing.
export function pickerPanel(ctx) {
  const el = h('div', { class: 'sample picker', 'aria-live': 'polite' });
  let fieldPath = '';
  let drawnFor = null;

  function update(force = true) {
    const key = stepPathOf(fieldPath);
    if (!force && key === drawnFor) return;
    drawnFor = key;
    const c = ctx();
    const sources = pickSources(c.def, fieldPath, { sample: c.sample, lastRun: c.lastRun, catalog: c.catalog });
    const parts = [h('h3', {}, 'Fields you can use')];
    parts.push(h('p', { class: 'help' }, key
      ? `For step ${stepLabel(c.def, key)}: the trigger and every step before it. Click into a field of a step, then click a field below to insert it.`
      : 'Click into a field of a step, then click a field below to insert it. A field of a later step also offers the outputs of the steps before it.'));
    if (!sources.length) parts.push(h('p', { class: 'muted' }, 'Choose or capture a sample event to see its fields here.'));
    for (const s of sources) {
      if (s.root === 'trigger') {
        parts.push(h('h4', {}, 'Sample event'), jsonTree(s.value, { root: 'trigger', label: 'Sample event fields' }));
        continue;
      }
      const how = s.source === 'test run' ? 'from the last test run' : s.source === 'sample output' ? "the action's sample output" : '';
      parts.push(h('h4', { class: 'pick-step' }, `Step ${s.id}`, how ? h('span', { class: 'muted small' }, ` · ${how}`) : null));
      if (s.value === undefined) {
        parts.push(h('p', { class: 'muted small' }, 'Output not known yet: save and use "Test run with the sample" to see it.'));
      } else {
        parts.push(jsonTree(s.value, { root: s.root, label: `Output fields of step ${s.id}` }));
      }
    }
    replace(el, parts);
  }

  // follow tracks the focused pickable field of root's editor.
  function follow(root) {
    root.addEventListener('focusin', (e) => {
      const t = e.target;
      if (!(t instanceof HTMLElement) || !t.dataset.pick) return;
      const keyed = t.dataset.errorKey ? t : t.closest('[data-error-key]');
      fieldPath = keyed ? keyed.dataset.errorKey : '';
      update(false);
    });
  }
  return { el, update, follow };
}

function stepLabel(def, path) {
  let list = def.steps || [];
  let step = null;
  for (const m of path.matchAll(/(?:branches\[(\d+)\]\.)?[a-z_]+\[(\d+)\]/g)) {
    if (m[1] !== undefined && step) list = ((step.branches || [])[Number(m[1])] || {}).steps || [];
    else if (step) list = step.steps || [];
    step = list[Number(m[2])];
    if (!step) return path;
  }
  return step && step.id ? step.id : path;
}
