// The visual step editor: the definition's step graph drawn as cards in
// list order, with foreach bodies and parallel branches nested inside their
// step and branch/switch/next targets shown as arrows.
//
// Every form is generated from data: a step's fields come from its kind's
// spec (GET /api/v1/step-kinds: name, JSON type, format, title, help,
// example, default, required, sub-fields), an action's input from the
// connector catalog. Nothing here knows a kind by name: which fields a
// kind takes, how a run flows after it and what each field means all come
// from the spec, which the server's validation uses too.
//
// The editor edits the definition object in place. Structural changes
// (add, remove, move, change of kind or connector) call ctx.rerender();
// typing only updates the object, so focus and the cursor stay put.

import { h, field } from './dom.js';
import { specControl, textControl, numberControl, selectControl, jsonControl, kvControl, conditionControl } from './fields.js';

// allStepIds collects every step id in the definition (ids are unique
// across nested lists too).
export function allStepIds(steps, out = new Set()) {
  for (const s of steps || []) {
    if (s && s.id) out.add(s.id);
    if (s && s.steps) allStepIds(s.steps, out);
    for (const b of (s && s.branches) || []) allStepIds(b.steps, out);
  }
  return out;
}

// newStep is a fresh step of kind with an unused id: nested step lists
// start empty, and a list of parts that needs some (cases, branches)
// starts with as many as its spec's min_items.
export function newStep(kind, def, kinds) {
  const ids = allStepIds(def.steps);
  let n = 1;
  while (ids.has(`${kind}_${n}`)) n += 1;
  const s = { id: `${kind}_${n}`, type: kind };
  const spec = kinds.byKind.get(kind);
  for (const f of (spec && spec.fields) || []) {
    if (f.option) continue;
    if (f.format === 'steps') s[f.name] = [];
    else if (f.type === 'array' && f.fields && f.min_items) {
      s[f.name] = Array.from({ length: f.min_items }, (_, i) => newElement(f, i));
    }
  }
  return s;
}

// newElement is a fresh element of an array of objects: its step lists
// empty, a required name (the only patterned part, like a branch name)
// numbered, every other text part blank for the user to fill in.
function newElement(f, i) {
  const e = {};
  for (const sub of f.fields) {
    if (sub.format === 'steps') e[sub.name] = [];
    else if (sub.required && sub.pattern) e[sub.name] = `${singular(f.name)}_${i + 1}`;
    else if (sub.type === 'string' || sub.type === 'any') e[sub.name] = '';
  }
  return e;
}

// singular names one element of a list field: branches → branch, cases →
// case, Headers → Header.
function singular(name) {
  return /(ch|sh|x)es$/.test(name) ? name.slice(0, -2) : name.replace(/s$/, '');
}

function example(f) {
  const v = f.example !== undefined ? f.example : f.default;
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const fieldOf = (fields, format) => fields.find((f) => f.format === format);

// stepSummary is the one-line description shown on a collapsed card: the
// connector and action of an action step, otherwise the first texts the
// step's own fields hold.
function stepSummary(s, spec, cat) {
  if (!spec) return '';
  const own = spec.fields.filter((f) => !f.option);
  const connF = fieldOf(own, 'connector');
  if (connF) {
    const actF = fieldOf(own, 'action');
    const c = cat.byName.get(s[connF.name]);
    const a = c && actF && (c.actions || []).find((x) => x.name === s[actF.name]);
    return [c ? c.title : s[connF.name], a ? a.title : actF && s[actF.name]].filter(Boolean).join(' · ') || 'choose a connector';
  }
  const parts = [];
  for (const f of own) {
    const v = s[f.name];
    if (typeof v === 'string' && v && f.format !== 'step' && f.format !== 'credential') parts.push(v);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

// connectorIcon is the bundled icon (/ui/icons/NAME.svg) of the
// connector a step uses, or null; decorative, the summary names the app.
function connectorIcon(s, spec, cat) {
  const connF = spec && fieldOf(spec.fields.filter((f) => !f.option), 'connector');
  const c = connF && cat.byName.get(s[connF.name]);
  return c && c.icon && c.icon.startsWith('/ui/') ? h('img', { src: c.icon, alt: '', width: 16, height: 16, class: 'conn-icon' }) : null;
}

// jumps lists the steps a step may go to besides the following one: its
// cases' targets, then its own step fields (default, on_timeout), named.
function jumps(s, spec) {
  const out = [];
  if (!spec) return out;
  for (const f of spec.fields) {
    if (f.option) continue;
    if (f.format === 'step' && s[f.name]) out.push(`${s[f.name]} (${f.name})`);
    if (f.type === 'array' && f.fields && Array.isArray(s[f.name])) {
      for (const sub of f.fields.filter((x) => x.format === 'step')) {
        for (const e of s[f.name]) if (e && e[sub.name]) out.push(e[sub.name]);
      }
    }
  }
  return out;
}

// stepList renders one step list (the top level, a foreach body or a
// parallel branch). path is the JSON path of the list, e.g. "steps" or
// "steps[3].branches[0].steps".
export function stepList(steps, path, ctx) {
  const kinds = ctx.kinds;
  const list = h('ol', { class: 'steps', 'aria-label': path === 'steps' ? 'Steps' : `Steps of ${path}` });
  steps.forEach((s, i) => {
    list.appendChild(h('li', {}, stepCard(s, i, steps, `${path}[${i}]`, ctx)));
    // Arrows between consecutive cards show the default flow; a step that
    // jumps elsewhere (next) or ends the run shows that instead.
    if (i < steps.length - 1) {
      const spec = kinds.byKind.get(s.type);
      let text = '↓';
      if (s.next) text = `↳ then ${s.next}`;
      else if (spec && spec.flow === 'choose') text = '↳ goes to the chosen case';
      else if (spec && spec.flow === 'end') text = '■ run ends here';
      list.appendChild(h('li', { class: 'arrow', 'aria-hidden': 'true' }, text));
    }
  });
  const kindSel = h('select', { 'aria-label': `Kind of the new step in ${path}` },
    kinds.list.map((k) => h('option', { value: k.kind, title: k.description }, k.title)));
  list.appendChild(h('li', { class: 'add-step' },
    kindSel,
    h('button', {
      type: 'button', class: 'small',
      onclick: () => {
        const s = newStep(kindSel.value, ctx.def, kinds);
        steps.push(s);
        ctx.open.add(s.id);
        ctx.rerender();
      },
    }, '+ Add step')));
  return list;
}

function stepCard(s, i, siblings, path, ctx) {
  const open = ctx.open.has(s.id) || ctx.open.has(path);
  const spec = ctx.kinds.byKind.get(s.type);
  const title = spec ? spec.title : s.type || 'step';
  const to = jumps(s, spec);
  const move = (d) => {
    const j = i + d;
    if (j < 0 || j >= siblings.length) return;
    [siblings[i], siblings[j]] = [siblings[j], siblings[i]];
    ctx.rerender();
  };
  const toggle = () => {
    if (open) {
      ctx.open.delete(s.id);
      ctx.open.delete(path);
    } else ctx.open.add(s.id || path);
    ctx.rerender();
  };
  const header = h('div', { class: 'card-head' },
    h('button', {
      type: 'button', class: 'card-toggle', 'aria-expanded': String(open),
      'aria-label': `${open ? 'Collapse' : 'Expand'} step ${s.id || i + 1}`, onclick: toggle,
    }, open ? '▾' : '▸'),
    h('span', { class: ['kind', `k-${s.type}`], title: spec ? spec.description : null }, title),
    connectorIcon(s, spec, ctx.catalog),
    h('strong', { class: 'step-id' }, s.id || '(no id)'),
    s.name ? h('span', { class: 'step-name' }, s.name) : null,
    h('span', { class: 'step-sum' }, stepSummary(s, spec, ctx.catalog)),
    to.length ? h('span', { class: 'jumps' }, `→ ${to.join(', ')}`) : null,
    h('span', { class: 'card-tools' },
      h('button', { type: 'button', class: 'icon', 'aria-label': `Move step ${s.id} up`, disabled: i === 0, onclick: () => move(-1) }, '↑'),
      h('button', { type: 'button', class: 'icon', 'aria-label': `Move step ${s.id} down`, disabled: i === siblings.length - 1, onclick: () => move(1) }, '↓'),
      h('button', {
        type: 'button', class: 'icon danger', 'aria-label': `Remove step ${s.id}`,
        onclick: () => {
          if (!confirm(`Remove step "${s.id}"${s.steps || s.branches ? ' and the steps inside it' : ''}?`)) return;
          siblings.splice(i, 1);
          ctx.rerender();
        },
      }, '✕')));
  const card = h('section', {
    class: ['card', 'step', `k-${s.type}`], dataset: { path, errorKey: path, stepId: s.id || '' },
    'aria-label': `Step ${s.id || i + 1}: ${title}`,
  }, header, h('ul', { class: 'card-errors', role: 'alert' }));
  if (open) card.appendChild(h('div', { class: 'card-body' }, stepForm(s, path, siblings, ctx)));
  return card;
}

function commonField(ctx, name) {
  return ctx.kinds.common.find((f) => f.name === name) || { name, title: name };
}

function stepForm(s, path, siblings, ctx) {
  const kinds = ctx.kinds;
  const idF = commonField(ctx, 'id');
  const typeF = commonField(ctx, 'type');
  const nameF = commonField(ctx, 'name');
  const parts = [h('div', { class: 'grid2' },
    textControl(idF.title, s, 'id', { errorKey: `${path}.id`, required: true, help: idF.help }),
    selectControl(typeF.title, s, 'type', kinds.list.map((k) => [k.kind, k.title]), {
      errorKey: `${path}.type`, empty: null,
      onChange: () => {
        // Fields of the old kind would be refused by validation; start
        // the new kind fresh but keep the id, name and description.
        const keep = { id: s.id, name: s.name, description: s.description };
        const fresh = newStep(s.type, { steps: [] }, kinds);
        for (const k of Object.keys(s)) delete s[k];
        Object.assign(s, fresh, keep);
        for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
        ctx.rerender();
      },
    })),
  textControl(nameF.title, s, 'name', { errorKey: `${path}.name`, help: nameF.help })];

  const spec = kinds.byKind.get(s.type);
  if (!spec) return parts;
  const form = { step: s, siblings, ctx, fields: spec.fields };
  let own = spec.fields.filter((f) => !f.option);
  if (spec.choice) {
    const choice = choiceControl(s, spec, ctx);
    parts.push(choice.control);
    own = own.filter((f) => choice.shown(f.name));
  }
  parts.push(...layout(own.map((f) => fieldControl(f, s, `${path}.${f.name}`, form))));
  const opts = spec.fields.filter((f) => f.option);
  if (opts.length) {
    parts.push(h('details', { class: 'options', open: opts.some((f) => s[f.name] !== undefined) },
      h('summary', {}, 'Flow, timeout and retries'),
      ...layout(opts.map((f) => fieldControl(f, s, `${path}.${f.name}`, form)))));
  }
  return parts;
}

// layout pairs consecutive one-line controls side by side.
function layout(controls) {
  const out = [];
  let pair = [];
  const flush = () => {
    if (pair.length === 2) out.push(h('div', { class: 'grid2' }, pair));
    else out.push(...pair);
    pair = [];
  };
  for (const c of controls) {
    if (!c) continue;
    if (c.classList.contains('field') && c.querySelector(':scope > input:not([type=checkbox]), :scope > select')) {
      pair.push(c);
      if (pair.length === 2) flush();
    } else {
      flush();
      out.push(c);
    }
  }
  flush();
  return out;
}

// choiceControl picks which option of a kind's choice a step uses (a
// delay's duration or time, a wait's event or approval) and drops the
// fields of the others. The choice is remembered per step while the page
// lives; before one is made it follows the fields the step sets.
const chosen = new WeakMap();
function choiceControl(s, spec, ctx) {
  const opts = spec.choice.options;
  const set = (name) => s[name] !== undefined && s[name] !== '';
  let current = chosen.has(s) ? chosen.get(s) : opts.findIndex((o) => o.fields.some(set));
  if (current < 0) current = 0;
  const sel = h('select', { name: 'choice' }, opts.map((o, i) => h('option', { value: String(i), selected: i === current }, o.title)));
  sel.addEventListener('change', () => {
    const next = Number(sel.value);
    chosen.set(s, next);
    for (const [i, o] of opts.entries()) if (i !== next) for (const name of o.fields) delete s[name];
    // An object part (an approval) is the option itself: start it empty
    // so that the step says which option it is.
    for (const name of opts[next].fields) {
      const f = spec.fields.find((x) => x.name === name);
      if (f && f.type === 'object' && s[name] === undefined) s[name] = {};
    }
    ctx.rerender();
  });
  const inSome = new Set(opts.flatMap((o) => o.fields));
  const mine = new Set(opts[current].fields);
  return { control: field(spec.choice.title, sel), shown: (name) => !inSome.has(name) || mine.has(name) };
}

// siblingTargets lists the ids a next/goto in this list may name.
function siblingTargets(siblings, self) {
  return siblings.filter((x) => x && x.id && x !== self).map((x) => [x.id, x.id]);
}

function credentialChoices(ctx, connector) {
  return ctx.credentials.filter((c) => !connector || c.connector === connector).map((c) => [c.name, `${c.name} (${c.connector})`]);
}

const PICK = { expression: 'expr', condition: 'expr', template: 'template', templates: 'template', template_map: 'template', mapping: 'gjson' };

// PREVIEW is the live preview (preview.js) each field format gets.
const PREVIEW = { expression: 'expression', template: 'template', templates: 'template', template_map: 'template', mapping: 'mapping' };

// fieldControl builds the control of one spec field f of obj (the step,
// or a part of it) at errorKey. form holds the step, its siblings and the
// editor context, and the fields of the step's kind (an action's
// connector, action, credential and input fields refer to each other).
function fieldControl(f, obj, errorKey, form) {
  const { ctx } = form;
  const label = f.title || f.name;
  const common = { errorKey, help: f.help, pick: PICK[f.format], placeholder: example(f), preview: PREVIEW[f.format] };
  const set = (v) => {
    if (v === undefined) delete obj[f.name];
    else obj[f.name] = v;
  };
  switch (f.format) {
    case 'connector':
      return selectControl(label, obj, f.name, ctx.catalog.list.map((c) => [c.name, c.title || c.name]), {
        errorKey, empty: '(choose a connector)',
        onChange: () => {
          // What was chosen for the old connector means nothing to the new one.
          for (const x of form.fields) {
            if (x.format === 'action' || x.format === 'input' || (x.format === 'credential' && !x.connector)) delete obj[x.name];
          }
          ctx.rerender();
        },
      });
    case 'action': {
      const conn = ctx.catalog.byName.get(obj[fieldOf(form.fields, 'connector').name]);
      return selectControl(label, obj, f.name, ((conn && conn.actions) || []).map((a) => [a.name, a.title || a.name]), {
        errorKey, empty: conn ? '(choose an action)' : '(choose a connector first)', onChange: () => ctx.rerender(),
      });
    }
    case 'credential': {
      let connector = f.connector;
      if (!connector) {
        const conn = ctx.catalog.byName.get(obj[fieldOf(form.fields, 'connector').name]);
        if (!conn || !conn.credential) return null; // nothing to choose, or no credential needed
        connector = conn.name;
      }
      return selectControl(label, obj, f.name, credentialChoices(ctx, connector), {
        errorKey, empty: '(choose a saved credential)', help: `${f.help || ''} Add one on the Credentials page.`.trim(),
      });
    }
    case 'input':
      return inputControl(f, obj, errorKey, form);
    case 'condition':
      return conditionControl(label, obj, f.name, { errorKey, help: f.help, required: f.required, placeholder: example(f) });
    case 'expression':
    case 'template':
    case 'duration':
      return textControl(label, obj, f.name, { ...common, required: f.required });
    case 'templates':
      if (form.inRow) return jsonLine(f, obj, errorKey);
      return jsonControl(label, obj, f.name, { ...common, placeholder: example(f) });
    case 'template_map':
      return kvControl(label, obj, f.name, { errorKey, help: f.help, keyLabel: singular(label), preview: 'template' });
    case 'mapping':
      return kvControl(label, obj, f.name, {
        errorKey, help: f.help, pick: 'gjson', keyLabel: 'Output field', valueLabel: 'Path or {{ template }}', typed: true, preview: 'mapping',
      });
    case 'step':
      return selectControl(label, obj, f.name, siblingTargets(form.siblings, form.step), {
        errorKey, help: f.help, empty: f.required ? '(choose a step)' : '(the next step in the list)', onChange: () => ctx.rerender(),
      });
    case 'on_error': {
      const choices = [['fail', 'Fail the run'], ['continue', 'Continue with the next step'],
        ...siblingTargets(form.siblings, form.step).map(([id]) => [`goto:${id}`, `Go to ${id}`])];
      return selectControl(label, obj, f.name, choices, { errorKey, help: f.help, empty: '(fail the run)' });
    }
    case 'steps':
      // canvas hook (BRANCH=canvas): the canvas draws nested steps itself.
      if (ctx.stepsField) return ctx.stepsField(f, obj, errorKey);
      obj[f.name] = obj[f.name] || [];
      return h('div', { class: 'nested', dataset: { errorKey } }, h('h4', {}, `${label}:`), stepList(obj[f.name], errorKey, ctx));
    case 'list':
      return listControl(f, obj, errorKey);
    case 'workflow':
      return selectControl(label, obj, f.name, ctx.workflows.map((w) => [w.id, w.name]), { errorKey, help: f.help, empty: '(choose a workflow)' });
    default:
  }
  if (f.type === 'array' && f.fields) return partsEditor(f, obj, errorKey, form);
  if (f.type === 'object' && f.fields) return objectEditor(f, obj, errorKey, form);
  if (f.enum || f.type === 'boolean') return specControl(f, obj[f.name], set, { errorKey });
  if (f.type === 'integer' || f.type === 'number') {
    return numberControl(label, obj, f.name, { errorKey, help: f.help, min: f.minimum, placeholder: example(f) });
  }
  return textControl(label, obj, f.name, { ...common, required: f.required });
}

// inputControl is an action's input: one control per input field of the
// chosen action, from the connector catalog.
function inputControl(f, obj, errorKey, form) {
  const cat = form.ctx.catalog;
  const conn = cat.byName.get(obj[fieldOf(form.fields, 'connector').name]);
  const act = conn && (conn.actions || []).find((a) => a.name === obj[fieldOf(form.fields, 'action').name]);
  if (!act) return null;
  const fields = (act.input && act.input.fields) || [];
  const box = h('fieldset', { class: 'sub', dataset: { errorKey } }, h('legend', {}, f.title || f.name));
  if (act.description) box.appendChild(h('p', { class: 'help' }, act.description));
  if (!fields.length) box.appendChild(h('p', { class: 'help' }, 'This action takes no input.'));
  for (const inf of fields) {
    box.appendChild(specControl(inf, obj[f.name] ? obj[f.name][inf.name] : undefined, (v) => {
      obj[f.name] = obj[f.name] || {};
      if (v === undefined) delete obj[f.name][inf.name];
      else obj[f.name][inf.name] = v;
      if (!Object.keys(obj[f.name]).length) delete obj[f.name];
    }, { pick: 'template', errorKey: `${errorKey}.${inf.name}`, preview: true }));
  }
  return box;
}

// jsonLine edits a JSON value on one line, for a row of parts (a switch
// case's equals): text that is not JSON is kept as a string.
function jsonLine(f, obj, errorKey) {
  const inp = h('input', { type: 'text', name: f.name, placeholder: example(f), autocomplete: 'off', spellcheck: 'false', dataset: { pick: 'expr' } });
  inp.value = obj[f.name] === undefined ? '' : JSON.stringify(obj[f.name]);
  inp.addEventListener('input', () => {
    try {
      obj[f.name] = JSON.parse(inp.value);
    } catch {
      obj[f.name] = inp.value;
    }
  });
  return field(f.title || f.name, inp, { help: f.help, errorKey });
}

// listControl edits a list of plain strings as comma-separated text.
function listControl(f, obj, errorKey) {
  const inp = h('input', { type: 'text', name: f.name, placeholder: Array.isArray(f.example) ? f.example.join(', ') : '', autocomplete: 'off' });
  inp.value = (obj[f.name] || []).join(', ');
  inp.addEventListener('input', () => {
    const list = inp.value.split(',').map((x) => x.trim()).filter(Boolean);
    if (list.length) obj[f.name] = list;
    else delete obj[f.name];
  });
  return field(f.title || f.name, inp, { help: f.help, errorKey });
}

// objectEditor edits an object part (retry, approval) through its
// fields. An object the step did not have is added once something is
// typed into it and dropped again when emptied; one it had stays, even
// empty (an empty approval still makes the step an approval).
function objectEditor(f, obj, errorKey, form) {
  const existed = obj[f.name] !== undefined;
  const part = obj[f.name] || {};
  const bind = () => {
    if (Object.keys(part).length || existed) obj[f.name] = part;
    else delete obj[f.name];
  };
  const box = h('fieldset', { class: 'sub', dataset: { errorKey }, oninput: bind, onchange: bind }, h('legend', {}, f.title || f.name));
  if (f.help) box.appendChild(h('p', { class: 'help' }, f.help));
  box.append(...layout(f.fields.map((sub) => fieldControl(sub, part, `${errorKey}.${sub.name}`, form))));
  return box;
}

// partsEditor edits an array of object parts (cases, branches): one row
// per part with its fields, a remove button, and an add button.
function partsEditor(f, obj, errorKey, form) {
  const { ctx } = form;
  obj[f.name] = obj[f.name] || [];
  const parts = obj[f.name];
  const nested = f.fields.some((x) => x.format === 'steps');
  const one = singular(f.name);
  const box = h(nested ? 'div' : 'fieldset', { class: nested ? 'parallel' : 'sub', dataset: { errorKey } },
    nested ? null : h('legend', {}, f.title || f.name));
  parts.forEach((p, i) => {
    const pp = `${errorKey}[${i}]`;
    const remove = h('button', {
      type: 'button', class: nested ? 'small danger' : 'icon danger', 'aria-label': `Remove ${one} ${i + 1}`,
      onclick: () => { parts.splice(i, 1); ctx.rerender(); },
    }, nested ? `Remove ${one}` : '✕');
    const controls = f.fields.map((sub) => fieldControl(sub, p, `${pp}.${sub.name}`, { ...form, inRow: !nested }));
    if (nested) {
      const [head, ...rest] = controls;
      box.appendChild(h('div', { class: 'nested branch', dataset: { errorKey: pp } }, h('div', { class: 'branch-head' }, head, remove), ...rest));
    } else {
      box.appendChild(h('div', { class: 'case-row', dataset: { errorKey: pp } }, ...controls, remove));
    }
  });
  box.appendChild(h('button', {
    type: 'button', class: 'small',
    onclick: () => { parts.push(newElement(f, parts.length)); ctx.rerender(); },
  }, `+ Add ${one}`));
  return box;
}

// showErrors marks the fields and cards named by validation errors. Each
// error goes to the most specific element whose data-error-key is its path
// or a prefix of it; the error's message and line:col are shown there, and
// the card is marked and opened. It returns the errors it could not place.
export function placeErrors(root, errors) {
  for (const el of root.querySelectorAll('.has-error')) el.classList.remove('has-error');
  for (const el of root.querySelectorAll('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of root.querySelectorAll('.card-errors')) el.replaceChildren();
  for (const el of root.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const unplaced = [];
  for (const e of errors) {
    const text = `${e.message}${e.position ? ` (${e.position})` : ''}`;
    let p = e.path || '';
    let el = null;
    while (p && !el) {
      el = root.querySelector(`[data-error-key="${CSS.escape(p)}"]`);
      if (!el) p = parentPath(p);
    }
    if (!el) {
      unplaced.push(e);
      continue;
    }
    const card = el.closest('.card');
    if (card) card.classList.add('has-error');
    let fieldBox = el.classList.contains('field') ? el : el.closest('.field');
    if (el.matches('input, select, textarea')) {
      el.setAttribute('aria-invalid', 'true');
      fieldBox = el.closest('.field');
    }
    const slot = fieldBox && fieldBox.querySelector(':scope > .field-error');
    if (slot) {
      slot.hidden = false;
      slot.textContent = slot.textContent ? `${slot.textContent}; ${text}` : text;
      fieldBox.classList.add('has-error');
      const ctl = fieldBox.querySelector('input, select, textarea');
      if (ctl) ctl.setAttribute('aria-invalid', 'true');
    } else {
      el.classList.add('has-error');
      const list = (el.classList.contains('card') ? el : card || el).querySelector('.card-errors');
      const where = e.path && e.path !== (card && card.dataset.path) ? `${e.path}: ` : '';
      if (list) list.appendChild(h('li', {}, where + text));
      else unplaced.push(e);
    }
  }
  return unplaced;
}

// parentPath drops the last segment: steps[2].input.x → steps[2].input →
// steps[2] → steps → "".
export function parentPath(p) {
  const m = p.match(/^(.*)(\.[^.[\]]+|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/);
  return m ? m[1] : '';
}

// openPathsFor returns the step ids along an error path so the editor can
// expand every card that contains an error before placing it.
export function stepIdsOnPath(def, path) {
  const ids = [];
  const re = /(steps|branches)\[(\d+)\]/g;
  let list = def.steps;
  let cur = null;
  let m;
  while ((m = re.exec(path))) {
    const i = Number(m[2]);
    if (m[1] === 'steps') {
      list = cur ? cur.steps : def.steps;
      cur = list && list[i];
      if (!cur) break;
      ids.push(cur.id);
    } else {
      const b = cur && cur.branches && cur.branches[i];
      if (!b) break;
      cur = { steps: b.steps };
    }
  }
  return ids.filter(Boolean);
}

// --- canvas hook (BRANCH=canvas) --------------------------------------------
// stepPanel is one step's card, open, for the canvas's side panel: the
// same form as the list view, at the step's real JSON path.
export function stepPanel(s, i, siblings, path, ctx) {
  ctx.open.add(s.id || path);
  return stepCard(s, i, siblings, path, ctx);
}

// placeWarnings shows validation warnings (paths the sample event does not
// contain; they never block a save) under the fields they name, like
// placeErrors but without marking anything invalid.
export function placeWarnings(root, warnings) {
  for (const el of root.querySelectorAll('.field-warning')) el.remove();
  for (const w of warnings || []) {
    let p = w.path || '';
    let el = null;
    while (p && !el) {
      el = root.querySelector(`[data-error-key="${CSS.escape(p)}"]`);
      if (!el) p = parentPath(p);
    }
    if (!el) continue;
    const box = el.matches('input, select, textarea') ? (el.closest('.field') || el.parentElement) : el;
    box.appendChild(h('p', { class: 'field-warning', role: 'status' }, `⚠ ${w.message}${w.position ? ` (${w.position})` : ''}`));
  }
}
