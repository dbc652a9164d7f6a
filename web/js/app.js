// The shell: sign-in guard, hash routes, the top bar, the live connection and the chat panel.

import { apiFeatures, hasFeature, resetFeatures } from './api.js';
import { mountChat } from './components/chat.js';
import { failure, h, loading, replace } from './dom.js';
import { LiveClient, liveUrl } from './live.js';
import { setViewer, signOut, token } from './session.js';

// Page modules load on first visit, so a page fetches only the code it shows.
const ROUTES = [
  { name: 'home', pattern: /^\/?$/, load: () => import('./pages/home.js'), title: 'Home', nav: 'home' },
  { name: 'signin', pattern: /^\/signin$/, load: () => import('./pages/signin.js'), title: 'Sign in', open: true },
  { name: 'dashboards', pattern: /^\/dashboards$/, load: () => import('./pages/dashboards.js'), title: 'Dashboards', nav: 'dashboards' },
  { name: 'dashboard', pattern: /^\/dashboards\/([\w-]+)$/, load: () => import('./pages/dashboard.js'), title: 'Dashboard', nav: 'dashboards' },
  { name: 'metric', pattern: /^\/metrics\/([\w-]+)$/, load: () => import('./pages/metric.js'), title: 'Metric', nav: 'dashboards' },
  { name: 'thought', pattern: /^\/thoughts\/([\w-]+)$/, load: () => import('./pages/thought.js'), title: 'Thought', nav: 'home' },
  { name: 'graph', pattern: /^\/graph$/, load: () => import('./pages/graph.js'), title: 'Knowledge graph', nav: 'graph' },
  { name: 'actions', pattern: /^\/actions$/, load: () => import('./pages/actions.js'), title: 'Actions', nav: 'actions' },
];

const main = document.getElementById('main');
const app = { live: null, chat: null, booted: false, booting: null };
let current = null;
let firstRender = true;

class Page {
  constructor(route) {
    this.name = route.name;
    this.app = app;
    this.controller = new AbortController();
    this.leaving = [];
    this.pending = [];
    this.spinner = loading();
  }

  /** Waits for the charts started so far, then marks `miq-drawn:<page>` in the Performance timeline. */
  async drawn() {
    await Promise.allSettled(this.pending.splice(0));
    if (!this.signal.aborted) performance.mark(`miq-drawn:${this.name}`);
  }

  get signal() { return this.controller.signal; }

  onLeave(fn) { this.leaving.push(fn); }

  leave() {
    this.controller.abort();
    for (const fn of this.leaving.splice(0)) {
      try { fn(); } catch (error) { console.warn('page cleanup failed', error); }
    }
  }

  /** Marks the page interactive (`data-ready` on <html>) once its first data has rendered. */
  ready() {
    if (this.signal.aborted) return;
    this.spinner.remove();
    document.documentElement.setAttribute('data-ready', this.name);
    performance.mark(`miq-ready:${this.name}`);
  }

  setTitle(text) {
    if (!this.signal.aborted) document.title = `${text} · Marketing IQ`;
  }
}

function resolve(path) {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map(decodeURIComponent) };
  }
  return null;
}

function ensureBooted() {
  if (!app.booting) {
    app.booting = boot();
    app.booting.catch(() => { app.booting = null; });
  }
  return app.booting;
}

async function boot() {
  const signedInWith = token();
  resetFeatures();
  const data = await apiFeatures('me { sub tenantId roles }');
  if (token() !== signedInWith) throw new Error('signed out while starting');
  setViewer(data.me);
  document.getElementById('identity').textContent = `${data.me.tenantId} · ${data.me.roles.join(', ')}`;
  document.getElementById('topbar').hidden = false;
  const status = document.getElementById('live-status');
  app.live = new LiveClient({
    url: liveUrl(),
    token: token(),
    onStatus: (state, info = {}) => {
      status.dataset.state = state;
      status.textContent = state === 'live' ? 'live' : state;
      if (info.resumed) window.dispatchEvent(new CustomEvent('miq:resumed'));
    },
  });
  app.chat = hasFeature('subscription', 'agentChat') ? mountChat(app) : null;
  app.booted = true;
}

function teardown() {
  if (app.live) app.live.close();
  if (app.chat) app.chat.remove();
  Object.assign(app, { live: null, chat: null, booted: false, booting: null });
  setViewer(null);
  document.getElementById('topbar').hidden = true;
}

async function show() {
  const path = location.hash.replace(/^#/, '') || '/';
  const found = resolve(path);
  if (!found) {
    replace(main, h('div', { class: 'state state-error' }, 'There is no page at this address. ', h('a', { href: '#/' }, 'Go home')));
    return;
  }
  const { route, params } = found;
  if (!route.open && !token()) {
    location.replace('#/signin');
    return;
  }
  if (current) current.leave();
  document.documentElement.removeAttribute('data-ready');
  const page = new Page(route);
  current = page;
  page.setTitle(route.title);
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === route.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const view = h('div', { class: `page page-${route.name}` });
  replace(main, page.spinner, view);
  if (!firstRender) main.focus({ preventScroll: false });
  firstRender = false;
  try {
    // Pages may ask for their data while the token is checked; they await `page.booted` before
    // using the viewer's roles or the live connection.
    page.booted = route.open ? Promise.resolve() : ensureBooted();
    page.booted.catch(() => {});
    const module = await route.load();
    if (page.signal.aborted) return;
    await Promise.all([module.default(view, params, page), page.booted]);
  } catch (error) {
    if (page.signal.aborted || error.code === 'UNAUTHENTICATED') return;
    console.error(error);
    page.spinner.remove();
    replace(view, failure(error, show));
  }
}

window.addEventListener('miq:auth-lost', (event) => {
  teardown();
  signOut();
  sessionStorage.setItem('miq.signin-message', event.detail || 'Please sign in again.');
  if (location.hash !== '#/signin') location.hash = '#/signin';
  else show();
});

document.getElementById('sign-out').addEventListener('click', () => {
  teardown();
  signOut();
  location.hash = '#/signin';
});

document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', show);
app.teardown = teardown;
show();
