// Form controls generated from connector field specs (the catalog's
// fields: name, title, type, required, secret, default, example, enum,
// help, pattern, pattern_help). The same function builds action inputs,
// trigger options and credential forms, so a connector's spec is the only
// place a field is declared.

import { h, field, nextId } from './dom.js';
import { previewBox, fieldChoices } from './preview.js';
import { OPERATORS, OPERATOR, emptyGroup, emptyRow, toExpr, parseExpr, rowProblem, typeOf } from './conditions.js';

function show(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

// parseTyped turns the text of an input into the value stored in the
// definition. Templates ("{{ … }}") stay strings whatever the field's type,
// because they are rendered at run time.
export function parseTyped(text, type) {
  if (text === '') return undefined;
  if (text.includes('{{')) return text;
  switch (type) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      return text;
    case 'object':
    case 'array':
    case 'any':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}

// specControl builds the labelled control for one spec field.
//   value     current value (or undefined)
//   onChange  called with the new typed value (undefined = remove)
//   opts.pick the field-picker mode ("template" for action inputs; none for credentials)
//   opts.errorKey the definition path of the value, e.g. steps[2].input.channel
export function specControl(spec, value, onChange, opts = {}) {
  const label = spec.title || spec.name;
  const id = nextId(spec.name);
  const placeholder = spec.default !== undefined
    ? `default: ${show(spec.default)}`
    : spec.example !== undefined && !spec.secret ? `e.g. ${show(spec.example)}` : '';
  let control;
  if (spec.enum && spec.enum.length) {
    control = h('select', { id, name: spec.name },
      h('option', { value: '' }, spec.default !== undefined ? `(default: ${show(spec.default)})` : '(not set)'),
      spec.enum.map((e) => h('option', { value: e, selected: value === e }, e)));
    // A template in an enum field cannot be chosen from the list; keep it
    // visible as an extra option instead of losing it.
    if (typeof value === 'string' && value && !spec.enum.includes(value)) {
      control.appendChild(h('option', { value, selected: true }, value));
    }
    control.addEventListener('change', () => onChange(control.value === '' ? undefined : control.value));
  } else if (spec.type === 'boolean') {
    control = h('select', { id, name: spec.name },
      h('option', { value: '' }, spec.default !== undefined ? `(default: ${show(spec.default)})` : '(not set)'),
      h('option', { value: 'true', selected: value === true }, 'yes'),
      h('option', { value: 'false', selected: value === false }, 'no'));
    if (typeof value === 'string' && value) control.appendChild(h('option', { value, selected: true }, value));
    control.addEventListener('change', () => onChange(parseTyped(control.value, 'boolean')));
  } else if (spec.type === 'object' || spec.type === 'array' || spec.type === 'any') {
    control = h('textarea', {
      id, name: spec.name, rows: 4, class: 'mono', spellcheck: 'false',
      placeholder: placeholder || (spec.type === 'array' ? '["…"]' : '{"key": "value"}'),
      dataset: opts.pick ? { pick: opts.pick } : undefined,
    });
    control.value = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    control.addEventListener('input', () => onChange(parseTyped(control.value, spec.type)));
  } else {
    const secret = !!spec.secret;
    control = h('input', {
      id, name: spec.name,
      type: secret ? 'password' : 'text',
      autocomplete: secret ? 'new-password' : 'off',
      inputmode: spec.type === 'number' || spec.type === 'integer' ? 'decimal' : null,
      placeholder,
      pattern: spec.pattern && !opts.pick ? spec.pattern : null,
      spellcheck: 'false',
      dataset: opts.pick ? { pick: opts.pick } : undefined,
    });
    control.value = show(value);
    control.addEventListener('input', () => onChange(parseTyped(control.value, spec.type)));
  }
  // A credential field only actions read is optional for a credential
  // used only by a trigger; the action step reports it when missing.
  control.required = !!(spec.required && spec.default === undefined && !spec.for_actions);
  const helpParts = [spec.help, spec.pattern_help].filter(Boolean);
  if (spec.for_actions) helpParts.push('Needed to run actions; a credential used only for the trigger can leave it empty.');
  if (spec.secret) helpParts.push('Stored encrypted; never shown again.');
  const box = field(label, control, {
    help: helpParts.join(' '),
    required: control.required,
    errorKey: opts.errorKey,
  });
  // A template-capable input field previews what it renders to.
  if (opts.preview && opts.errorKey && !spec.secret && !spec.enum && spec.type !== 'boolean') {
    addPreview(box, 'template', opts.errorKey, () => value);
    control.addEventListener('input', () => { value = parseTyped(control.value, spec.type); });
  }
  return box;
}

// addPreview puts a live preview (see preview.js) at the end of a field
// and refreshes it as the field is edited.
export function addPreview(box, kind, path, source) {
  const p = previewBox(kind, path, source);
  box.appendChild(p.el);
  box.addEventListener('input', () => p.schedule());
  box.addEventListener('change', () => p.schedule());
  return p;
}

// textControl is a plain labelled text input bound to obj[key].
export function textControl(label, obj, key, { help, pick, errorKey, placeholder, required, multiline, onInput, preview } = {}) {
  const attrs = { placeholder, spellcheck: 'false', dataset: pick ? { pick } : undefined, name: key };
  const control = multiline ? h('textarea', { ...attrs, rows: 3, class: 'mono' }) : h('input', { ...attrs, type: 'text', autocomplete: 'off' });
  control.value = obj[key] === undefined || obj[key] === null ? '' : String(obj[key]);
  control.required = !!required;
  control.addEventListener('input', () => {
    if (control.value === '') delete obj[key];
    else obj[key] = control.value;
    if (onInput) onInput(control.value);
  });
  const box = field(label, control, { help, errorKey, required });
  if (preview && errorKey) addPreview(box, preview, errorKey, () => obj[key]);
  return box;
}

// numberControl binds an integer field.
export function numberControl(label, obj, key, { help, errorKey, min, placeholder } = {}) {
  const control = h('input', { type: 'number', name: key, min, step: 1, placeholder });
  control.value = obj[key] === undefined ? '' : String(obj[key]);
  control.addEventListener('input', () => {
    if (control.value === '') delete obj[key];
    else obj[key] = Number(control.value);
  });
  return field(label, control, { help, errorKey });
}

// selectControl binds obj[key] to a list of [value, label] options.
export function selectControl(label, obj, key, options, { help, errorKey, onChange, empty = '(not set)' } = {}) {
  const control = h('select', { name: key },
    empty === null ? null : h('option', { value: '' }, empty),
    options.map(([v, l]) => h('option', { value: v, selected: obj[key] === v }, l ?? v)));
  if (obj[key] && !options.some(([v]) => v === obj[key])) {
    control.appendChild(h('option', { value: obj[key], selected: true }, `${obj[key]} (unknown)`));
  }
  control.addEventListener('change', () => {
    if (control.value === '') delete obj[key];
    else obj[key] = control.value;
    if (onChange) onChange(control.value);
  });
  return field(label, control, { help, errorKey });
}

// jsonControl binds obj[key] to a JSON textarea; text that is not JSON is
// stored as a string (a template such as "{{ steps.a }}").
export function jsonControl(label, obj, key, { help, errorKey, pick, placeholder, preview } = {}) {
  const control = h('textarea', { name: key, rows: 4, class: 'mono', spellcheck: 'false', placeholder, dataset: pick ? { pick } : undefined });
  control.value = obj[key] === undefined ? '' : typeof obj[key] === 'string' ? obj[key] : JSON.stringify(obj[key], null, 2);
  control.addEventListener('input', () => {
    const v = parseTyped(control.value, 'any');
    if (v === undefined) delete obj[key];
    else obj[key] = v;
  });
  const box = field(label, control, { help, errorKey });
  if (preview && errorKey) addPreview(box, preview, errorKey, () => obj[key]);
  return box;
}

// kvControl edits a string→string (or string→any) object as rows of
// key/value inputs: headers, query, map.
export function kvControl(label, obj, key, { help, errorKey, pick, keyLabel = 'Name', valueLabel = 'Value', typed = false, preview } = {}) {
  const wrap = h('fieldset', { class: 'kv', dataset: errorKey ? { errorKey } : undefined }, h('legend', {}, label));
  if (help) wrap.appendChild(h('p', { class: 'help' }, help));
  const rows = h('div', { class: 'kv-rows' });
  wrap.appendChild(rows);
  const entries = Object.entries(obj[key] || {});
  const sync = () => {
    const out = {};
    for (const r of rows.children) {
      const k = r.querySelector('.kv-k').value.trim();
      if (!k) continue;
      const raw = r.querySelector('.kv-v').value;
      out[k] = typed ? parseLiteral(raw) : raw;
    }
    if (Object.keys(out).length) obj[key] = out;
    else delete obj[key];
  };
  const addRow = (k = '', v = '') => {
    const kIn = h('input', { type: 'text', class: 'kv-k', 'aria-label': keyLabel, placeholder: keyLabel, value: k, autocomplete: 'off', spellcheck: 'false', oninput: sync });
    const vIn = h('input', {
      type: 'text', class: 'kv-v', 'aria-label': `${valueLabel}${k ? ' of ' + k : ''}`, placeholder: valueLabel,
      value: typeof v === 'string' ? v : JSON.stringify(v), autocomplete: 'off', spellcheck: 'false',
      dataset: { pick: pick || 'template', ...(errorKey && k ? { errorKey: `${errorKey}.${k}` } : {}) },
      oninput: sync,
    });
    const row = h('div', { class: 'kv-row' }, kIn, vIn,
      h('button', { type: 'button', class: 'icon', 'aria-label': `Remove ${keyLabel.toLowerCase()}`, onclick: () => { row.remove(); sync(); } }, '✕'));
    rows.appendChild(row);
  };
  for (const [k, v] of entries) addRow(k, v);
  wrap.appendChild(h('button', { type: 'button', class: 'small', onclick: () => addRow() }, `+ Add ${keyLabel.toLowerCase()}`));
  if (preview && errorKey) {
    const p = addPreview(wrap, preview, errorKey, () => obj[key]);
    wrap.addEventListener('click', (e) => { if (e.target.closest('button')) p.schedule(); });
  }
  return wrap;
}

// parseLiteral keeps strings (paths and templates) as strings, and turns
// numbers, booleans, null and JSON objects into their values: the map
// step's rule for literals.
function parseLiteral(raw) {
  const t = raw.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (t !== '' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) return Number(t);
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return raw;
    }
  }
  return raw;
}

// conditionControl edits a condition (a field whose step-kind spec format
// is "condition") with the condition builder: rows of field, comparison
// and typed value in AND/OR groups, written to obj[key] as an expr-lang
// expression (conditions.js) and read back from it. "Edit as expression"
// switches to the text; an expression the builder cannot show as rows
// stays text, and the form says why. A live preview shows true or false
// against the sample, and warnings name paths the sample lacks.
export function conditionControl(label, obj, key, { help, errorKey, required, placeholder } = {}) {
  const id = nextId('cond');
  const listId = `${id}-fields`;
  const fieldList = h('datalist', { id: listId });
  const errEl = h('p', { class: 'field-error', id: `${id}-err`, role: 'alert', hidden: true });
  const note = h('p', { class: 'help cond-note', 'aria-live': 'polite' });
  const builder = h('div', { class: 'cond-builder' });
  const exprIn = h('textarea', {
    id: `${id}-expr`, rows: 2, class: 'mono cond-expr', spellcheck: 'false', name: key, placeholder,
    dataset: { pick: 'expr' }, 'aria-describedby': `${id}-err`,
  });
  const exprBox = h('div', { class: 'cond-expr-box' }, h('label', { for: exprIn.id, class: 'sub-label' }, `${label} (expression)`), exprIn);
  const toggle = h('button', { type: 'button', class: 'small cond-toggle', 'aria-pressed': 'false' }, 'Edit as expression');
  const wrap = h('div', {
    class: 'field condition', role: 'group', 'aria-labelledby': `${id}-label`, dataset: errorKey ? { errorKey } : undefined,
  },
  h('div', { class: 'cond-head' },
    h('span', { class: 'cond-label', id: `${id}-label` }, label, required ? h('span', { class: 'req', 'aria-label': 'required' }, ' *') : null),
    toggle),
  help ? h('p', { class: 'help' }, help) : null,
  // The expression comes first in the DOM: it is the control an error
  // on the condition marks invalid (placeErrors takes the first one).
  exprBox, builder, fieldList, note, errEl);

  let group = emptyGroup();
  let asText = false;
  const write = () => {
    const e = toExpr(group);
    if (e) obj[key] = e;
    else delete obj[key];
    exprIn.value = e;
  };
  const changed = () => {
    write();
    wrap.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const refreshFields = () => {
    const choices = fieldChoices(errorKey || '');
    fieldList.replaceChildren(...choices.map((c) => h('option', { value: c.path }, c.sample !== undefined ? `${c.type}: ${String(c.sample).slice(0, 40)}` : c.type)));
    return choices;
  };

  function rowEditor(row, parent, i) {
    const rowEl = h('div', { class: 'cond-row', role: 'group', 'aria-label': `Condition ${i + 1}` });
    const fieldIn = h('input', {
      type: 'text', class: 'cond-field mono', list: listId, value: row.field, placeholder: 'trigger.amount',
      'aria-label': 'Field', autocomplete: 'off', spellcheck: 'false', dataset: { pick: 'path' },
    });
    const opSel = h('select', { class: 'cond-op', 'aria-label': 'Comparison' },
      OPERATORS.map((o) => h('option', { value: o.op, selected: o.op === row.op }, o.label)));
    const typeSel = h('select', { class: 'cond-type', 'aria-label': 'Type of the value' },
      [['string', 'text'], ['number', 'number'], ['bool', 'yes/no']].map(([v, l]) => h('option', { value: v, selected: (row.type === 'list' ? (row.value[0] || {}).type || 'string' : row.type) === v }, l)));
    const valIn = h('input', { type: 'text', class: 'cond-value', 'aria-label': 'Value', autocomplete: 'off', spellcheck: 'false' });
    const boolSel = h('select', { class: 'cond-bool', 'aria-label': 'Value' }, h('option', { value: 'true' }, 'yes (true)'), h('option', { value: 'false' }, 'no (false)'));
    const problem = h('p', { class: 'cond-problem help' });
    const remove = h('button', {
      type: 'button', class: 'icon danger', 'aria-label': `Remove condition ${i + 1}`,
      onclick: () => { parent.items.splice(i, 1); drawBuilder(); changed(); },
    }, '✕');
    const listText = () => (Array.isArray(row.value) ? row.value.map((v) => String(v.value)).join(', ') : '');
    const syncControls = () => {
      const o = OPERATOR[row.op] || {};
      const t = row.type === 'list' ? typeSel.value : row.type;
      valIn.hidden = !o.value || (o.value === 'one' && t === 'bool');
      boolSel.hidden = !(o.value === 'one' && t === 'bool');
      typeSel.hidden = !(o.value === 'one' || o.value === 'list') || o.text;
      valIn.placeholder = o.value === 'list' ? 'a, b, c' : o.value === 'regex' ? '^ord_[0-9]+$' : 'value';
      valIn.setAttribute('aria-label', o.value === 'list' ? 'Values, separated by commas' : o.value === 'regex' ? 'Pattern (regular expression)' : 'Value');
      const why = rowProblem(row);
      problem.textContent = why ? `Incomplete: ${why}.` : '';
      rowEl.classList.toggle('incomplete', !!why);
    };
    const readValue = () => {
      const o = OPERATOR[row.op] || {};
      const t = typeSel.value;
      if (o.value === 'list') {
        const items = valIn.value.split(',').map((x) => x.trim()).filter((x) => x !== '');
        row.type = 'list';
        row.value = items.map((x) => ({ value: t === 'number' ? Number(x) : t === 'bool' ? x === 'true' : x, type: t }));
      } else if (o.value === 'one' && t === 'bool') {
        row.type = 'bool';
        row.value = boolSel.value === 'true';
      } else if (o.value === 'one' && !o.text) {
        row.type = t;
        row.value = t === 'number' && valIn.value.trim() !== '' && Number.isFinite(Number(valIn.value)) ? Number(valIn.value) : valIn.value;
      } else {
        row.type = 'string';
        row.value = valIn.value;
      }
    };
    valIn.value = row.type === 'list' ? listText() : row.type === 'bool' ? '' : String(row.value ?? '');
    if (row.type === 'bool') boolSel.value = String(row.value === true);
    fieldIn.addEventListener('focus', refreshFields);
    fieldIn.addEventListener('input', () => {
      row.field = fieldIn.value.trim();
      // A field picked from the sample suggests the value's type.
      const c = refreshFields().find((x) => x.path === row.field);
      if (c && c.sample !== undefined && OPERATOR[row.op] && OPERATOR[row.op].value === 'one' && !OPERATOR[row.op].text) {
        typeSel.value = typeOf(c.sample);
        readValue();
      }
      syncControls();
      changed();
    });
    opSel.addEventListener('change', () => {
      row.op = opSel.value;
      readValue();
      syncControls();
      changed();
    });
    for (const el of [typeSel, valIn, boolSel]) {
      el.addEventListener(el === valIn ? 'input' : 'change', (e) => {
        e.stopPropagation();
        readValue();
        syncControls();
        changed();
      });
    }
    syncControls();
    rowEl.append(fieldIn, opSel, typeSel, valIn, boolSel, remove, problem);
    return rowEl;
  }

  function groupEditor(g, parent, index, depth) {
    const joinSel = h('select', { class: 'cond-join', 'aria-label': depth ? `Match of group ${index + 1}` : 'Match' },
      h('option', { value: 'and', selected: g.join !== 'or' }, 'all of these (AND)'),
      h('option', { value: 'or', selected: g.join === 'or' }, 'any of these (OR)'));
    joinSel.addEventListener('change', (e) => {
      e.stopPropagation();
      g.join = joinSel.value;
      changed();
    });
    const box = h('div', { class: ['cond-group', depth ? 'nested-group' : null], role: 'group', 'aria-label': depth ? `Group ${index + 1}` : 'Conditions' },
      h('div', { class: 'cond-group-head' }, h('span', {}, depth ? 'Group: match' : 'Match'), joinSel,
        depth ? h('button', {
          type: 'button', class: 'icon danger', 'aria-label': `Remove group ${index + 1}`,
          onclick: () => { parent.items.splice(index, 1); drawBuilder(); changed(); },
        }, '✕') : null));
    g.items.forEach((it, i) => box.appendChild(it.items ? groupEditor(it, g, i, depth + 1) : rowEditor(it, g, i)));
    box.appendChild(h('div', { class: 'row' },
      h('button', { type: 'button', class: 'small cond-add', onclick: () => { g.items.push(emptyRow()); drawBuilder(true); } }, '+ Add condition'),
      depth < 2 ? h('button', {
        type: 'button', class: 'small cond-add-group',
        onclick: () => { g.items.push({ join: g.join === 'and' ? 'or' : 'and', items: [emptyRow()] }); drawBuilder(true); },
      }, g.join === 'and' ? '+ Add OR group' : '+ Add AND group') : null));
    return box;
  }

  function drawBuilder(focusLast) {
    builder.replaceChildren(groupEditor(group, null, 0, 0));
    if (focusLast) {
      const all = builder.querySelectorAll('.cond-field');
      if (all.length) all[all.length - 1].focus();
    }
  }

  function showMode(text) {
    asText = text;
    builder.hidden = text;
    exprBox.hidden = !text;
    toggle.setAttribute('aria-pressed', String(text));
    toggle.textContent = text ? 'Use the builder' : 'Edit as expression';
  }

  toggle.addEventListener('click', () => {
    if (!asText) {
      exprIn.value = obj[key] || '';
      note.textContent = '';
      showMode(true);
      exprIn.focus();
      return;
    }
    const r = parseExpr(exprIn.value);
    if (!r.ok) {
      note.textContent = `The builder cannot show this expression as rows (${r.reason}); keep editing it as an expression.`;
      return;
    }
    group = r.group;
    note.textContent = '';
    drawBuilder();
    showMode(false);
  });
  exprIn.addEventListener('input', () => {
    if (exprIn.value.trim() === '') delete obj[key];
    else obj[key] = exprIn.value;
  });

  const initial = obj[key] || '';
  const parsed = parseExpr(initial);
  if (parsed.ok) {
    group = parsed.group;
    // A required condition starts with a row to fill in; an optional one
    // (the trigger's filter) starts empty, with its add buttons.
    if (!group.items.length && required) group.items.push(emptyRow());
    drawBuilder();
    showMode(false);
  } else {
    exprIn.value = initial;
    note.textContent = `The builder cannot show this expression as rows (${parsed.reason}); it is shown as an expression.`;
    drawBuilder();
    showMode(true);
  }
  exprIn.value = initial;
  if (errorKey) addPreview(wrap, 'condition', errorKey, () => obj[key]);
  return wrap;
}
