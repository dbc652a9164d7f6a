// Sign-in: a development picker (tenant × role, via POST /dev/token) where the server offers it,
// and a field to paste a bearer token everywhere.

import { devToken, devTokensAvailable } from '../api.js';
import { errorText, h } from '../dom.js';
import { claims, signIn } from '../session.js';

const DEMO_TENANTS = [['acme', 'Acme Outdoor Supply'], ['rare_seeds', 'Rare Seeds']];
const ROLES = [
  ['ANALYST', 'Analyst: acts on thoughts, requests actions'],
  ['ADMIN', 'Admin: also approves critical actions'],
  ['VIEWER', 'Viewer: reads only'],
  ['API_USER', 'API user: reads only'],
];

export default async function signinPage(view, _params, page) {
  if (page.app.booted) page.app.teardown();
  const message = sessionStorage.getItem('miq.signin-message');
  sessionStorage.removeItem('miq.signin-message');
  const status = h('p', { class: 'notice notice-error', role: 'alert', hidden: !message }, message || '');
  const fail = (text) => { status.textContent = text; status.hidden = false; };
  const done = (value) => {
    signIn(value);
    location.hash = '#/';
  };

  const picker = h('form', { class: 'card', id: 'dev-signin', hidden: true, 'aria-labelledby': 'dev-title' },
    h('h2', { id: 'dev-title' }, 'Development sign-in'),
    h('p', { class: 'muted small' }, 'This server runs in development: pick a demo store and a role.'),
    h('div', { class: 'field' }, h('label', { for: 'dev-tenant' }, 'Store (tenant)'),
      h('select', { id: 'dev-tenant', name: 'tenant' }, DEMO_TENANTS.map(([id, name]) => h('option', { value: id }, `${name} (${id})`)))),
    h('div', { class: 'field' }, h('label', { for: 'dev-role' }, 'Role'),
      h('select', { id: 'dev-role', name: 'role' }, ROLES.map(([id, text]) => h('option', { value: id }, text)))),
    h('button', { type: 'submit', class: 'btn' }, 'Sign in'));
  picker.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = picker.querySelector('button');
    button.disabled = true;
    try {
      done(await devToken(picker.tenant.value, picker.role.value));
    } catch (error) {
      fail(errorText(error));
      button.disabled = false;
    }
  });

  const paste = h('form', { class: 'card', id: 'token-signin', 'aria-labelledby': 'token-title' },
    h('h2', { id: 'token-title' }, 'Sign in with a token'),
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'Bearer token'),
      h('textarea', { id: 'token', name: 'token', rows: 4, autocomplete: 'off', spellcheck: 'false', required: true,
        placeholder: 'eyJhbGciOi…' })),
    h('button', { type: 'submit', class: 'btn' }, 'Sign in'));
  paste.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = paste.token.value.trim().replace(/^Bearer\s+/i, '');
    const found = claims(value);
    if (!found) return fail('That does not look like a token (three dot-separated parts).');
    if (found.exp && found.exp * 1000 < Date.now()) return fail('That token has expired.');
    return done(value);
  });

  const or = h('p', { class: 'or', hidden: true }, 'or');
  view.append(h('section', { class: 'signin' },
    h('h1', {}, 'Sign in to Marketing IQ'),
    h('p', { class: 'muted' }, 'What changed in your numbers, why, and what to do about it.'),
    status, picker, or, paste));
  page.setTitle('Sign in');

  if (await devTokensAvailable()) {
    picker.hidden = false;
    or.hidden = false;
  }
  page.ready();
}
