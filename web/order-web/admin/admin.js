// The admin console: a small single-page app over order-web's and pay-web's admin APIs, like the
// storefront (no framework, no build step). Every action is checked again by the server; the
// page checks what it can before sending, asks before what cannot be undone, and says what
// happened in words for people (chosen by the API's `code`, never its developer `message`).

import { sessionRefresher } from '/session-refresh.js';

const TOKEN_KEY = 'shop.admin.token';
// The session's refresh token: a new access token when one expires.
const REFRESH_KEY = 'shop.admin.refresh';
const PAGE_SIZE = 20;
/** The API's limits, as the page checks them before sending (docs/api.md). */
const LIMITS = { name: 128, description: 2000, reason: 200, note: 200, stock: 10_000_000, query: 64 };
const MONEY = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$/;
const ID = /^[1-9][0-9]{0,19}$/;
const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'COMPLETED', 'CANCELLED', 'REFUNDED'];
const AFTER_SALES_STATUSES = ['OPEN', 'APPROVED', 'REJECTED', 'REFUNDED', 'REFUND_FAILED'];
const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'];

const session = { token: localStorage.getItem(TOKEN_KEY), payWeb: `${location.protocol}//${location.hostname}:7002` };
const settings = fetch('/storefront.json')
  .then((response) => response.json())
  .then((body) => {
    if (body.payWebUrl) session.payWeb = body.payWebUrl;
  })
  .catch(() => undefined);

// ---------- helpers ----------

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const view = () => $('#view');
const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const yuan = (amount) => `¥${esc(amount)}`;
const cents = (amount) => Math.round(Number(amount) * 100);
const fromCents = (value) => (value / 100).toFixed(2);
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const plural = (count, one, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
/** A UTC day (YYYY-MM-DD), `offsetDays` from today. */
const utcDay = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
/** A China (UTC+8) day, as Alipay's bill counts them. */
const chinaDay = (offsetDays = 0) => new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
const shiftDay = (isoDay, days) => new Date(Date.parse(`${isoDay}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const STATUS_WORDS = { REFUND_FAILED: 'REFUND FAILED' };
const badge = (status) => `<span class="status ${esc(status)}">${esc(STATUS_WORDS[status] ?? status)}</span>`;

/** An Idempotency-Key (getRandomValues works outside secure contexts too, unlike randomUUID). */
function newKey() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The Idempotency-Key of a form's attempt: sent again only to repeat the very same attempt after
 * it got no answer or a 5xx; any other answer, or a change to the form, starts a new attempt.
 */
function attemptKey(form) {
  if (!form.dataset.key) {
    form.dataset.key = newKey();
    form.addEventListener('input', () => delete form.dataset.key, { once: true });
  }
  return form.dataset.key;
}
function settleAttempt(form, error) {
  if (!(error instanceof ApiError && error.retryable)) delete form.dataset.key;
}

// ---------- the API ----------

/** What people read for the API's stable codes: per action first (`ship.ORDER_STATE`), then in general. */
const MESSAGES = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  'signIn.UNAUTHENTICATED': 'Wrong username or password.',
  FORBIDDEN: 'This account is not an admin.',
  USER_BANNED: 'This account is banned.',
  NOT_FOUND: 'Not found: it may have been removed, or the number is wrong.',
  ORDER_STATE: 'The order has moved on meanwhile, so this cannot be done now. The page shows it as it is now.',
  'ship.ORDER_STATE': 'It is no longer waiting to ship: it was cancelled, refunded or shipped meanwhile.',
  'cancel.ORDER_STATE': 'It can no longer be cancelled: it was paid or cancelled meanwhile. A paid order is refunded instead.',
  REFUND_IN_PROGRESS: 'A refund of this order is running. Try again once it has finished.',
  'ship.REFUND_IN_PROGRESS': 'A refund of this order is running: ship it once the refund has finished.',
  AFTER_SALES_STATE: 'This request has been decided already.',
  INSUFFICIENT_STOCK: 'There are fewer units in stock than you are taking away (orders may have taken some meanwhile).',
  INSUFFICIENT_BALANCE: 'The balance is lower than the amount you are taking away (it may have been spent meanwhile).',
  USER_STATE: 'This cannot be done to this user.',
  'ban.USER_STATE': 'Admins cannot be banned.',
  IDEMPOTENCY_KEY_REUSED: 'This change was already made with other values. Reload the page and make it again.',
  INVALID_ARGUMENT: 'The shop refused the values sent. Check the fields and try again.',
  INVALID_IMAGE: 'This file is not a picture the shop can read. Use a JPEG, PNG, WebP or GIF picture.',
  UNSUPPORTED_MEDIA_TYPE: 'This kind of file cannot be used. Use a JPEG, PNG, WebP or GIF picture.',
  PAYLOAD_TOO_LARGE: 'The file is too large.',
  ALREADY_EXISTS: 'It exists already.',
  NETWORK: 'The shop cannot be reached. Check the connection and try again.',
  UNAVAILABLE: 'A service is busy or restarting. Try again in a moment.',
  RATE_LIMITED: 'Too many attempts in a short time. Wait a few minutes, then try again.',
  UNEXPECTED: 'Something went wrong. Try again in a moment.',
};

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** No answer or a 5xx: the same attempt may be repeated. */
  get retryable() {
    return this.status === 0 || this.status >= 500;
  }
}

/** A refusal of the page itself (a field it checked), said like the API's. */
class PageRefusal extends Error {}

/** New tokens from the session's refresh token (session-refresh.js); false when the session is over. */
const refreshSession = sessionRefresher(REFRESH_KEY, (tokens) => keepSession(tokens));

function keepSession({ token, refreshToken }) {
  session.token = token;
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(REFRESH_KEY, refreshToken);
}

/** Calls an API; a refused access token is renewed once and the call sent again (a 401 did nothing). */
async function call(method, url, { json, raw, type, headers = {} } = {}, renewed = false) {
  const init = { method, headers: { ...headers } };
  if (session.token) init.headers.authorization = `Bearer ${session.token}`;
  if (json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (raw !== undefined) {
    init.headers['content-type'] = type;
    init.body = raw;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'no answer');
  }
  const data = response.headers.get('content-type')?.includes('json') ? await response.json().catch(() => ({})) : {};
  if (!response.ok) {
    const refused = response.status === 401 && !url.endsWith('/auth/login');
    if (refused && session.token && !renewed && (await refreshSession())) return call(method, url, { json, raw, type, headers }, true);
    if (refused) forgetSession(MESSAGES.UNAUTHENTICATED);
    throw new ApiError(response.status, data.code ?? (response.status >= 500 ? 'UNAVAILABLE' : 'UNEXPECTED'), data.message ?? `HTTP ${response.status}`);
  }
  return data;
}
const api = (method, path, json, headers) => call(method, path, { json, headers });
const payApi = async (method, path, json) => {
  await settings;
  return call(method, session.payWeb + path, { json });
};

/** The sentence for an error: the page's own refusal, else by the API's code for this action. */
function explain(error, action = '') {
  if (error instanceof PageRefusal) return error.message;
  if (!(error instanceof ApiError)) return MESSAGES.UNEXPECTED;
  const text = MESSAGES[`${action}.${error.code}`] ?? MESSAGES[error.code];
  if (text) return text;
  return error.status >= 500 ? MESSAGES.UNAVAILABLE : MESSAGES.UNEXPECTED;
}

// ---------- messages, errors next to what they concern, the confirmation dialog ----------

/** Information, announced politely (the region stays in the page, empty when silent). */
function say(text) {
  $('#message').textContent = text;
}

function reveal(element) {
  element.scrollIntoView({ block: 'center' });
  element.focus({ preventScroll: true });
}

function clearErrors() {
  $$('.error-box').forEach((box) => box.remove());
  $$('.field-error').forEach((message) => {
    const field = document.querySelector(`[aria-describedby~="${message.id}"]`);
    if (field) {
      field.removeAttribute('aria-invalid');
      const rest = field.getAttribute('aria-describedby').split(/\s+/).filter((id) => id !== message.id);
      if (rest.length) field.setAttribute('aria-describedby', rest.join(' '));
      else field.removeAttribute('aria-describedby');
    }
    message.remove();
  });
}

/** An error under the field (which has an id): the field invalid, described by it, focused. */
function fieldError(field, text) {
  const id = `${field.id}-error`;
  let message = document.getElementById(id);
  if (!message) {
    message = document.createElement('span');
    message.className = 'field-error';
    message.id = id;
    (field.closest('label') ?? field.parentElement).append(message);
  }
  message.textContent = text;
  field.setAttribute('aria-invalid', 'true');
  const described = new Set((field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean));
  described.add(id);
  field.setAttribute('aria-describedby', [...described].join(' '));
  reveal(field);
}

/**
 * An error next to `anchor` (in its form, table cell, panel or after its row of actions; at the
 * top of the view without one): an alert, scrolled into view and focused. `retry` adds "Try again".
 */
function showError(anchor, text, { retry, focus = true, html = false } = {}) {
  const host = (anchor?.isConnected && anchor.closest('.error-host, form, td, .panel, .actions')) || view();
  const box = document.createElement('div');
  box.className = 'error-box';
  box.setAttribute('role', 'alert');
  box.tabIndex = -1;
  const message = document.createElement('div');
  if (html) message.innerHTML = text;
  else message.textContent = text;
  box.append(message);
  if (retry) {
    const again = document.createElement('button');
    again.type = 'button';
    again.textContent = 'Try again';
    again.addEventListener('click', () => retry());
    box.append(again);
  }
  const heading = $(':scope > h1', host);
  if (host === view() && heading) heading.after(box);
  else if (host === view()) host.prepend(box);
  else if (host.matches('.actions')) host.after(box);
  else host.append(box);
  if (focus) reveal(box);
  return box;
}

/** Asks before what cannot be undone: a modal dialog, "no" focused first, Escape answers no, the focus returns. */
function confirmDialog({ title, text, yes, no = 'Keep it as it is', danger = false }) {
  const dialog = $('#confirm');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-yes').textContent = yes;
  $('#confirm-yes').className = danger ? 'danger-solid' : 'primary';
  $('#confirm-no').textContent = no;
  dialog.returnValue = '';
  const back = document.activeElement;
  dialog.showModal();
  $('#confirm-no').focus();
  return new Promise((resolve) =>
    dialog.addEventListener(
      'close',
      () => {
        if (back?.isConnected) back.focus();
        resolve(dialog.returnValue === 'yes');
      },
      { once: true },
    ),
  );
}

/**
 * Runs an action of a button: errors of the last action cleared, the button disabled meanwhile;
 * on success the view is redrawn and `done` said; on failure the error stands next to the button.
 */
async function act(button, work, { done, action = '', form } = {}) {
  clearErrors();
  say('');
  button.disabled = true;
  try {
    const result = await work();
    if (form) settleAttempt(form);
    const text = typeof done === 'function' ? done(result) : done;
    if (result?.redirect && result.redirect !== location.hash) {
      // Said once the next view is drawn (the hash change clears what was said before).
      session.pendingMessage = text;
      location.hash = result.redirect;
    } else {
      await route();
      say(text ?? '');
    }
    return true;
  } catch (error) {
    if (form) settleAttempt(form, error);
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED' && action !== 'signIn') return void route();
    if (button.isConnected) button.disabled = false;
    if (error instanceof PageRefusal && error.field) fieldError(error.field, error.message);
    else showError(button, explain(error, action), error instanceof ApiError && error.retryable ? { retry: () => button.click() } : {});
    return false;
  } finally {
    if (button.isConnected) button.disabled = false;
  }
}

/** Field checks before sending: each answers the value or throws a PageRefusal naming the field. */
const check = {
  text(field, what, max, { required = true } = {}) {
    const value = field.value.trim();
    if (required && !value) throw refusal(field, `Enter ${what}.`);
    if (value.length > max) throw refusal(field, `Use at most ${max} characters (${value.length} now).`);
    return value;
  },
  money(field, what, { positive = true } = {}) {
    const value = field.value.trim();
    if (!value) throw refusal(field, `Enter ${what}, in yuan, like 12.50.`);
    if (!MONEY.test(value)) throw refusal(field, `Write ${what} in yuan with at most two decimals, like 12.50.`);
    if (positive && cents(value) === 0) throw refusal(field, `${what[0].toUpperCase()}${what.slice(1)} must be more than zero.`);
    return value;
  },
  integer(field, what, min, max) {
    const value = field.value.trim();
    if (!/^-?[0-9]+$/.test(value)) throw refusal(field, `Enter ${what} as a whole number.`);
    const number = Number(value);
    if (number < min || number > max) throw refusal(field, `Enter ${what} between ${min.toLocaleString()} and ${max.toLocaleString()}.`);
    return number;
  },
  id(field, what) {
    const value = field.value.trim();
    if (!ID.test(value)) throw refusal(field, `Enter ${what}: the number, digits only.`);
    return value;
  },
};
function refusal(field, text) {
  const error = new PageRefusal(text);
  error.field = field;
  return error;
}

// ---------- drawing ----------

/** A table that reflows on phones: each cell carries its column's label. */
function table(columns, rows, { empty = 'Nothing here yet.', caption = '', id = '' } = {}) {
  if (rows.length === 0) return `<p class="muted"${id ? ` id="${id}"` : ''}>${esc(empty)}</p>`;
  const head = columns.map((c) => `<th scope="col"${c.num ? ' class="num"' : ''}>${c.head ?? esc(c.label)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((c) => `<td data-label="${esc(c.label)}"${c.num ? ' class="num"' : ''}>${c.cell(row)}</td>`).join('')}</tr>`)
    .join('');
  return `<table${id ? ` id="${id}"` : ''}>${caption ? `<caption class="visually-hidden">${esc(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Page links; a page past the end reads as the last one. */
function pager(page, total, href, size = PAGE_SIZE) {
  const pages = Math.max(1, Math.ceil(total / size));
  const shown = Math.min(page, pages);
  const prev = shown > 1 ? `<a href="${href(shown - 1)}" rel="prev">Previous page</a>` : '';
  const next = shown < pages ? `<a href="${href(shown + 1)}" rel="next">Next page</a>` : '';
  return `<nav class="pager" aria-label="Pages">${prev}<span>Page ${shown} of ${pages} · ${plural(total, 'item')}</span>${next}</nav>`;
}

/** A page number past the end (a stale link, a list that shrank) shows the last page instead. */
function pastTheEnd(page, total, href, size = PAGE_SIZE) {
  const last = Math.max(1, Math.ceil(total / size));
  if (page <= last) return false;
  location.replace(href(last));
  return true;
}

/** Filter links (status tabs) with the current one marked. */
function tabs(label, values, current, href, word = (value) => value) {
  const links = values.map((value) => `<a href="${href(value)}"${value === current ? ' aria-current="true"' : ''}>${esc(word(value))}</a>`);
  return `<nav class="tabs" aria-label="${esc(label)}">${links.join('')}</nav>`;
}

let charts = [];
function show(title, html) {
  for (const chart of charts) chart.destroy();
  charts = [];
  document.title = `${title} · Shop admin`;
  view().innerHTML = `<h1 tabindex="-1">${esc(title)}</h1>${html}`;
  $('h1', view()).focus();
  const section = `#/${location.hash.slice(2).split(/[/?]/)[0]}`;
  for (const link of $$('#nav a')) {
    if (link.getAttribute('href') === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

const queryOf = () => new URLSearchParams(location.hash.split('?')[1] ?? '');
const pageOf = (query) => Math.max(1, Math.min(10_000, Number.parseInt(query.get('page') ?? '1', 10) || 1));
const hashWith = (path, params) => {
  const kept = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  return `#/${path}${kept.size ? `?${kept}` : ''}`;
};

/** Who changed a status, for people: "admin 12", "the customer", "the shop (pay deadline)". */
function actorOf(actor) {
  const [kind, rest] = String(actor ?? '').split(/:(.*)/s);
  if (kind === 'admin') return `admin ${rest}`;
  if (kind === 'user') return 'the customer';
  if (kind === 'system') return `the shop${rest ? ` (${rest.replace(/[-_]/g, ' ')})` : ''}`;
  return actor;
}

// ---------- session ----------

/** The token's claims (role, sub = the admin's user id), read without checking: the server checks. */
function claimsOf(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}
const roleOf = (token) => claimsOf(token).role;

/** Who shipped an order, when it was not this admin: shipping a shipped order answers it as it is. */
function shippedByAnother(order) {
  const shipped = [...order.history].reverse().find((h) => h.to === 'SHIPPED');
  return shipped && shipped.actor !== `admin:${claimsOf(session.token).sub}` ? actorOf(shipped.actor) : undefined;
}

/** Signing out ends the session at the shop too. */
function signOut() {
  if (session.token) void api('POST', '/api/v1/auth/logout').catch(() => undefined);
  forgetSession();
}

/** Forgets the tokens; `notice` is said on the sign-in page (why the admin has to sign in again). */
function forgetSession(notice = '') {
  session.notice = notice;
  session.token = null;
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(REFRESH_KEY);
  $('#nav').hidden = true;
}

function signInView(notice = '') {
  show(
    'Sign in',
    `${notice ? `<p class="notice">${esc(notice)}</p>` : ''}
     <form id="signin" class="panel form" novalidate>
       <label>Username <input id="username" name="username" autocomplete="username" required></label>
       <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
       <div class="actions"><button class="primary" id="signin-submit">Sign in</button></div>
     </form>`,
  );
  $('#signin').addEventListener('submit', (event) => {
    event.preventDefault();
    void act(
      $('#signin-submit'),
      async () => {
        const username = check.text($('#username'), 'your username', 64);
        if (!$('#password').value) throw refusal($('#password'), 'Enter your password.');
        const signedIn = await api('POST', '/api/v1/auth/login', { username, password: $('#password').value });
        if (roleOf(signedIn.token) !== 'ADMIN') throw new ApiError(403, 'FORBIDDEN', 'not an admin');
        keepSession(signedIn);
      },
      { action: 'signIn' },
    );
  });
}

// ---------- dashboard ----------

const COLORS = { blue: '#0b5cd5', red: '#a40e26', green: '#116329', amber: '#7d4e00', grey: '#57606a' };

function drawChart(id, type, labels, datasets, { percent = false, stacked = false } = {}) {
  const canvas = document.getElementById(id);
  if (!canvas || !window.Chart) return;
  const y = { beginAtZero: true, stacked, ticks: percent ? { callback: (value) => `${value}%` } : { precision: 0 } };
  if (percent) y.max = 100;
  charts.push(
    new window.Chart(canvas, {
      type,
      data: { labels, datasets: datasets.map((set) => ({ borderColor: set.backgroundColor, spanGaps: true, ...set })) },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { stacked }, y } },
    }),
  );
}

async function dashboardView() {
  const from = utcDay(-29);
  const to = utcDay(0);
  const [orders, payments, goods] = await Promise.all([
    api('GET', `/api/v1/admin/stats/orders?from=${from}&to=${to}`),
    payApi('GET', `/api/v1/admin/stats/payments?from=${from}&to=${to}`),
    api('GET', '/api/v1/admin/goods?sort=stock-asc&size=20'),
  ]);
  const sum = (rows, key) => rows.reduce((total, row) => total + Number(row[key]), 0);
  const sumCents = (rows, key) => fromCents(rows.reduce((total, row) => total + cents(row[key]), 0));
  const payCount = sum(payments.days, 'payments');
  const rate = payCount ? `${Math.round((100 * sum(payments.days, 'paid')) / payCount)}%` : 'no payment yet';
  const lowStock = goods.items.filter((g) => g.stock < 10);
  const labels = orders.days.map((d) => d.day.slice(5));
  const byDay = orders.days.map((d, i) => ({ ...d, ...payments.days[i] }));
  const dayRate = (d) => (d.payments ? Math.round((100 * d.paid) / d.payments) : null);
  show(
    'Dashboard',
    `<p class="muted">The last 30 days, ${esc(from)} to ${esc(to)} (UTC days), from the shop's own data.</p>
     <div class="cards">
       <div class="card"><div class="muted">Orders placed</div><div class="value" id="kpi-placed">${sum(orders.days, 'placed')}</div></div>
       <div class="card"><div class="muted">Orders paid</div><div class="value" id="kpi-paid">${sum(orders.days, 'paid')}</div></div>
       <div class="card"><div class="muted">Revenue</div><div class="value" id="kpi-revenue">${yuan(sumCents(orders.days, 'revenue'))}</div></div>
       <div class="card"><div class="muted">Payment success</div><div class="value" id="kpi-rate">${esc(rate)}</div></div>
       <div class="card"><div class="muted">Refunded</div><div class="value" id="kpi-refunded">${yuan(sumCents(payments.days, 'refunded'))}</div></div>
       <div class="card"><div class="muted">Low stock (under 10)</div><div class="value" id="kpi-low">${lowStock.length}</div></div>
     </div>
     <div class="charts">
       <figure class="chart"><figcaption id="cap-orders">Orders per day: placed, paid, cancelled unpaid, refused at placement</figcaption><canvas id="chart-orders" role="img" aria-labelledby="cap-orders" aria-describedby="day-numbers-note"></canvas></figure>
       <figure class="chart"><figcaption id="cap-revenue">Revenue per day (yuan, Alipay and balance)</figcaption><canvas id="chart-revenue" role="img" aria-labelledby="cap-revenue" aria-describedby="day-numbers-note"></canvas></figure>
       <figure class="chart"><figcaption id="cap-rate">Payment success per day (paid of the payments created)</figcaption><canvas id="chart-rate" role="img" aria-labelledby="cap-rate" aria-describedby="day-numbers-note"></canvas></figure>
       <figure class="chart"><figcaption id="cap-refunds">Refunds per day: succeeded, failed, still running</figcaption><canvas id="chart-refunds" role="img" aria-labelledby="cap-refunds" aria-describedby="day-numbers-note"></canvas></figure>
     </div>
     <details class="panel" id="day-numbers">
       <summary>Numbers by day</summary>
       <p class="muted" id="day-numbers-note">The charts' numbers, day by day, are in the table "Numbers by day" below the charts.</p>
       ${table(
         [
           { label: 'Day', cell: (d) => esc(d.day) },
           { label: 'Placed', cell: (d) => esc(d.placed), num: true },
           { label: 'Paid', cell: (d) => esc(d.paid), num: true },
           { label: 'Cancelled', cell: (d) => esc(d.cancelled), num: true },
           { label: 'Refused', cell: (d) => esc(d.refused), num: true },
           { label: 'Revenue', cell: (d) => yuan(d.revenue), num: true },
           { label: 'Payment success', cell: (d) => (dayRate(d) === null ? '–' : `${dayRate(d)}%`), num: true },
           { label: 'Refunds', cell: (d) => `${d.refundsSucceeded} ok, ${d.refundsFailed} failed, ${d.refundsPending} running`, num: true },
           { label: 'Refunded', cell: (d) => yuan(d.refunded), num: true },
         ],
         [...byDay].reverse(),
         { caption: 'Numbers by day, newest first' },
       )}
     </details>
     <h2 id="low-stock">Low stock</h2>
     <p class="muted">Goods with fewer than 10 units, lowest first (at most 20).</p>
     ${table(
       [
         { label: 'Goods', cell: (g) => `<a href="#/goods/${esc(g.goodsId)}">${esc(g.name)}</a>${g.onSale ? '' : ' <span class="status OFF">off sale</span>'}` },
         { label: 'Stock', cell: (g) => esc(g.stock), num: true },
       ],
       lowStock,
       { empty: 'Every goods has 10 or more in stock.', caption: 'Low stock', id: 'low-stock-table' },
     )}`,
  );
  drawChart('chart-orders', 'bar', labels, [
    { label: 'placed', data: orders.days.map((d) => d.placed), backgroundColor: COLORS.blue },
    { label: 'paid', data: orders.days.map((d) => d.paid), backgroundColor: COLORS.green },
    { label: 'cancelled', data: orders.days.map((d) => d.cancelled), backgroundColor: COLORS.amber },
    { label: 'refused', data: orders.days.map((d) => d.refused), backgroundColor: COLORS.red },
  ]);
  drawChart('chart-revenue', 'line', labels, [{ label: 'revenue (yuan)', data: orders.days.map((d) => Number(d.revenue)), backgroundColor: COLORS.green }]);
  drawChart('chart-rate', 'line', labels, [{ label: 'paid of created (%)', data: byDay.map(dayRate), backgroundColor: COLORS.blue }], { percent: true });
  drawChart(
    'chart-refunds',
    'bar',
    labels,
    [
      { label: 'succeeded', data: payments.days.map((d) => d.refundsSucceeded), backgroundColor: COLORS.green },
      { label: 'failed', data: payments.days.map((d) => d.refundsFailed), backgroundColor: COLORS.red },
      { label: 'running', data: payments.days.map((d) => d.refundsPending), backgroundColor: COLORS.amber },
    ],
    { stacked: true },
  );
}

// ---------- orders ----------

/** A day typed in the filter (the admin's local calendar) as the API's instant: its local midnight. */
const localMidnight = (isoDay, plusDays = 0) => {
  const [y, m, d] = isoDay.split('-').map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
};
const orderTotal = (o) => fromCents(cents(o.goodsAmount) + cents(o.shippingFee));
const linesOf = (o) => o.items.map((l) => `${esc(l.name)} ×${esc(l.quantity)}`).join(', ');

async function ordersView() {
  const query = queryOf();
  const page = pageOf(query);
  const status = ORDER_STATUSES.includes(query.get('status')) ? query.get('status') : '';
  const userId = ID.test(query.get('userId') ?? '') ? query.get('userId') : '';
  const day = (name) => (/^\d{4}-\d{2}-\d{2}$/.test(query.get(name) ?? '') ? query.get(name) : '');
  const from = day('from');
  const to = day('to');
  const params = new URLSearchParams({ page: String(page), size: String(PAGE_SIZE) });
  if (status) params.set('status', status);
  if (userId) params.set('userId', userId);
  if (from) params.set('from', localMidnight(from));
  if (to) params.set('to', localMidnight(to, 1));
  const { items, total } = await api('GET', `/api/v1/admin/orders?${params}`);
  if (pastTheEnd(page, total, (p) => hashWith('orders', { status, userId, from, to, page: p }))) return;
  const filtered = status || userId || from || to;
  const paid = items.filter((o) => o.status === 'PAID');
  show(
    'Orders',
    `<form id="order-find" class="filters" role="search" aria-label="Find an order" novalidate>
       <label>Order number <input id="find-order" name="orderId" inputmode="numeric" autocomplete="off"></label>
       <button>Open order</button>
     </form>
     <form id="order-filters" class="filters panel" aria-label="Filter orders" novalidate>
       <label>Status <select id="filter-status" name="status"><option value="">Any</option>${ORDER_STATUSES.map((s) => `<option${s === status ? ' selected' : ''}>${s}</option>`).join('')}</select></label>
       <label>Customer (username or user id) <input id="filter-user" name="userId" value="${esc(userId)}" autocomplete="off"></label>
       <label>Placed from <input id="filter-from" name="from" type="date" value="${esc(from)}"></label>
       <label>Placed until (inclusive) <input id="filter-to" name="to" type="date" value="${esc(to)}"></label>
       <div class="actions"><button class="primary" id="filter-submit">Filter</button>${filtered ? '<a href="#/orders" id="filter-clear">Clear the filters</a>' : ''}</div>
     </form>
     <div class="actions" id="ship-actions">
       ${
         paid.length
           ? `<label class="check"><input type="checkbox" id="pick-all"> Select the ${plural(paid.length, 'paid order')} of this page</label>
              <button id="ship-selected" class="primary" type="button">Ship selected</button>`
           : '<span class="muted" id="ship-hint">No paid order on this page to ship.</span>'
       }
     </div>
     ${table(
       [
         {
           label: 'Select',
           cell: (o) => (o.status === 'PAID' ? `<input type="checkbox" class="pick" value="${esc(o.orderId)}" aria-label="Select order ${esc(o.orderId)}">` : ''),
         },
         { label: 'Order', cell: (o) => `<a href="#/orders/${esc(o.orderId)}">${esc(o.orderId)}</a>` },
         { label: 'Status', cell: (o) => `${badge(o.status)}${o.refusedAtPlacement ? ' <span class="muted">refused at placement</span>' : ''}` },
         { label: 'Customer', cell: (o) => `<a href="#/users/${esc(o.userId)}">${esc(o.userId)}</a>` },
         { label: 'Goods', cell: linesOf },
         { label: 'Total', cell: (o) => yuan(orderTotal(o)), num: true },
         { label: 'Placed', cell: (o) => esc(when(o.createdAt)) },
       ],
       items,
       { empty: filtered ? 'No order matches these filters.' : 'No order yet.', caption: 'Orders, newest first', id: 'orders-table' },
     )}
     ${pager(page, total, (p) => hashWith('orders', { status, userId, from, to, page: p }))}`,
  );
  $('#order-find').addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors();
    try {
      location.hash = `#/orders/${check.id($('#find-order'), 'the order number')}`;
    } catch (error) {
      fieldError(error.field, error.message);
    }
  });
  $('#order-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    void act($('#filter-submit'), async () => {
      const [f, t] = [$('#filter-from').value, $('#filter-to').value];
      if (f && t && f > t) throw refusal($('#filter-to'), 'This day is before the first one.');
      return { redirect: hashWith('orders', { status: $('#filter-status').value, userId: await customerId($('#filter-user')), from: f, to: t }) };
    });
  });
  $('#pick-all')?.addEventListener('change', (event) => {
    for (const box of $$('.pick')) box.checked = event.target.checked;
  });
  $('#ship-selected')?.addEventListener('click', (event) => shipMany(event.target));
}

/** The user id a customer field names: digits are an id, anything else a username looked up (exactly, case aside). */
async function customerId(field) {
  const typed = field.value.trim();
  if (!typed || ID.test(typed)) return typed;
  if (typed.length > 32) throw refusal(field, 'Usernames have at most 32 characters.');
  const { items } = await api('GET', `/api/v1/admin/users?q=${encodeURIComponent(typed)}&size=100`);
  const user = items.find((u) => u.username.toLowerCase() === typed.toLowerCase());
  if (!user) throw refusal(field, `No user is named “${typed}”.`);
  return user.userId;
}

/** Ships the ticked orders one by one: each is its own move, and one refused does not stop the others. */
async function shipMany(button) {
  clearErrors();
  const picked = $$('.pick:checked').map((box) => box.value);
  if (picked.length === 0) return void showError(button, 'Tick the paid orders to ship first.');
  const sure = await confirmDialog({
    title: `Ship ${plural(picked.length, 'order')}?`,
    text: `Each goes from PAID to SHIPPED and can no longer be cancelled; refunds then go through after-sales.`,
    yes: `Ship ${plural(picked.length, 'order')}`,
  });
  if (!sure) return undefined;
  button.disabled = true;
  const failed = [];
  const before = [];
  for (const orderId of picked) {
    try {
      const by = shippedByAnother(await api('POST', `/api/v1/admin/orders/${orderId}/ship`));
      if (by) before.push(`order ${orderId} had been shipped already by ${by}`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') return void route();
      failed.push({ orderId, text: explain(error, 'ship') });
    }
  }
  const shipped = picked.length - failed.length - before.length;
  await route();
  say([shipped ? `${plural(shipped, 'order')} shipped.` : '', before.length ? `${before.join('; ')}.`.replace(/^o/, 'O') : ''].filter(Boolean).join(' '));
  if (failed.length) {
    const items = failed.map((f) => `<li><a href="#/orders/${esc(f.orderId)}">Order ${esc(f.orderId)}</a>: ${esc(f.text)}</li>`).join('');
    showError($('#ship-actions'), `<p>${esc(plural(failed.length, 'order'))} not shipped:</p><ul>${items}</ul>`, { html: true });
  }
  return undefined;
}

async function orderView(orderId) {
  const [order, refunds] = await Promise.all([api('GET', `/api/v1/admin/orders/${orderId}`), payApi('GET', `/api/v1/admin/orders/${orderId}/refunds`)]);
  // The customer's name is a courtesy: the order shows without it when the user service cannot answer.
  const customer = await api('GET', `/api/v1/admin/users/${order.userId}`).catch(() => undefined);
  const cancellable = order.status === 'PENDING' || order.status === 'CONFIRMED';
  const row = (label, value) => (value ? `<div><dt>${esc(label)}</dt><dd>${value}</dd></div>` : '');
  show(
    `Order ${order.orderId}`,
    `<p><span id="order-status">${badge(order.status)}</span>${order.refusedAtPlacement ? ' <span class="muted">refused at placement: kept for audit, not shown to the customer</span>' : ''}</p>
     <dl class="facts">
       ${row('Placed', esc(when(order.createdAt)))}
       ${row('Customer', `<a href="#/users/${esc(order.userId)}" id="order-customer">${customer ? esc(customer.username) : `user ${esc(order.userId)}`}</a> · <a href="${hashWith('orders', { userId: order.userId })}">their orders</a>`)}
       ${row('Deliver to', `${esc(order.consignee)}, ${esc(order.address)}`)}
       ${row('Pay before', cancellable ? esc(when(order.payDeadline)) : '')}
       ${row('Shipped', esc(when(order.shippedAt)))}
       ${row('Completed', esc(when(order.completedAt)))}
       ${row('Cancelled because', esc(order.cancelReason ?? ''))}
     </dl>
     <div class="actions" id="order-actions">
       ${order.status === 'PAID' ? '<button id="ship" class="primary" type="button">Ship</button>' : ''}
     </div>
     ${
       cancellable
         ? `<form id="cancel-form" class="panel form" novalidate>
              <label>Why it is cancelled (the customer sees it) <input id="cancel-reason" maxlength="${LIMITS.reason}"></label>
              <div class="actions"><button id="cancel" class="danger">Cancel the order</button></div>
            </form>`
         : ''
     }
     <h2>Goods</h2>
     ${table(
       [
         { label: 'Goods', cell: (l) => `<a href="#/goods/${esc(l.goodsId)}">${esc(l.name)}</a>` },
         { label: 'Price', cell: (l) => yuan(l.price), num: true },
         { label: 'Quantity', cell: (l) => esc(l.quantity), num: true },
         { label: 'Subtotal', cell: (l) => yuan(fromCents(cents(l.price) * l.quantity)), num: true },
       ],
       order.items,
       { caption: 'Goods of the order' },
     )}
     <h2>Money</h2>
     <dl class="facts money" id="order-money">
       ${row('Goods', yuan(order.goodsAmount))}
       ${row('Shipping', yuan(order.shippingFee))}
       ${row('Coupon', `−${yuan(order.couponPaid)}`)}
       ${row('Balance', `−${yuan(order.balancePaid)}`)}
       ${row('Through Alipay', `<strong>${yuan(order.payAmount)}</strong>`)}
       ${row('Refunded', yuan(order.refundedAmount))}
     </dl>
     <h2>History</h2>
     <ol class="timeline" id="order-history">${order.history
       .map((h) => `<li><time datetime="${esc(h.at)}">${esc(when(h.at))}</time>: ${h.from ? `${esc(h.from)} → ` : ''}<strong>${esc(h.to)}</strong> by ${esc(actorOf(h.actor))}${h.reason ? ` (${esc(h.reason)})` : ''}</li>`)
       .join('')}</ol>
     <h2>Refunds</h2>
     ${table(
       [
         { label: 'Refund', cell: (r) => esc(r.refundId) },
         { label: 'Status', cell: (r) => badge(r.status) },
         { label: 'Kind', cell: (r) => esc(r.kind.replace(/_/g, ' ').toLowerCase()) },
         { label: 'Amount', cell: (r) => yuan(r.amount), num: true },
         { label: 'Reason', cell: (r) => esc(r.failureReason ?? r.reason) },
         { label: 'Asked', cell: (r) => esc(when(r.createdAt)) },
       ],
       refunds.items,
       { empty: 'No refund.', caption: 'Refunds of the order' },
     )}`,
  );
  $('#ship')?.addEventListener('click', async (event) => {
    const button = event.currentTarget;
    const sure = await confirmDialog({
      title: 'Ship this order?',
      text: 'It goes from PAID to SHIPPED and can no longer be cancelled; refunds then go through after-sales.',
      yes: 'Ship',
    });
    if (sure)
      void act(button, () => api('POST', `/api/v1/admin/orders/${orderId}/ship`), {
        done: (shipped) => (shippedByAnother(shipped) ? `It had been shipped already by ${shippedByAnother(shipped)}.` : 'Order shipped.'),
        action: 'ship',
      });
  });
  $('#cancel-form')?.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    let reason;
    try {
      reason = check.text($('#cancel-reason'), 'why the order is cancelled', LIMITS.reason);
    } catch (error) {
      return void fieldError(error.field, error.message);
    }
    const sure = await confirmDialog({
      title: 'Cancel this order?',
      text: 'This cannot be undone. The stock, coupon and balance it took go back; the customer sees the reason.',
      yes: 'Cancel the order',
      danger: true,
    });
    // Cancelling a cancelled order answers it as it is: then someone was quicker, with their reason.
    if (sure)
      void act($('#cancel'), () => api('POST', `/api/v1/admin/orders/${orderId}/cancel`, { reason }), {
        done: (cancelled) =>
          cancelled.cancelReason === reason ? 'Order cancelled.' : `It had been cancelled already${cancelled.cancelReason ? `: “${cancelled.cancelReason}”` : ''}. Your reason was not recorded.`,
        action: 'cancel',
      });
    return undefined;
  });
}

// ---------- after-sales and refunds ----------

async function afterSalesView() {
  const query = queryOf();
  const status = AFTER_SALES_STATUSES.includes(query.get('status')) ? query.get('status') : 'OPEN';
  const page = pageOf(query);
  const { items, total } = await api('GET', `/api/v1/admin/after-sales?status=${status}&page=${page}&size=${PAGE_SIZE}`);
  if (pastTheEnd(page, total, (p) => hashWith('after-sales', { status, page: p }))) return;
  show(
    'After-sales requests',
    `${tabs('Requests by status', AFTER_SALES_STATUSES, status, (s) => hashWith('after-sales', { status: s }), (s) => (STATUS_WORDS[s] ?? s).toLowerCase())}
     ${
       status === 'OPEN'
         ? '<p class="muted">Approving refunds the amount asked (or everything left) to how the customer paid: Alipay, balance, points.</p>'
         : ''
     }
     ${table(
       [
         { label: 'Order', cell: (a) => `<a href="#/orders/${esc(a.orderId)}">${esc(a.orderId)}</a>` },
         { label: 'Status', cell: (a) => badge(a.status) },
         { label: "Customer's reason", cell: (a) => esc(a.reason) },
         { label: 'Amount asked', cell: (a) => (a.amount ? yuan(a.amount) : 'everything left'), num: true },
         { label: 'Asked', cell: (a) => esc(when(a.createdAt)) },
         {
           label: status === 'OPEN' ? 'Decide' : 'Decision',
           cell: (a) =>
             a.status === 'OPEN'
               ? `<form class="decide-form form" data-id="${esc(a.afterSalesId)}" novalidate>
                    <label>Note to the customer <input class="note" id="note-${esc(a.afterSalesId)}" data-id="${esc(a.afterSalesId)}" maxlength="${LIMITS.note}"></label>
                    <div class="actions">
                      <button class="primary decide" data-id="${esc(a.afterSalesId)}" data-decision="approve" type="button">Approve and refund</button>
                      <button class="danger decide" data-id="${esc(a.afterSalesId)}" data-decision="reject" type="button">Reject</button>
                    </div>
                  </form>`
               : `${esc(a.note ?? '')}${a.decidedBy ? ` <span class="muted">by ${esc(actorOf(a.decidedBy))}${a.decidedAt ? `, ${esc(when(a.decidedAt))}` : ''}</span>` : ''}`,
         },
       ],
       items,
       { empty: `No ${(STATUS_WORDS[status] ?? status).toLowerCase()} request.`, caption: `After-sales requests: ${status.toLowerCase()}` },
     )}
     ${pager(page, total, (p) => hashWith('after-sales', { status, page: p }))}`,
  );
  for (const button of $$('.decide')) {
    button.addEventListener('click', async () => {
      clearErrors();
      const { id, decision } = button.dataset;
      const field = $(`#note-${id}`);
      let note;
      try {
        note = check.text(field, 'a note', LIMITS.note, { required: decision === 'reject' });
      } catch (error) {
        return void fieldError(error.field, `${decision === 'reject' ? 'Say why it is rejected: the customer reads it.' : error.message}`);
      }
      const row = items.find((a) => a.afterSalesId === id);
      const approve = decision === 'approve';
      const sure = await confirmDialog({
        title: approve ? 'Approve and refund?' : 'Reject this request?',
        text: approve
          ? `Order ${row.orderId}: ${row.amount ? `¥${row.amount}` : 'everything left'} is refunded to the customer. This cannot be undone.`
          : `Order ${row.orderId}: the customer is told it is rejected, with your note. This cannot be undone.`,
        yes: approve ? 'Approve and refund' : 'Reject',
        danger: !approve,
      });
      if (!sure) return undefined;
      return void act(button, () => api('POST', `/api/v1/admin/after-sales/${id}/${decision}`, { note }), {
        done: approve ? `Approved: the refund of order ${row.orderId} is under way.` : `Rejected: order ${row.orderId}.`,
        action: 'decide',
      });
    });
  }
}

async function refundsView() {
  const query = queryOf();
  const page = pageOf(query);
  const status = REFUND_STATUSES.includes(query.get('status')) ? query.get('status') : '';
  const { items, total } = await payApi('GET', `/api/v1/admin/refunds?${status ? `status=${status}&` : ''}page=${page}&size=${PAGE_SIZE}`);
  if (pastTheEnd(page, total, (p) => hashWith('refunds', { status, page: p }))) return;
  show(
    'Refunds',
    `${tabs('Refunds by status', ['', ...REFUND_STATUSES], status, (s) => hashWith('refunds', { status: s }), (s) => (s || 'all').toLowerCase())}
     ${table(
       [
         { label: 'Refund', cell: (r) => esc(r.refundId) },
         { label: 'Order', cell: (r) => `<a href="#/orders/${esc(r.orderId)}">${esc(r.orderId)}</a>` },
         { label: 'Status', cell: (r) => badge(r.status) },
         { label: 'Kind', cell: (r) => esc(r.kind.replace(/_/g, ' ').toLowerCase()) },
         { label: 'Amount', cell: (r) => yuan(r.amount), num: true },
         { label: 'To', cell: (r) => esc(`Alipay ¥${r.alipayAmount}, balance ¥${r.balanceAmount}`) },
         { label: 'Why', cell: (r) => esc(r.failureReason ?? r.reason) },
         { label: 'Asked', cell: (r) => esc(when(r.createdAt)) },
       ],
       items,
       { empty: status ? `No ${status.toLowerCase()} refund.` : 'No refund yet.', caption: 'Refunds, newest first', id: 'refunds-table' },
     )}
     ${pager(page, total, (p) => hashWith('refunds', { status, page: p }))}`,
  );
}

// ---------- goods ----------

/** The pictures the API takes (PUT /api/v1/admin/goods/:goodsId/image), as the page checks them. */
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const categoriesOf = async () => (await api('GET', '/api/v1/categories')).items;
const thumb = (g) => (g.image ? `<img class="thumb" src="${esc(g.image.small)}" alt="" width="48" height="48" loading="lazy">` : '<span class="thumb none" aria-hidden="true"></span>');
const categoryOptions = (categories, selected, none) =>
  `<option value="">${esc(none)}</option>${categories.map((c) => `<option value="${esc(c.categoryId)}"${c.categoryId === selected ? ' selected' : ''}>${esc(c.name)}</option>`).join('')}`;

async function goodsView() {
  const query = queryOf();
  const page = pageOf(query);
  const q = (query.get('q') ?? '').slice(0, LIMITS.query);
  const category = ID.test(query.get('category') ?? '') ? query.get('category') : '';
  const params = new URLSearchParams({ q, sort: 'newest', page: String(page), size: String(PAGE_SIZE) });
  if (category) params.set('category', category);
  const [{ items, total }, categories] = await Promise.all([api('GET', `/api/v1/admin/goods?${params}`), categoriesOf()]);
  if (pastTheEnd(page, total, (p) => hashWith('goods', { q, category, page: p }))) return;
  const categoryName = categories.find((c) => c.categoryId === category)?.name;
  show(
    'Goods',
    `<div class="actions"><a class="button primary" href="#/goods/new" id="goods-new">New goods</a></div>
     <form id="goods-search" class="filters" role="search" aria-label="Goods" novalidate>
       <label>Name contains <input id="goods-q" name="q" value="${esc(q)}" maxlength="${LIMITS.query}"></label>
       <label>Category <select id="goods-category" name="category">${categoryOptions(categories, category, 'Any category')}</select></label>
       <button>Search</button>${q || category ? ' <a href="#/goods">Show all</a>' : ''}
     </form>
     ${table(
       [
         { label: 'Picture', cell: thumb },
         { label: 'Goods', cell: (g) => `<a href="#/goods/${esc(g.goodsId)}">${esc(g.name)}</a>` },
         { label: 'Category', cell: (g) => esc(g.categoryName ?? '—') },
         { label: 'Price', cell: (g) => yuan(g.price), num: true },
         { label: 'Stock', cell: (g) => esc(g.stock), num: true },
         { label: 'Sale', cell: (g) => (g.onSale ? '<span class="status ON">on sale</span>' : '<span class="status OFF">off sale</span>') },
       ],
       items,
       {
         empty: q || category ? `No goods${q ? ` named like "${q}"` : ''}${categoryName ? ` in ${categoryName}` : ''}.` : 'No goods yet.',
         caption: 'Goods, newest first',
         id: 'goods-table',
       },
     )}
     ${pager(page, total, (p) => hashWith('goods', { q, category, page: p }))}
     <section class="panel" aria-labelledby="categories-heading">
       <h2 id="categories-heading">Categories</h2>
       ${table(
         [
           { label: 'Category', cell: (c) => `<a href="${hashWith('goods', { category: c.categoryId })}">${esc(c.name)}</a>` },
           { label: 'Goods on sale', cell: (c) => esc(c.goodsCount), num: true },
         ],
         categories,
         { empty: 'No category yet.', caption: 'Categories', id: 'categories-table' },
       )}
       <form id="new-category" class="form" novalidate>
         <label>New category <input id="category-name" maxlength="64" autocomplete="off"></label>
         <div class="actions"><button id="category-create">Add the category</button></div>
       </form>
     </section>`,
  );
  $('#goods-search').addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = hashWith('goods', { q: $('#goods-q').value.trim(), category: $('#goods-category').value });
  });
  $('#new-category').addEventListener('submit', (event) => {
    event.preventDefault();
    void act(
      $('#category-create'),
      async () => {
        const name = check.text($('#category-name'), 'the name of the category', 64);
        const known = categories.find((c) => c.name.trim().toLowerCase() === name.replace(/\s+/g, ' ').toLowerCase());
        const created = await api('POST', '/api/v1/admin/categories', { name });
        return { created, known: known ?? categories.find((c) => c.categoryId === created.categoryId) };
      },
      { done: ({ created, known }) => (known ? `The category ${created.name} exists already.` : `Category ${created.name} added.`) },
    );
  });
}

/** The picture field of a form: the chosen file checked in the page and previewed before anything is sent. */
function pictureField(prefix, current) {
  return `<div class="picture">
      ${current ? `<img id="${prefix}-current" class="picture-current" src="${esc(current.small)}" alt="The goods' picture now" width="160" height="160">` : ''}
      <label>${current ? 'Replace the picture' : 'Picture'} <span class="muted">(JPEG, PNG, WebP or GIF, at most 5 MB)</span>
        <input id="${prefix}-file" type="file" accept="${IMAGE_TYPES.join(',')}"></label>
      <img id="${prefix}-preview" class="picture-preview" alt="Preview of the chosen picture" hidden>
    </div>`;
}
function watchPicture(prefix) {
  const input = $(`#${prefix}-file`);
  const preview = $(`#${prefix}-preview`);
  input.addEventListener('change', () => {
    clearErrors();
    const file = input.files[0];
    if (preview.src) window.URL.revokeObjectURL(preview.src);
    preview.removeAttribute('src');
    preview.hidden = true;
    if (!file) return undefined;
    if (!IMAGE_TYPES.includes(file.type)) return void fieldError(input, 'Choose a JPEG, PNG, WebP or GIF picture.');
    if (file.size > MAX_IMAGE_BYTES) return void fieldError(input, `This file is ${(file.size / 1048576).toFixed(1)} MB: choose one of at most 5 MB.`);
    preview.src = window.URL.createObjectURL(file);
    preview.hidden = false;
    return undefined;
  });
  /** The chosen file, checked; undefined when none is chosen. */
  return () => {
    const file = input.files[0];
    if (!file) return undefined;
    if (!IMAGE_TYPES.includes(file.type)) throw refusal(input, 'Choose a JPEG, PNG, WebP or GIF picture.');
    if (file.size > MAX_IMAGE_BYTES) throw refusal(input, `This file is ${(file.size / 1048576).toFixed(1)} MB: choose one of at most 5 MB.`);
    return file;
  };
}
const uploadPicture = (goodsId, file) => call('PUT', `/api/v1/admin/goods/${goodsId}/image`, { raw: file, type: file.type });

/** The category chosen in a form: one of the list, or a new one typed (created, or found by its name). */
async function chosenCategory(select, typed) {
  const name = check.text(typed, 'a category', 64, { required: false });
  if (!name) return select.value;
  return (await api('POST', '/api/v1/admin/categories', { name })).categoryId;
}

async function newGoodsView() {
  const categories = await categoriesOf();
  show(
    'New goods',
    `<form id="new-goods" class="panel form stacked" novalidate>
       <label>Name <input id="goods-name" required maxlength="${LIMITS.name}" autocomplete="off"></label>
       <label>Price (yuan) <input id="goods-price" required inputmode="decimal" autocomplete="off"></label>
       <label>Stock (units) <input id="goods-stock" required inputmode="numeric" autocomplete="off"></label>
       <div class="row">
         <label>Category <select id="goods-category-id">${categoryOptions(categories, '', 'No category')}</select></label>
         <label>or a new category <input id="goods-category-new" maxlength="64" autocomplete="off"></label>
       </div>
       <label>Description <span class="muted">(shown on the goods' page)</span> <textarea id="goods-description" rows="4" maxlength="${LIMITS.description}"></textarea></label>
       ${pictureField('goods-image')}
       <div class="actions"><button class="primary" id="goods-create">Create goods</button><a href="#/goods">Back to the goods</a></div>
     </form>`,
  );
  const form = $('#new-goods');
  const picture = watchPicture('goods-image');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(
      $('#goods-create'),
      async () => {
        const body = {
          name: check.text($('#goods-name'), 'a name', LIMITS.name),
          price: check.money($('#goods-price'), 'a price'),
          stock: check.integer($('#goods-stock'), 'the stock', 0, LIMITS.stock),
          description: check.text($('#goods-description'), 'a description', LIMITS.description, { required: false }),
        };
        const file = picture();
        const categoryId = await chosenCategory($('#goods-category-id'), $('#goods-category-new'));
        if (categoryId) body.categoryId = categoryId;
        const created = await api('POST', '/api/v1/admin/goods', body, { 'idempotency-key': attemptKey(form) });
        // The goods exist from here: a picture refused is said on their page, where it can be chosen again.
        if (file) {
          try {
            await uploadPicture(created.goodsId, file);
          } catch (error) {
            session.pendingError = `${body.name} created, but the picture was not saved: ${explain(error, 'picture')} Choose it again below.`;
          }
        }
        return { redirect: `#/goods/${created.goodsId}`, name: body.name };
      },
      { done: (result) => `${result.name} created: on sale now.`, form },
    );
  });
}

async function goodsEditView(goodsId) {
  const [goods, categories] = await Promise.all([api('GET', `/api/v1/goods/${goodsId}`), categoriesOf()]);
  show(
    goods.name,
    `<p><span class="status ${goods.onSale ? 'ON' : 'OFF'}" id="goods-sale">${goods.onSale ? 'on sale' : 'off sale'}</span>
        <span id="goods-facts">${yuan(goods.price)} · <span id="goods-stock-now">${esc(goods.stock)}</span> in stock · ${
          goods.categoryName ? `in <span id="goods-category-now">${esc(goods.categoryName)}</span>` : 'in no category'
        }</span></p>
     <form id="goods-picture" class="panel form" novalidate aria-labelledby="picture-heading">
       <h2 id="picture-heading">Picture</h2>
       ${goods.image ? '' : '<p class="muted" id="no-picture">No picture yet: shoppers see a plain box.</p>'}
       ${pictureField('edit-image', goods.image)}
       <div class="actions"><button id="picture-save">Save the picture</button></div>
     </form>
     <form id="goods-edit" class="panel form stacked" novalidate aria-labelledby="details-heading">
       <h2 id="details-heading">Details, price and stock</h2>
       <label>Name <input id="edit-name" maxlength="${LIMITS.name}" value="${esc(goods.name)}" autocomplete="off"></label>
       <label>Price (yuan) <input id="edit-price" inputmode="decimal" value="${esc(goods.price)}" autocomplete="off"></label>
       <label>Units to add (a negative number takes units away) <input id="edit-stock" inputmode="numeric" value="0" autocomplete="off"></label>
       <div class="row">
         <label>Category <select id="edit-category">${categoryOptions(categories, goods.categoryId ?? '', 'No category')}</select></label>
         <label>or a new category <input id="edit-category-new" maxlength="64" autocomplete="off"></label>
       </div>
       <label>Description <textarea id="edit-description" rows="4" maxlength="${LIMITS.description}">${esc(goods.description ?? '')}</textarea></label>
       <label class="check"><input id="edit-on-sale" type="checkbox"${goods.onSale ? ' checked' : ''}> On sale (shoppers can see and buy it)</label>
       <label>Reason for the change (kept in the goods' change log) <input id="edit-reason" required maxlength="${LIMITS.reason}" autocomplete="off"></label>
       <div class="actions"><button class="primary" id="goods-save">Save changes</button><a href="#/goods">Back to the goods</a></div>
     </form>`,
  );
  const picture = watchPicture('edit-image');
  $('#goods-picture').addEventListener('submit', (event) => {
    event.preventDefault();
    void act(
      $('#picture-save'),
      async () => {
        const file = picture();
        if (!file) throw refusal($('#edit-image-file'), 'Choose a picture first.');
        await uploadPicture(goodsId, file);
      },
      { done: 'Picture saved.', action: 'picture' },
    );
  });
  const form = $('#goods-edit');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    let body;
    let newCategory;
    try {
      body = { reason: check.text($('#edit-reason'), 'the reason for the change', LIMITS.reason) };
      const name = check.text($('#edit-name'), 'a name', LIMITS.name);
      const price = check.money($('#edit-price'), 'a price');
      const stockDelta = check.integer($('#edit-stock'), 'the units to add', -LIMITS.stock, LIMITS.stock);
      if (stockDelta < -goods.stock) throw refusal($('#edit-stock'), `Only ${goods.stock} in stock: you can take away at most ${goods.stock}.`);
      const description = check.text($('#edit-description'), 'a description', LIMITS.description, { required: false });
      newCategory = check.text($('#edit-category-new'), 'a category', 64, { required: false });
      const categoryId = $('#edit-category').value;
      const onSale = $('#edit-on-sale').checked;
      if (name !== goods.name) body.name = name;
      if (price !== goods.price) body.price = price;
      if (stockDelta) body.stockDelta = stockDelta;
      if (onSale !== goods.onSale) body.onSale = onSale;
      if (description !== (goods.description ?? '')) body.description = description;
      if (!newCategory && categoryId !== (goods.categoryId ?? '')) body.categoryId = categoryId;
      if (Object.keys(body).length === 1 && !newCategory) throw refusal($('#edit-name'), 'Nothing changed: change a field first.');
    } catch (error) {
      return void fieldError(error.field, error.message);
    }
    if (body.onSale === false || body.stockDelta < 0) {
      const sure = await confirmDialog({
        title: body.onSale === false ? 'Take these goods off sale?' : `Take ${-body.stockDelta} units away?`,
        text:
          body.onSale === false
            ? 'Shoppers no longer see them and new orders are refused; orders placed already are not touched.'
            : 'The units are written off the stock, with your reason.',
        yes: body.onSale === false ? 'Take off sale' : 'Take them away',
        danger: true,
      });
      if (!sure) return undefined;
    }
    return void act(
      $('#goods-save'),
      async () => {
        if (newCategory) {
          const categoryId = await chosenCategory($('#edit-category'), $('#edit-category-new'));
          if (categoryId !== goods.categoryId) body.categoryId = categoryId;
          if (Object.keys(body).length === 1) return undefined;
        }
        return call('PATCH', `/api/v1/admin/goods/${goodsId}`, { json: body, headers: { 'idempotency-key': attemptKey(form) } });
      },
      { done: 'Goods saved.', action: 'goods', form },
    );
  });
}

// ---------- users ----------

async function usersView() {
  const query = queryOf();
  const page = pageOf(query);
  const q = (query.get('q') ?? '').slice(0, 32);
  const { items, total } = await api('GET', `/api/v1/admin/users?q=${encodeURIComponent(q)}&page=${page}&size=${PAGE_SIZE}`);
  if (pastTheEnd(page, total, (p) => hashWith('users', { q, page: p }))) return;
  show(
    'Users',
    `<form id="users-search" class="filters" role="search" aria-label="Users" novalidate>
       <label>Username contains <input id="users-q" name="q" value="${esc(q)}" maxlength="32" autocomplete="off"></label>
       <button>Search</button>${q ? ' <a href="#/users">Show all</a>' : ''}
     </form>
     ${table(
       [
         { label: 'User', cell: (u) => `<a href="#/users/${esc(u.userId)}">${esc(u.username)}</a>` },
         { label: 'Role', cell: (u) => (u.role === 'ADMIN' ? 'admin' : 'customer') },
         { label: 'Balance', cell: (u) => yuan(u.balance), num: true },
         { label: 'Points', cell: (u) => esc(u.points), num: true },
         { label: 'Standing', cell: (u) => (u.banned ? `<span class="status OFF">banned</span> ${esc(u.banReason ?? '')}` : 'active') },
         { label: 'Joined', cell: (u) => esc(when(u.createdAt)) },
       ],
       items,
       { empty: q ? `No user named like "${q}".` : 'No user yet.', caption: 'Users, newest first', id: 'users-table' },
     )}
     ${pager(page, total, (p) => hashWith('users', { q, page: p }))}`,
  );
  $('#users-search').addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = hashWith('users', { q: $('#users-q').value.trim() });
  });
}

async function userView(userId) {
  const user = await api('GET', `/api/v1/admin/users/${userId}`);
  const admin = user.role === 'ADMIN';
  const row = (label, value) => `<div><dt>${esc(label)}</dt><dd>${value}</dd></div>`;
  show(
    `User ${user.username}`,
    `<dl class="facts" id="user-facts">
       ${row('User id', esc(user.userId))}
       ${row('Role', admin ? 'admin' : 'customer')}
       ${row('Joined', esc(when(user.createdAt)))}
       ${row('Balance', `<strong id="user-balance">${yuan(user.balance)}</strong>`)}
       ${row('Points', esc(user.points))}
       ${row('Standing', user.banned ? `<span class="status OFF" id="user-standing">banned</span> ${esc(user.banReason ?? '')}` : '<span id="user-standing">active</span>')}
       ${row('Orders', `<a href="${hashWith('orders', { userId: user.userId })}">their orders</a>`)}
     </dl>
     <form id="balance" class="panel form" novalidate aria-labelledby="balance-heading">
       <h2 id="balance-heading">Adjust the balance</h2>
       <fieldset class="choice">
         <legend>Change</legend>
         <label class="check"><input type="radio" name="direction" id="balance-add" value="add" checked> Add</label>
         <label class="check"><input type="radio" name="direction" id="balance-take" value="take"> Take away</label>
       </fieldset>
       <label>Amount (yuan) <input id="balance-amount" inputmode="decimal" autocomplete="off"></label>
       <label class="grow">Reason (kept with the adjustment) <input id="balance-reason" maxlength="${LIMITS.reason}" autocomplete="off"></label>
       <div class="actions"><button class="primary" id="balance-submit">Adjust the balance</button></div>
     </form>
     <h2>Balance adjustments</h2>
     ${table(
       [
         { label: 'When', cell: (a) => esc(when(a.createdAt)) },
         { label: 'Amount', cell: (a) => esc(a.amount.startsWith('-') ? `−¥${a.amount.slice(1)}` : `+¥${a.amount}`), num: true },
         { label: 'Reason', cell: (a) => esc(a.reason ?? 'recharge') },
         { label: 'By', cell: (a) => (a.operatorId ? `admin ${esc(a.operatorId)}` : '—') },
         { label: 'Balance after', cell: (a) => (a.balanceAfter ? yuan(a.balanceAfter) : '—'), num: true },
       ],
       user.adjustments,
       { empty: 'No adjustment yet.', caption: 'Balance adjustments, newest first', id: 'adjustments' },
     )}
     <h2>Coupons</h2>
     ${table(
       [
         { label: 'Coupon', cell: (c) => esc(c.couponId) },
         { label: 'Value', cell: (c) => yuan(c.amount), num: true },
         { label: 'State', cell: (c) => (c.used ? `used${c.orderId ? ` on <a href="#/orders/${esc(c.orderId)}">order ${esc(c.orderId)}</a>` : ''}` : 'not used yet') },
       ],
       user.coupons,
       { empty: 'No coupon.', caption: 'Coupons', id: 'coupons' },
     )}
     <form id="coupon" class="panel form" novalidate aria-labelledby="coupon-heading">
       <h2 id="coupon-heading">Grant a coupon</h2>
       <label>Value (yuan) <input id="coupon-amount" inputmode="decimal" autocomplete="off"></label>
       <div class="actions"><button class="primary" id="coupon-submit">Grant the coupon</button></div>
     </form>
     ${
       admin
         ? '<p class="muted" id="ban-none">Admins cannot be banned.</p>'
         : user.banned
           ? `<form id="unban" class="panel form" novalidate aria-labelledby="ban-heading">
                <h2 id="ban-heading">Banned</h2>
                <p class="grow">${esc(user.username)} cannot sign in: ${esc(user.banReason ?? '')}</p>
                <div class="actions"><button class="primary" id="unban-submit">Let ${esc(user.username)} back</button></div>
              </form>`
           : `<form id="ban" class="panel form" novalidate aria-labelledby="ban-heading">
                <h2 id="ban-heading">Ban</h2>
                <p class="muted grow">A banned user cannot sign in, and their open sessions stop within seconds. Their orders and money stay as they are.</p>
                <label class="grow">Reason (kept in the ban log) <input id="ban-reason" maxlength="${LIMITS.reason}" autocomplete="off"></label>
                <div class="actions"><button class="danger" id="ban-submit">Ban ${esc(user.username)}</button></div>
              </form>`
     }`,
  );

  const balance = $('#balance');
  balance.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    let amount;
    let reason;
    const take = $('#balance-take').checked;
    try {
      amount = check.money($('#balance-amount'), 'an amount');
      if (take && cents(amount) > cents(user.balance)) throw refusal($('#balance-amount'), `The balance is ¥${user.balance}: you can take at most ¥${user.balance}.`);
      reason = check.text($('#balance-reason'), 'the reason for the adjustment', LIMITS.reason);
    } catch (error) {
      return void fieldError(error.field, error.message);
    }
    amount = fromCents(cents(amount));
    if (take) {
      const sure = await confirmDialog({
        title: `Take ¥${amount} from ${user.username}?`,
        text: `Their balance goes from ¥${user.balance} to ¥${fromCents(cents(user.balance) - cents(amount))}. Reason: ${reason}.`,
        yes: `Take ¥${amount}`,
        danger: true,
      });
      if (!sure) return undefined;
    }
    return void act(
      $('#balance-submit'),
      () => api('POST', `/api/v1/admin/users/${userId}/balance`, { amount: take ? `-${amount}` : amount, reason }, { 'idempotency-key': attemptKey(balance) }),
      { done: (changed) => `${take ? `¥${amount} taken from` : `¥${amount} added to`} the balance: ¥${changed.balance} now.`, action: 'balance', form: balance },
    );
  });
  const coupon = $('#coupon');
  coupon.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(
      $('#coupon-submit'),
      async () => {
        const amount = check.money($('#coupon-amount'), 'a value');
        await api('POST', `/api/v1/admin/users/${userId}/coupons`, { amount }, { 'idempotency-key': attemptKey(coupon) });
        return { amount };
      },
      { done: ({ amount }) => `Coupon of ¥${fromCents(cents(amount))} granted to ${user.username}.`, form: coupon },
    );
  });

  $('#ban')?.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    let reason;
    try {
      reason = check.text($('#ban-reason'), 'why the user is banned', LIMITS.reason);
    } catch (error) {
      return void fieldError(error.field, error.message);
    }
    const sure = await confirmDialog({
      title: `Ban ${user.username}?`,
      text: `They can no longer sign in, and their open sessions stop within seconds. Reason: ${reason}.`,
      yes: `Ban ${user.username}`,
      danger: true,
    });
    if (sure) void act($('#ban-submit'), () => api('POST', `/api/v1/admin/users/${userId}/ban`, { reason }), { done: `${user.username} is banned.`, action: 'ban' });
    return undefined;
  });
  $('#unban')?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const sure = await confirmDialog({
      title: `Let ${user.username} back?`,
      text: 'They can sign in and order again.',
      yes: `Let ${user.username} back`,
    });
    if (sure) void act($('#unban-submit'), () => api('POST', `/api/v1/admin/users/${userId}/unban`), { done: `${user.username} can sign in again.`, action: 'ban' });
  });
}

// ---------- reconciliation ----------

/** The channels as pay-web names them, in words. */
const CHANNEL_NAMES = { ALIPAY_QR: 'Alipay', WECHAT_NATIVE: 'WeChat Pay' };
const channelWords = (channel) => CHANNEL_NAMES[channel] ?? channel ?? 'Alipay';

/** A difference in words, naming the bill it comes from (a report before the channels has no channel: Alipay's). */
function differenceWords(d) {
  const bill = `${channelWords(d.channel)}'s bill`;
  if (d.type === 'LOCAL_ONLY') return `In the shop, not in ${bill}`;
  if (d.type === 'THIRD_PARTY_ONLY') return `In ${bill}, not in the shop`;
  if (d.type === 'AMOUNT_MISMATCH') return 'The amounts differ';
  return d.type;
}

async function reconciliationView() {
  const asked = queryOf().get('date');
  const date = /^\d{4}-\d{2}-\d{2}$/.test(asked ?? '') ? asked : '';
  const report = date ? await payApi('GET', `/api/v1/admin/reconciliation?date=${date}`) : undefined;
  const unbilled = (report?.unbilledChannels ?? []).map(channelWords);
  const today = chinaDay(0);
  show(
    'Reconciliation',
    `<p class="muted">Compares a day's payments in the shop with each channel's bill of that day (Alipay's, WeChat Pay's; China time), and applies a payment a channel took that the shop missed.</p>
     <form id="reconcile" class="filters" novalidate>
       <label>Day (China time) <input id="reconcile-date" type="date" required max="${today}" value="${esc(date || chinaDay(-1))}"></label>
       <button class="primary" id="reconcile-submit">Reconcile</button>
     </form>
     ${
       report
         ? `<h2 id="reconcile-heading">${esc(report.date)}</h2>
            <p id="reconcile-summary">${esc(report.date)}: ${plural(report.matched, 'payment')} matched, ${plural(report.differences.length, 'difference')}.</p>
            ${
              unbilled.length
                ? `<p class="notice" id="reconcile-unbilled">Not compared yet: ${esc(unbilled.join(' and '))} ${unbilled.length === 1 ? 'has' : 'have'} no bill of this day yet (WeChat Pay serves a day's bill at 10:00 the next day, China time). Reconcile this day again later.</p>`
                : ''
            }
            <nav class="pager" aria-label="Days"><a href="${hashWith('reconciliation', { date: shiftDay(report.date, -1) })}">Day before</a>${
              report.date < today ? `<a href="${hashWith('reconciliation', { date: shiftDay(report.date, 1) })}">Day after</a>` : ''
            }</nav>
            ${table(
              [
                { label: 'Trade', cell: (d) => esc(d.outTradeNo) },
                { label: 'Channel', cell: (d) => esc(channelWords(d.channel)) },
                { label: 'Difference', cell: (d) => esc(differenceWords(d)) },
                { label: 'Shop', cell: (d) => (d.localAmount ? yuan(d.localAmount) : '—'), num: true },
                { label: 'Channel’s bill', cell: (d) => (d.alipayAmount ? yuan(d.alipayAmount) : '—'), num: true },
                { label: 'What was done', cell: (d) => esc(d.action) },
              ],
              report.differences,
              { empty: 'No difference: the shop and the channels’ bills agree.', caption: `Differences of ${report.date}`, id: 'differences' },
            )}`
         : ''
     }`,
  );
  $('#reconcile').addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors();
    const value = $('#reconcile-date').value;
    if (!value) return fieldError($('#reconcile-date'), 'Choose a day.');
    if (value > today) return fieldError($('#reconcile-date'), 'This day has not ended yet in China; choose today or an earlier day.');
    if (value === date) return void route();
    location.hash = hashWith('reconciliation', { date: value });
    return undefined;
  });
}

// ---------- router ----------

const ROUTES = [
  [/^\/?$/, dashboardView],
  [/^\/orders$/, ordersView],
  [/^\/orders\/([1-9]\d{0,19})$/, orderView],
  [/^\/after-sales$/, afterSalesView],
  [/^\/refunds$/, refundsView],
  [/^\/goods$/, goodsView],
  [/^\/goods\/new$/, newGoodsView],
  [/^\/goods\/([1-9]\d{0,19})$/, goodsEditView],
  [/^\/users$/, usersView],
  [/^\/users\/([1-9]\d{0,19})$/, userView],
  [/^\/reconciliation$/, reconciliationView],
];

let routing = 0;
async function route() {
  const turn = ++routing;
  if (!session.token || roleOf(session.token) !== 'ADMIN') {
    $('#nav').hidden = true;
    const notice = session.notice;
    session.notice = '';
    return signInView(notice);
  }
  $('#nav').hidden = false;
  const path = location.hash.slice(1).split('?')[0];
  const found = ROUTES.map(([pattern, render]) => [path.match(pattern), render]).find(([match]) => match);
  if (!found) return show('Page not found', '<p>This page does not exist. <a href="#/">Back to the dashboard</a>.</p>');
  try {
    return await found[1](...found[0].slice(1));
  } catch (error) {
    if (turn !== routing) return undefined;
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') return route();
    if (error instanceof ApiError && error.code === 'NOT_FOUND') return show('Not found', `<p>${esc(MESSAGES.NOT_FOUND)}</p><p><a href="#/">Back to the dashboard</a>.</p>`);
    show('This page could not be loaded', '<div class="error-host"></div>');
    showError($('.error-host'), explain(error), { retry: () => void route() });
    return undefined;
  }
}

$('#sign-out').addEventListener('click', () => {
  signOut();
  say('Signed out.');
  void route();
});
window.addEventListener('hashchange', async () => {
  say(session.pendingMessage ?? '');
  session.pendingMessage = undefined;
  await route();
  // An error of the action that led here (the goods created, their picture refused) stands on this page.
  if (session.pendingError) showError(view(), session.pendingError);
  session.pendingError = undefined;
});
void route();
