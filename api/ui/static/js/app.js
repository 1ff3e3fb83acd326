// The application shell: login with an API key, navigation, and a small
// hash router (#/workflows, #/runs/ID …). Hash routes keep every UI URL
// under "/", so the server needs no catch-all that could shadow the API.

import { h, replace, toast, field } from './dom.js';
import * as api from './api.js';
import { workflowList, workflowEditor } from './workflows.js';
import { runList, runDetail } from './runs.js';
import { eventList, eventDetail } from './events.js';
import { credentialList } from './credentials.js';
import { templateGallery } from './templates.js';
// uiops: operations pages.
import { versionHistory } from './history.js';
import { deliveryList, deliveryDetail } from './deliveries.js';
import { endpointSettings } from './endpoints.js';
import { apiKeyList } from './apikeys.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');

const ROUTES = [
  [/^#\/workflows\/?$/, (m, r, v) => workflowList(v)],
  [/^#\/templates\/?$/, (m, r, v) => templateGallery(v)],
  [/^#\/workflows\/([^/?]+)$/, (m, r, v) => workflowEditor(v, decodeURIComponent(m[1]))],
  [/^#\/runs\/?$/, (m, r, v) => runList(v)],
  [/^#\/runs\/([^/?]+)$/, (m, r, v) => runDetail(v, decodeURIComponent(m[1]), r)],
  [/^#\/events\/?$/, (m, r, v) => eventList(v)],
  [/^#\/events\/([^/?]+)$/, (m, r, v) => eventDetail(v, decodeURIComponent(m[1]))],
  [/^#\/credentials\/?$/, (m, r, v) => credentialList(v)],
  // uiops: operations pages.
  [/^#\/workflows\/([^/?]+)\/history$/, (m, r, v) => versionHistory(v, decodeURIComponent(m[1]))],
  [/^#\/deliveries\/?$/, (m, r, v) => deliveryList(v)],
  [/^#\/deliveries\/([^/?]+)$/, (m, r, v) => deliveryDetail(v, decodeURIComponent(m[1]))],
  [/^#\/endpoints\/([^/?]+)$/, (m, r, v) => endpointSettings(v, decodeURIComponent(m[1]))],
  [/^#\/api-keys\/?$/, (m, r, v) => apiKeyList(v)],
];

let leaveHooks = [];

function route() {
  for (const fn of leaveHooks) fn();
  leaveHooks = [];
  const hash = location.hash || '#/workflows';
  if (!api.getKey()) {
    renderNav(false);
    loginPage();
    return;
  }
  renderNav(true);
  const path = hash.split('?')[0];
  for (const [re, fn] of ROUTES) {
    const m = path.match(re);
    if (m) {
      // Each visit renders into a fresh container: a slow load from the
      // page the user just left then fills a detached element instead of
      // overwriting the page they are on now.
      const view = h('div', { class: 'view' });
      replace(main, view);
      fn(m, { onLeave: (cb) => leaveHooks.push(cb) }, view);
      document.title = `${titleOf(path)} · hookflow`;
      main.focus({ preventScroll: true });
      return;
    }
  }
  if (path === '#/login' || path === '#/' || path === '#') {
    location.hash = '#/workflows';
    return;
  }
  replace(main, h('h2', {}, 'Page not found'), h('p', {}, h('a', { href: '#/workflows' }, 'Go to workflows')));
}

function titleOf(path) {
  const seg = path.split('/')[1] || 'workflows';
  return seg.charAt(0).toUpperCase() + seg.slice(1);
}

// isAdmin says whether the signed-in key may manage API keys (the nav
// shows "API keys" only then); probed once per sign-in, since no route
// names a key's own scope.
let isAdmin = false;
let adminProbe = null;
function probeAdmin() {
  if (!adminProbe) {
    adminProbe = api.get('/api-keys', { limit: 1 }).then(() => true, () => false).then((ok) => {
      if (ok !== isAdmin) {
        isAdmin = ok;
        renderNav(!!api.getKey());
      }
      return ok;
    });
  }
  return adminProbe;
}

// navLinks holds the signed-in nav's elements. They are built once per
// sign-in and then only updated: rebuilt on every route and when the
// admin probe answered, the nav replaced the link a user was pressing,
// and the browser then fires no click.
let navLinks = null;

function renderNav(loggedIn) {
  if (loggedIn) probeAdmin();
  else {
    isAdmin = false;
    adminProbe = null;
  }
  if (!loggedIn) {
    navLinks = null;
    replace(nav, []);
    return;
  }
  if (!navLinks) {
    const link = (href, label) => h('a', { href }, label);
    navLinks = {
      items: [link('#/workflows', 'Workflows'), link('#/runs', 'Runs'), link('#/events', 'Events'),
        link('#/credentials', 'Credentials'), link('#/deliveries', 'Deliveries')],
      keys: link('#/api-keys', 'API keys'),
      spacer: h('span', { class: 'spacer' }),
    };
    replace(nav, [...navLinks.items, navLinks.spacer,
      h('button', { type: 'button', class: 'small', id: 'logout', onclick: logout }, 'Log out')]);
  }
  if (isAdmin && !navLinks.keys.isConnected) nav.insertBefore(navLinks.keys, navLinks.spacer);
  if (!isAdmin && navLinks.keys.isConnected) navLinks.keys.remove();
  const here = (location.hash || '#/workflows').split('?')[0];
  for (const a of [...navLinks.items, navLinks.keys]) {
    if (here.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function logout() {
  api.setKey('');
  api.resetCache();
  adminProbe = null;
  isAdmin = false;
  toast('Logged out. The key is removed from this browser.');
  location.hash = '#/login';
  route();
}

function loginPage() {
  const key = h('input', { type: 'password', id: 'api-key', name: 'api-key', autocomplete: 'off', required: true, spellcheck: 'false', placeholder: 'hfk_…' });
  const err = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'card login', 'aria-labelledby': 'login-title' },
    h('h2', { id: 'login-title' }, 'Sign in to hookflow'),
    field('API key', key, { help: '`hookflow dev` prints an admin key in its start-up banner. Admins create more keys through the API. The key is kept in this browser only.', required: true }),
    err,
    h('button', { type: 'submit', class: 'primary', id: 'login' }, 'Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const k = key.value.trim();
    if (!k) return;
    try {
      // Any authenticated read proves the key; a viewer key can do this one.
      await api.get('/workflows', { limit: 1 }, { key: k });
      api.setKey(k);
      api.resetCache();
      adminProbe = null;
      toast('Signed in.', 'ok');
      if (!location.hash || location.hash === '#/login') location.hash = '#/workflows';
      else route();
    } catch (ex) {
      const msg = ex.status === 401 ? 'That key was not accepted: it is unknown or revoked. Copy it again from the `hookflow dev` banner.' : ex.message;
      replace(err, h('p', { class: 'field-error', id: 'login-error', role: 'alert' }, msg));
      key.setAttribute('aria-invalid', 'true');
    }
  });
  replace(main, form);
  key.focus();
}

api.setUnauthorizedHandler(() => {
  api.setKey('');
  toast('Your API key was not accepted any more. Please sign in again.', 'error');
  route();
});

window.addEventListener('hashchange', route);
if (!location.hash) location.hash = api.getKey() ? '#/workflows' : '#/login';
route();
