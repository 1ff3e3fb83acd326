// Form controls generated from connector field specs (the catalog's
// fields: name, title, type, required, secret, default, example, enum,
// help, pattern, pattern_help). The same function builds action inputs,
// trigger options and credential forms, so a connector's spec is the only
// place a field is declared.

import { h, field, nextId } from './dom.js';

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
  return field(label, control, {
    help: helpParts.join(' '),
    required: control.required,
    errorKey: opts.errorKey,
  });
}

// textControl is a plain labelled text input bound to obj[key].
export function textControl(label, obj, key, { help, pick, errorKey, placeholder, required, multiline, onInput } = {}) {
  const attrs = { placeholder, spellcheck: 'false', dataset: pick ? { pick } : undefined, name: key };
  const control = multiline ? h('textarea', { ...attrs, rows: 3, class: 'mono' }) : h('input', { ...attrs, type: 'text', autocomplete: 'off' });
  control.value = obj[key] === undefined || obj[key] === null ? '' : String(obj[key]);
  control.required = !!required;
  control.addEventListener('input', () => {
    if (control.value === '') delete obj[key];
    else obj[key] = control.value;
    if (onInput) onInput(control.value);
  });
  return field(label, control, { help, errorKey, required });
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
export function jsonControl(label, obj, key, { help, errorKey, pick, placeholder } = {}) {
  const control = h('textarea', { name: key, rows: 4, class: 'mono', spellcheck: 'false', placeholder, dataset: pick ? { pick } : undefined });
  control.value = obj[key] === undefined ? '' : typeof obj[key] === 'string' ? obj[key] : JSON.stringify(obj[key], null, 2);
  control.addEventListener('input', () => {
    const v = parseTyped(control.value, 'any');
    if (v === undefined) delete obj[key];
    else obj[key] = v;
  });
  return field(label, control, { help, errorKey });
}

// kvControl edits a string→string (or string→any) object as rows of
// key/value inputs: headers, query, map.
export function kvControl(label, obj, key, { help, errorKey, pick, keyLabel = 'Name', valueLabel = 'Value', typed = false } = {}) {
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
