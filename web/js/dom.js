// Building DOM nodes without innerHTML: text always goes through textContent.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'state state-loading', role: 'status' }, text);
}

export function empty(text) {
  return h('p', { class: 'state state-empty' }, text);
}

export function failure(error, retry) {
  const box = h('div', { class: 'state state-error', role: 'alert' }, h('p', {}, errorText(error)));
  if (retry) box.append(h('button', { type: 'button', class: 'btn btn-small', onclick: retry }, 'Try again'));
  return box;
}

export function errorText(error) {
  const code = error && error.code ? ` (${error.code})` : '';
  return `${(error && error.message) || 'Something went wrong'}${code}`;
}

export function badge(text, kind) {
  return h('span', { class: `badge badge-${String(kind || text).toLowerCase()}` }, String(text).replace(/_/g, ' '));
}

export function link(href, text, attrs = {}) {
  return h('a', { href, ...attrs }, text);
}

/** A button that disables itself while its async handler runs. */
export function actionButton(text, handler, attrs = {}) {
  const button = h('button', { type: 'button', class: 'btn btn-small', ...attrs }, text);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await handler(button);
    } finally {
      if (button.isConnected) button.disabled = false;
    }
  });
  return button;
}
