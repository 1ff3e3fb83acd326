// The visual step editor: the definition's step graph drawn as cards in
// list order, with foreach bodies and parallel branches nested inside their
// step and branch/switch/next targets shown as arrows. Each card holds a
// form generated from the step's kind and, for action steps, from the
// connector catalog's input fields.
//
// The editor edits the definition object in place. Structural changes
// (add, remove, move, change of kind or connector) call ctx.rerender();
// typing only updates the object, so focus and the cursor stay put.

import { h, nextId, field } from './dom.js';
import { specControl, textControl, numberControl, selectControl, jsonControl, kvControl } from './fields.js';

// KINDS describes every step kind for the "add step" menu and the cards.
export const KINDS = [
  ['action', 'Action', 'Call a connector: post to Slack, upsert a HubSpot contact…'],
  ['http', 'HTTP request', 'Call any URL.'],
  ['filter', 'Filter', 'Stop the run quietly unless a condition holds.'],
  ['branch', 'Branch', 'Go to the first case whose condition holds.'],
  ['switch', 'Switch', 'Go to the case whose value matches.'],
  ['map', 'Map fields', 'Build an object from fields of the trigger and earlier steps.'],
  ['foreach', 'For each', 'Run steps once for every item of a list.'],
  ['parallel', 'Parallel', 'Run branches at the same time and wait for all.'],
  ['delay', 'Delay', 'Wait for a duration or until a time.'],
  ['wait_for_event', 'Wait for event', 'Wait for a matching webhook or an approval.'],
  ['respond', 'Respond', 'Shape the reply to the webhook caller.'],
  ['call_workflow', 'Call workflow', 'Run another workflow.'],
  ['stop', 'Stop', 'End the run successfully.'],
  ['fail', 'Fail', 'End the run as failed with a message.'],
];
const KIND_TITLE = Object.fromEntries(KINDS.map(([k, t]) => [k, t]));

// Which per-step options a kind accepts (mirrors the definition's rules).
const OPTIONS = {
  action: ['next', 'retry', 'timeout', 'on_error'],
  http: ['next', 'retry', 'timeout', 'on_error'],
  filter: ['next'],
  branch: ['on_error'],
  switch: ['on_error'],
  map: ['next', 'on_error'],
  foreach: ['next', 'timeout', 'on_error'],
  parallel: ['next', 'timeout', 'on_error'],
  delay: ['next', 'on_error'],
  wait_for_event: ['next', 'on_error'],
  respond: ['next', 'on_error'],
  call_workflow: ['next', 'retry', 'timeout', 'on_error'],
  stop: [],
  fail: [],
};

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

export function newStep(kind, def) {
  const ids = allStepIds(def.steps);
  let n = 1;
  while (ids.has(`${kind}_${n}`)) n += 1;
  const s = { id: `${kind}_${n}`, type: kind };
  switch (kind) {
    case 'branch':
      s.cases = [{ if: '', next: '' }];
      break;
    case 'switch':
      s.cases = [{ equals: '', next: '' }];
      break;
    case 'foreach':
      s.steps = [];
      break;
    case 'parallel':
      s.branches = [{ name: 'a', steps: [] }, { name: 'b', steps: [] }];
      break;
    case 'http':
      s.method = 'GET';
      break;
    default:
  }
  return s;
}

// stepSummary is the one-line description shown on a collapsed card.
function stepSummary(s, cat) {
  switch (s.type) {
    case 'action': {
      const c = cat.byName.get(s.connector);
      const a = c && (c.actions || []).find((x) => x.name === s.action);
      return [c ? c.title : s.connector, a ? a.title : s.action].filter(Boolean).join(' · ') || 'choose a connector';
    }
    case 'http':
      return `${s.method || 'GET'} ${s.url || ''}`;
    case 'filter':
      return s.if ? `only if ${s.if}` : '';
    case 'foreach':
      return s.items ? `for each of ${s.items}` : '';
    case 'delay':
      return s.duration ? `wait ${s.duration}` : s.until ? `until ${s.until}` : '';
    case 'wait_for_event':
      return s.approval ? 'wait for approval' : s.event ? `wait for ${s.event}` : '';
    case 'call_workflow':
      return s.workflow ? `run ${s.workflow}` : '';
    case 'stop':
    case 'fail':
      return s.message || '';
    default:
      return '';
  }
}

// stepList renders one step list (the top level, a foreach body or a
// parallel branch). path is the JSON path of the list, e.g. "steps" or
// "steps[3].branches[0].steps".
export function stepList(steps, path, ctx) {
  const list = h('ol', { class: 'steps', 'aria-label': path === 'steps' ? 'Steps' : `Steps of ${path}` });
  steps.forEach((s, i) => {
    list.appendChild(h('li', {}, stepCard(s, i, steps, `${path}[${i}]`, ctx)));
    // Arrows between consecutive cards show the default flow; a step that
    // jumps elsewhere (next) or ends the run shows that instead.
    if (i < steps.length - 1) {
      let text = '↓';
      if (s.next) text = `↳ then ${s.next}`;
      else if (s.type === 'branch' || s.type === 'switch') text = '↳ goes to the chosen case';
      else if (s.type === 'stop' || s.type === 'fail') text = '■ run ends here';
      list.appendChild(h('li', { class: 'arrow', 'aria-hidden': 'true' }, text));
    }
  });
  const kindSel = h('select', { 'aria-label': `Kind of the new step in ${path}` },
    KINDS.map(([k, t, d]) => h('option', { value: k, title: d }, t)));
  list.appendChild(h('li', { class: 'add-step' },
    kindSel,
    h('button', {
      type: 'button', class: 'small',
      onclick: () => {
        const s = newStep(kindSel.value, ctx.def);
        steps.push(s);
        ctx.open.add(s.id);
        ctx.rerender();
      },
    }, '+ Add step')));
  return list;
}

function stepCard(s, i, siblings, path, ctx) {
  const open = ctx.open.has(s.id) || ctx.open.has(path);
  const title = KIND_TITLE[s.type] || s.type || 'step';
  const jumps = [];
  if (s.type === 'branch' || s.type === 'switch') {
    for (const c of s.cases || []) if (c.next) jumps.push(c.next);
    if (s.default) jumps.push(`${s.default} (default)`);
  }
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
    h('span', { class: ['kind', `k-${s.type}`] }, title),
    h('strong', { class: 'step-id' }, s.id || '(no id)'),
    s.name ? h('span', { class: 'step-name' }, s.name) : null,
    h('span', { class: 'step-sum' }, stepSummary(s, ctx.catalog)),
    jumps.length ? h('span', { class: 'jumps' }, `→ ${jumps.join(', ')}`) : null,
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

function stepForm(s, path, siblings, ctx) {
  const parts = [];
  const grid = (...kids) => h('div', { class: 'grid2' }, ...kids);
  parts.push(grid(
    textControl('Step id', s, 'id', {
      errorKey: `${path}.id`, required: true,
      help: 'Letters, digits and _. Later steps read its output as steps.<id>.',
    }),
    selectControl('Kind', s, 'type', KINDS.map(([k, t]) => [k, t]), {
      errorKey: `${path}.type`, empty: null,
      onChange: () => {
        // Fields of the old kind would be refused by validation; start
        // the new kind fresh but keep the id, name and description.
        const keep = { id: s.id, name: s.name, description: s.description };
        const fresh = newStep(s.type, { steps: [] });
        for (const k of Object.keys(s)) delete s[k];
        Object.assign(s, fresh, keep);
        for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
        ctx.rerender();
      },
    })));
  parts.push(textControl('Name', s, 'name', { errorKey: `${path}.name`, help: 'Optional label shown in the editor and run inspector.' }));

  const kind = KIND_FORMS[s.type];
  if (kind) parts.push(...kind(s, path, ctx, siblings));
  const opts = OPTIONS[s.type] || [];
  if (opts.length) parts.push(optionsForm(s, path, siblings, ctx, opts));
  return parts;
}

// siblingTargets lists the ids a next/goto in this list may name.
function siblingTargets(siblings, self) {
  return siblings.filter((x) => x && x.id && x !== self).map((x) => [x.id, x.id]);
}

function optionsForm(s, path, siblings, ctx, opts) {
  const kids = [];
  if (opts.includes('next')) {
    kids.push(selectControl('Then go to', s, 'next', siblingTargets(siblings, s), {
      errorKey: `${path}.next`, empty: '(the next step in the list)',
      onChange: () => ctx.rerender(),
    }));
  }
  if (opts.includes('timeout')) {
    kids.push(textControl('Timeout', s, 'timeout', { errorKey: `${path}.timeout`, placeholder: 'e.g. 30s, 5m, 1h', help: 'How long one attempt may take.' }));
  }
  if (opts.includes('on_error')) {
    const choices = [['fail', 'Fail the run'], ['continue', 'Continue with the next step'],
      ...siblingTargets(siblings, s).map(([id]) => [`goto:${id}`, `Go to ${id}`])];
    kids.push(selectControl('When this step fails', s, 'on_error', choices, { errorKey: `${path}.on_error`, empty: '(fail the run)' }));
  }
  if (opts.includes('retry')) {
    const r = s.retry || {};
    const bind = () => {
      if (Object.keys(r).length) s.retry = r;
      else delete s.retry;
    };
    const wrap = h('fieldset', { class: 'sub', dataset: { errorKey: `${path}.retry` } }, h('legend', {}, 'Retries'),
      h('div', { class: 'grid2', oninput: bind },
        numberControl('Max attempts', r, 'max_attempts', { errorKey: `${path}.retry.max_attempts`, min: 1, placeholder: '5' }),
        textControl('First pause', r, 'initial_interval', { errorKey: `${path}.retry.initial_interval`, placeholder: '1s' }),
        numberControl('Backoff factor', r, 'backoff', { errorKey: `${path}.retry.backoff`, min: 1, placeholder: '2' }),
        textControl('Longest pause', r, 'max_interval', { errorKey: `${path}.retry.max_interval`, placeholder: '5m' })));
    kids.push(wrap);
  }
  return h('details', { class: 'options', open: !!(s.next || s.timeout || s.on_error || s.retry) },
    h('summary', {}, 'Flow, timeout and retries'), ...kids);
}

function credentialChoices(ctx, connector) {
  return ctx.credentials.filter((c) => !connector || c.connector === connector).map((c) => [c.name, `${c.name} (${c.connector})`]);
}

const KIND_FORMS = {
  action(s, path, ctx) {
    const cat = ctx.catalog;
    const conn = cat.byName.get(s.connector);
    const actions = conn ? conn.actions || [] : [];
    const act = actions.find((a) => a.name === s.action);
    const out = [h('div', { class: 'grid2' },
      selectControl('Connector', s, 'connector', cat.list.map((c) => [c.name, c.title || c.name]), {
        errorKey: `${path}.connector`, empty: '(choose a connector)',
        onChange: () => {
          delete s.action;
          delete s.input;
          delete s.credential;
          ctx.rerender();
        },
      }),
      selectControl('Action', s, 'action', actions.map((a) => [a.name, a.title || a.name]), {
        errorKey: `${path}.action`, empty: conn ? '(choose an action)' : '(choose a connector first)',
        onChange: () => ctx.rerender(),
      }))];
    if (conn && conn.credential) {
      out.push(selectControl('Credential', s, 'credential', credentialChoices(ctx, s.connector), {
        errorKey: `${path}.credential`, empty: '(choose a saved credential)',
        help: 'Saved credentials of this connector. Add one on the Credentials page.',
      }));
    }
    if (act) {
      if (act.description) out.push(h('p', { class: 'help' }, act.description));
      const fields = (act.input && act.input.fields) || [];
      const inputs = h('fieldset', { class: 'sub', dataset: { errorKey: `${path}.input` } }, h('legend', {}, 'Input'));
      if (!fields.length) inputs.appendChild(h('p', { class: 'help' }, 'This action takes no input.'));
      for (const f of fields) {
        inputs.appendChild(specControl(f, s.input ? s.input[f.name] : undefined, (v) => {
          s.input = s.input || {};
          if (v === undefined) delete s.input[f.name];
          else s.input[f.name] = v;
          if (!Object.keys(s.input).length) delete s.input;
        }, { pick: 'template', errorKey: `${path}.input.${f.name}` }));
      }
      out.push(inputs);
    }
    return out;
  },
  http(s, path, ctx) {
    return [
      h('div', { class: 'grid2' },
        selectControl('Method', s, 'method', ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((m) => [m, m]), { errorKey: `${path}.method`, empty: null }),
        textControl('URL', s, 'url', { errorKey: `${path}.url`, pick: 'template', required: true, placeholder: 'https://api.example.com/orders/{{ trigger.id }}' })),
      selectControl('Credential', s, 'credential', credentialChoices(ctx, 'http'), { errorKey: `${path}.credential`, help: 'Optional: an http credential adds its auth header.' }),
      kvControl('Headers', s, 'headers', { errorKey: `${path}.headers`, keyLabel: 'Header' }),
      kvControl('Query parameters', s, 'query', { errorKey: `${path}.query`, keyLabel: 'Parameter' }),
      jsonControl('Body', s, 'body', { errorKey: `${path}.body`, pick: 'template', placeholder: '{"order": "{{ trigger.id }}"}' }),
    ];
  },
  filter(s, path) {
    return [textControl('Continue only if', s, 'if', {
      errorKey: `${path}.if`, pick: 'expr', required: true, placeholder: 'trigger.data.object.amount >= 10000',
      help: 'An expression; when it is false the run stops quietly (status filtered).',
    })];
  },
  branch(s, path, ctx, siblings) {
    return [casesEditor(s, path, ctx, siblings, 'if')];
  },
  switch(s, path, ctx, siblings) {
    return [
      textControl('Value', s, 'value', { errorKey: `${path}.value`, pick: 'expr', required: true, placeholder: 'trigger.type', help: 'An expression compared with each case.' }),
      casesEditor(s, path, ctx, siblings, 'equals'),
    ];
  },
  map(s, path) {
    return [kvControl('Fields', s, 'map', {
      errorKey: `${path}.map`, pick: 'gjson', keyLabel: 'Output field', valueLabel: 'Path or {{ template }}', typed: true,
      help: 'Each value is a path such as trigger.data.object.amount (click a field of the sample), a {{ template }}, or a literal number/true/false.',
    })];
  },
  foreach(s, path, ctx) {
    s.steps = s.steps || [];
    return [
      textControl('Items', s, 'items', { errorKey: `${path}.items`, pick: 'expr', required: true, placeholder: 'trigger.line_items', help: 'An expression giving a list. Inside, item and index are the current element and its position.' }),
      h('div', { class: 'grid2' },
        numberControl('Concurrency', s, 'concurrency', { errorKey: `${path}.concurrency`, min: 1, placeholder: '1' }),
        numberControl('Max items', s, 'max_items', { errorKey: `${path}.max_items`, min: 1, placeholder: '1000' })),
      h('div', { class: 'nested', dataset: { errorKey: `${path}.steps` } }, h('h4', {}, 'For each item, run:'), stepList(s.steps, `${path}.steps`, ctx)),
    ];
  },
  parallel(s, path, ctx) {
    s.branches = s.branches || [];
    const out = [];
    s.branches.forEach((b, bi) => {
      b.steps = b.steps || [];
      const bp = `${path}.branches[${bi}]`;
      out.push(h('div', { class: 'nested branch', dataset: { errorKey: bp } },
        h('div', { class: 'branch-head' },
          textControl(`Branch ${bi + 1} name`, b, 'name', { errorKey: `${bp}.name`, required: true }),
          h('button', {
            type: 'button', class: 'small danger', 'aria-label': `Remove branch ${b.name || bi + 1}`,
            onclick: () => { s.branches.splice(bi, 1); ctx.rerender(); },
          }, 'Remove branch')),
        stepList(b.steps, `${bp}.steps`, ctx)));
    });
    out.push(h('button', {
      type: 'button', class: 'small',
      onclick: () => { s.branches.push({ name: `branch_${s.branches.length + 1}`, steps: [] }); ctx.rerender(); },
    }, '+ Add branch'));
    return [h('div', { class: 'parallel' }, out)];
  },
  delay(s, path) {
    return [h('div', { class: 'grid2' },
      textControl('Wait for', s, 'duration', { errorKey: `${path}.duration`, placeholder: '10m, 2h, 3d', help: 'A duration…' }),
      textControl('…or until', s, 'until', { errorKey: `${path}.until`, pick: 'expr', placeholder: 'trigger.send_at', help: '…or an expression giving a time (RFC 3339).' }))];
  },
  wait_for_event(s, path, ctx, siblings) {
    const approval = !!s.approval;
    const modeSel = h('select', { name: 'wait-mode' },
      h('option', { value: 'event', selected: !approval }, 'a matching webhook event'),
      h('option', { value: 'approval', selected: approval }, 'a human approval'));
    modeSel.addEventListener('change', () => {
      if (modeSel.value === 'approval') {
        delete s.event;
        delete s.match;
        s.approval = s.approval || { message: '' };
      } else delete s.approval;
      ctx.rerender();
    });
    const out = [field('Wait for', modeSel)];
    if (approval) {
      const a = s.approval;
      out.push(textControl('Approval message', a, 'message', { errorKey: `${path}.approval.message`, pick: 'template', multiline: true }));
      const appr = h('input', { type: 'text', name: 'approvers', placeholder: 'alice@example.com, bob@example.com' });
      appr.value = (a.approvers || []).join(', ');
      appr.addEventListener('input', () => {
        const list = appr.value.split(',').map((x) => x.trim()).filter(Boolean);
        if (list.length) a.approvers = list;
        else delete a.approvers;
      });
      out.push(field('Approvers', appr, { help: 'Comma-separated; empty lets anyone with an editor key decide.', errorKey: `${path}.approval.approvers` }));
    } else {
      out.push(textControl('Event type', s, 'event', { errorKey: `${path}.event`, placeholder: 'payment_intent.succeeded' }));
      out.push(textControl('Match', s, 'match', { errorKey: `${path}.match`, pick: 'expr', placeholder: 'received.data.object.id == trigger.data.object.id', help: 'Optional expression over received (the incoming event).' }));
    }
    out.push(textControl('Correlation key', s, 'correlation_key', { errorKey: `${path}.correlation_key`, pick: 'expr', placeholder: 'trigger.data.object.customer', help: 'Which incoming event belongs to this run.' }));
    out.push(h('div', { class: 'grid2' },
      textControl('Give up after', s, 'wait_timeout', { errorKey: `${path}.wait_timeout`, placeholder: '3d' }),
      selectControl('On timeout go to', s, 'on_timeout', siblingTargets(siblings, s), { errorKey: `${path}.on_timeout`, empty: '(the next step)' })));
    return out;
  },
  respond(s, path) {
    return [
      numberControl('HTTP status', s, 'status', { errorKey: `${path}.status`, min: 100, placeholder: '200' }),
      kvControl('Headers', s, 'headers', { errorKey: `${path}.headers`, keyLabel: 'Header' }),
      jsonControl('Body', s, 'body', { errorKey: `${path}.body`, pick: 'template', placeholder: '{"ok": true}' }),
    ];
  },
  call_workflow(s, path, ctx) {
    const wait = h('input', { type: 'checkbox', name: 'wait', checked: s.wait !== false });
    wait.addEventListener('change', () => {
      if (wait.checked) delete s.wait;
      else s.wait = false;
    });
    return [
      selectControl('Workflow', s, 'workflow', ctx.workflows.map((w) => [w.id, w.name]), { errorKey: `${path}.workflow`, empty: '(choose a workflow)' }),
      jsonControl('Input', s, 'workflow_input', { errorKey: `${path}.workflow_input`, pick: 'template' }),
      h('div', { class: 'field check' }, h('label', {}, wait, ' Wait for it to finish and use its output')),
    ];
  },
  stop(s, path) {
    return [textControl('Message', s, 'message', { errorKey: `${path}.message`, pick: 'template' })];
  },
  fail(s, path) {
    return [textControl('Message', s, 'message', { errorKey: `${path}.message`, pick: 'template', required: true, help: 'Say why the run fails; shown in the run inspector.' })];
  },
};

function casesEditor(s, path, ctx, siblings, mode) {
  s.cases = s.cases || [];
  const targets = siblingTargets(siblings, s);
  const wrap = h('fieldset', { class: 'sub', dataset: { errorKey: `${path}.cases` } }, h('legend', {}, 'Cases (first match wins)'));
  s.cases.forEach((c, ci) => {
    const cp = `${path}.cases[${ci}]`;
    const cond = mode === 'if'
      ? textControl(`Case ${ci + 1}: if`, c, 'if', { errorKey: `${cp}.if`, pick: 'expr', placeholder: 'trigger.amount > 100' })
      : (() => {
        const inp = h('input', { type: 'text', name: 'equals', placeholder: '"paid" or 42', dataset: { pick: 'expr' } });
        inp.value = c.equals === undefined ? '' : JSON.stringify(c.equals);
        inp.addEventListener('input', () => {
          try {
            c.equals = JSON.parse(inp.value);
          } catch {
            c.equals = inp.value;
          }
        });
        return field(`Case ${ci + 1}: equals`, inp, { errorKey: `${cp}.equals`, help: 'A JSON value; plain text is a string.' });
      })();
    wrap.appendChild(h('div', { class: 'case-row', dataset: { errorKey: cp } },
      cond,
      selectControl('go to', c, 'next', targets, { errorKey: `${cp}.next`, empty: '(choose a step)', onChange: () => ctx.rerender() }),
      h('button', { type: 'button', class: 'icon danger', 'aria-label': `Remove case ${ci + 1}`, onclick: () => { s.cases.splice(ci, 1); ctx.rerender(); } }, '✕')));
  });
  wrap.appendChild(h('button', {
    type: 'button', class: 'small',
    onclick: () => { s.cases.push(mode === 'if' ? { if: '', next: '' } : { equals: '', next: '' }); ctx.rerender(); },
  }, '+ Add case'));
  wrap.appendChild(selectControl('Otherwise go to', s, 'default', targets, { errorKey: `${path}.default`, empty: '(the next step in the list)', onChange: () => ctx.rerender() }));
  return wrap;
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
