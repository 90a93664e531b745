// ui.js: small DOM helpers shared by the pages.  Text from the server is
// always set with textContent, never parsed as HTML.

export const $ = (sel, root = document) => root.querySelector(sel);

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A status region: the element is a live region from the page's start
// (role="status", aria-atomic) so changes are announced; failures are
// announced assertively.  kind: info | busy | ok | error.  An empty
// region takes no space (.status:empty in app.css).
export function status(el, kind, message) {
  el.className = 'status status-' + kind;
  el.setAttribute('aria-live', kind === 'error' ? 'assertive' : 'polite');
  el.textContent = message || '';
}

// Disables a button while `fn` runs and says so to assistive technology.
export async function busy(button, label, fn) {
  const old = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  if (label) button.textContent = label;
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = old;
  }
}

// Unix seconds, an ISO string or a Date, as a Date (or null).
export function toDate(t) {
  if (t === null || t === undefined || t === '') return null;
  if (t instanceof Date) return t;
  if (typeof t === 'number') return new Date(t * 1000);
  if (/^\d+$/.test(String(t))) return new Date(Number(t) * 1000);
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function fmtDate(t, empty = '—') {
  const d = toDate(t);
  return d ? dateTime.format(d) : empty;
}

export function fmtTime(t) {
  const d = toDate(t);
  return d ? timeOnly.format(d) : '—';
}

// A <time> element with the machine-readable value.
export function timeEl(t, empty = '—') {
  const d = toDate(t);
  if (!d) return document.createTextNode(empty);
  return h('time', { datetime: d.toISOString(), text: dateTime.format(d) });
}

export function show(el, on = true) {
  el.hidden = !on;
}

// Moves focus to a heading or message so screen readers and keyboard users
// land on what changed.
export function focusOn(el) {
  if (!el) return;
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus();
}
