// The storefront: a small single-page app over order-web's and pay-web's JSON APIs. No framework
// and no build step: the browser loads these modules as they are (see docs/decisions.md).

import { hasMessage, language, LANGUAGES, setLanguage, t } from './i18n.js';
import { $, clearErrors, confirmDialog, esc, fieldError, reveal, say, showError, th } from './ui.js';

const TOKEN_KEY = 'shop.token';
const GUEST_CART_KEY = 'shop.guestCart';
const LIVE_STATUSES = new Set(['PENDING', 'CONFIRMED']);
const POLL_MS = 1500;
const GOODS_PAGE_SIZE = 24;
const MAX_PAGE = 10_000;
// The API's limits, checked here first so that a customer reads them before any refusal:
// MAX_QUANTITY and MAX_LINES of contracts/src/order-lines.ts, the account rules of
// services/user/src/domain/accounts.ts, money and ids as the front doors' schemas take them.
const MAX_QUANTITY = 999;
const MAX_LINES = 50;
const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const PASSWORD_LENGTH = { min: 8, max: 128 };
const MONEY = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$/;
const ID = /^[1-9][0-9]{0,19}$/;

const session = {
  token: localStorage.getItem(TOKEN_KEY),
  payWeb: `${location.protocol}//${location.hostname}:7002`,
};
let settingsLoaded = Promise.resolve();
let stopPolling = () => {};

const view = () => $('#view');
const yuan = (amount) => `¥${amount}`;
const when = (iso) => (iso ? new Date(iso).toLocaleString(language()) : '');
const cents = (amount) => (MONEY.test(String(amount)) ? Math.round(Number(amount) * 100) : undefined);
const money = (amountCents) => (amountCents / 100).toFixed(2);
const statusLabel = (status) => (hasMessage(`status.${status}`) ? t(`status.${status}`) : status);
const statusBadge = (status, id) =>
  `<span class="status ${esc(status)}" data-status="${esc(status)}"${id ? ` id="${id}"` : ''}>${esc(statusLabel(status))}</span>`;

// ---------- calling the APIs ----------

/** A refusal by the server (the front doors' `{code, message}`), or no answer at all (code NETWORK, status 0). */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message ?? code);
    this.status = status;
    this.code = code;
  }

  /** Whether the very same request may be sent again: it got no answer, or the server failed (5xx). */
  get retryable() {
    return this.status === 0 || this.status >= 500;
  }
}

/** What the page refuses before asking the server: a message of i18n.js, shown under `field` when there is one. */
class PageRefusal extends Error {
  constructor(key, values = {}, field = undefined) {
    super(key);
    this.key = key;
    this.values = values;
    this.field = field;
  }
}

/** Calls an API; answers its JSON, or throws ApiError. */
async function call(method, url, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (session.token) init.headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  let data;
  try {
    response = await fetch(url, init);
    data = response.headers.get('content-type')?.includes('json') ? await response.json() : undefined;
  } catch {
    // No answer, or an answer cut short: whether the server acted is unknown.
    if (!response?.status || response.ok) throw new ApiError(0, 'NETWORK');
  }
  if (!response.ok) {
    if (response.status === 401 && session.token) signOut();
    const code = typeof data?.code === 'string' ? data.code : response.status >= 500 ? 'UNAVAILABLE' : 'ERROR';
    throw new ApiError(response.status, code, data?.message);
  }
  return data;
}

const api = (method, path, body, headers) => call(method, path, body, headers);
const payApi = async (method, path, body, headers) => {
  await settingsLoaded;
  return call(method, session.payWeb + path, body, headers);
};

const newKey = () =>
  crypto.randomUUID?.() ?? Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * The Idempotency-Key of a request that must not happen twice (an order, a refund). Each new
 * attempt gets a new key; the key is sent again only to repeat the same attempt (same body,
 * same cart) after it got no answer or a server failure, so that a lost answer cannot place a
 * second order. A refusal ends the attempt: the corrected one is a new request.
 */
class Attempts {
  keyFor(signature) {
    if (this.current?.signature !== signature) this.current = { signature, key: newKey() };
    return this.current.key;
  }

  /** After the answer: keeps the key only for an attempt that may be repeated as it is. */
  settle(error) {
    if (!(error instanceof ApiError && error.retryable)) this.current = undefined;
  }
}

const attempts = { checkout: new Attempts(), refund: new Attempts(), afterSales: new Attempts() };

/** What to tell the customer about `error`, chosen by its code: what it means for `action` first, else in general. */
function describe(error, action) {
  if (error instanceof PageRefusal) return t(error.key, error.values);
  if (!(error instanceof ApiError)) return t('error.unexpected');
  const key = [`error.${action}.${error.code}`, `error.${error.code}`].find(hasMessage);
  if (key) return t(key);
  return t(error.status >= 500 ? 'error.UNAVAILABLE' : 'error.unexpected');
}

/** Shows a failure of `action` next to `anchor` (under the field for a PageRefusal that names one), with a retry when it may be repeated. */
function report(anchor, error, action, retry) {
  if (!(error instanceof ApiError || error instanceof PageRefusal)) console.error(error);
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED' && action !== 'signIn') return void signInAgain();
  if (error instanceof PageRefusal && error.field) return void fieldError(error.field, describe(error, action));
  const text = action === 'merge' ? t('cart.mergeFailed', { reason: describe(error, action) }) : describe(error, action);
  showError(anchor, text, error instanceof ApiError && error.retryable ? { retry } : {});
}

/** Runs a customer's action: the messages of the last one go, a failure shows next to `anchor`. */
async function act(anchor, action, name) {
  clearErrors();
  say('');
  try {
    await action();
  } catch (error) {
    report(anchor, error, name, () => act(anchor, action, name));
  }
}

// ---------- session ----------

async function signIn(username, password) {
  const { token } = await api('POST', '/api/v1/auth/login', { username, password });
  session.token = token;
  localStorage.setItem(TOKEN_KEY, token);
}

function signOut() {
  session.token = null;
  localStorage.removeItem(TOKEN_KEY);
  // The next person at this browser does not see where the last one ships to.
  forgetCheckoutDraft();
  void refreshHeader();
}

const signInHash = (next) => `#/signin?next=${encodeURIComponent(next)}`;

/** After a refused token: to the sign-in page, coming back here afterwards. */
function signInAgain() {
  signOut();
  navigate(signInHash(currentRoute().path), { notice: t('account.sessionEnded') });
}

/** Where sign-in may lead: a page of this storefront (never the sign-in page itself). */
function safeNext(next) {
  return next && /^\/[A-Za-z0-9/?=&%._-]*$/.test(next) && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/cart';
}

async function refreshHeader() {
  const signedIn = Boolean(session.token);
  $('#nav-orders').hidden = !signedIn;
  $('#sign-out').hidden = !signedIn;
  $('#nav-signin').hidden = signedIn;
  $('#account').hidden = !signedIn;
  try {
    if (signedIn) {
      const me = await api('GET', '/api/v1/me');
      $('#account').textContent = t('header.account', { username: me.username, balance: yuan(me.balance), points: me.points });
    }
    $('#cart-count').textContent = String((await currentCart()).items.length);
  } catch {
    // The header is decoration: a failure here shows on the page that needs the data.
  }
}

// ---------- cart: the server's when signed in, the browser's before ----------

/** A quantity as typed: a whole number from 1 to MAX_QUANTITY, else undefined. */
function parseQuantity(text) {
  const value = String(text).trim();
  return /^[0-9]{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_QUANTITY ? Number(value) : undefined;
}

/**
 * The guest cart as the API takes it, whatever the browser holds (an older page kept any typed
 * quantity): fractions rounded down, more than MAX_QUANTITY capped, lines under 1 or without a
 * goods id dropped, one line per goods, at most MAX_LINES lines.
 */
function cleanGuestLines(stored) {
  const lines = new Map();
  for (const line of Array.isArray(stored) ? stored : []) {
    const goodsId = String(line?.goodsId ?? '');
    const quantity = Math.min(MAX_QUANTITY, Math.floor(Number(line?.quantity)));
    if (!ID.test(goodsId) || !(quantity >= 1)) continue;
    const earlier = lines.get(goodsId);
    if (earlier) earlier.quantity = Math.min(MAX_QUANTITY, earlier.quantity + quantity);
    else if (lines.size < MAX_LINES) {
      const price = MONEY.test(String(line.price)) ? String(line.price) : '0.00';
      lines.set(goodsId, { goodsId, name: String(line.name ?? ''), price, quantity, checked: line.checked !== false });
    }
  }
  return [...lines.values()];
}

function guestCart() {
  try {
    return cleanGuestLines(JSON.parse(localStorage.getItem(GUEST_CART_KEY) ?? '[]'));
  } catch {
    return [];
  }
}

function saveGuestCart(items) {
  if (items.length) localStorage.setItem(GUEST_CART_KEY, JSON.stringify(items));
  else localStorage.removeItem(GUEST_CART_KEY);
}

const lineCents = (line) => (cents(line.price) ?? 0) * line.quantity;

async function currentCart() {
  if (session.token) return api('GET', '/api/v1/cart');
  const items = guestCart();
  return { items, checkedAmount: money(items.filter((i) => i.checked).reduce((sum, i) => sum + lineCents(i), 0)) };
}

async function putLine(goods, quantity, checked) {
  if (session.token) return api('PUT', `/api/v1/cart/items/${goods.goodsId}`, { quantity, checked });
  const items = guestCart();
  const line = { goodsId: goods.goodsId, name: goods.name, price: goods.price, quantity, checked };
  const index = items.findIndex((i) => i.goodsId === goods.goodsId);
  if (index >= 0) items[index] = line;
  else if (items.length >= MAX_LINES) throw new PageRefusal('cart.full', { max: MAX_LINES });
  else items.push(line);
  saveGuestCart(items);
}

async function removeLine(goodsId) {
  if (session.token) return api('DELETE', `/api/v1/cart/items/${goodsId}`);
  saveGuestCart(guestCart().filter((i) => i.goodsId !== goodsId));
}

async function addToCart(goods) {
  const had = (await currentCart()).items.find((i) => i.goodsId === goods.goodsId)?.quantity ?? 0;
  if (had >= MAX_QUANTITY) throw new PageRefusal('cart.atMost', { max: MAX_QUANTITY, name: goods.name });
  await putLine(goods, had + 1, true);
  say(t('cart.added', { name: goods.name }));
  await refreshHeader();
}

/** Moves the guest cart (cleaned) into the signed-in user's cart; the browser forgets it only once the server took it. */
async function mergeGuestCart() {
  const items = guestCart();
  if (items.length) await api('POST', '/api/v1/cart/merge', { items: items.map(({ goodsId, quantity, checked }) => ({ goodsId, quantity, checked })) });
  localStorage.removeItem(GUEST_CART_KEY);
}

const retryMerge = (anchor) =>
  act(
    anchor,
    async () => {
      await mergeGuestCart();
      say(t('cart.merged'));
      await render('h1');
    },
    'merge',
  );

// ---------- pages: each answers { title, html, bind } (or { redirect }) ----------

/** The hash of the goods list for a search and a page. */
function goodsHash(q, page) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `#/?${text}` : '#/';
}

async function goodsPage(query) {
  const q = (query.get('q') ?? '').trim().slice(0, 64);
  let page = Math.max(1, Math.min(MAX_PAGE, Number.parseInt(query.get('page') ?? '1', 10) || 1));
  const fetchPage = (n) => api('GET', `/api/v1/goods?size=${GOODS_PAGE_SIZE}&page=${n}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  let { items, total } = await fetchPage(page);
  const pages = Math.max(1, Math.ceil(total / GOODS_PAGE_SIZE));
  if (page > pages) {
    // Past the end (an old link, a hand-typed page): the last page, and the address says so.
    page = pages;
    ({ items, total } = await fetchPage(page));
    window.history.replaceState(null, '', goodsHash(q, page));
  }
  const pager =
    pages > 1
      ? `<nav class="actions pager" aria-label="${th('goods.pages')}">
           ${page > 1 ? `<a href="${goodsHash(q, page - 1)}" id="previous-page">${th('goods.previous')}</a>` : ''}
           <span class="muted" id="page-of">${th('goods.pageOf', { page, pages })}</span>
           ${page < pages ? `<a href="${goodsHash(q, page + 1)}" id="next-page">${th('goods.next')}</a>` : ''}</nav>`
      : '';
  const byId = new Map(items.map((g) => [g.goodsId, g]));
  return {
    title: q ? t('title.search', { q }) : t('title.goods'),
    html: `
      <h1 tabindex="-1">${q ? th('goods.matching', { q }) : th('goods.heading')} <span class="muted">(${total})</span></h1>
      ${items.length ? '' : `<p class="muted">${th('goods.nothing')}</p>`}
      <div class="grid">${items
        .map(
          (g) => `<div class="card" data-goods="${esc(g.goodsId)}">
            <h2 class="name">${esc(g.name)}</h2>
            <div class="price">${esc(yuan(g.price))}</div>
            <div class="muted">${g.stock > 0 ? th('goods.inStock', { stock: g.stock }) : th('goods.soldOut')}</div>
            <button class="primary add" data-goods="${esc(g.goodsId)}" aria-label="${th('goods.addNamed', { name: g.name })}" ${g.stock > 0 ? '' : 'disabled'}>${th('goods.add')}</button>
          </div>`,
        )
        .join('')}</div>
      ${pager}`,
    bind() {
      $('#search-input').value = q;
      view()
        .querySelectorAll('button.add')
        .forEach((button) => button.addEventListener('click', () => act(button, () => addToCart(byId.get(button.dataset.goods)), 'add')));
    },
  };
}

/** A username and password form; `kind` is "signin" or "signup" (element ids, autocomplete, the rules shown). */
function accountForm(kind) {
  const signUp = kind === 'signup';
  const field = (name, label, attributes, hint) => `
    <label for="${kind}-${name}">${th(label)}</label>
    <div class="field"><input id="${kind}-${name}" name="${name}" required ${attributes}${hint ? ` aria-describedby="${kind}-${name}-hint"` : ''}>
      ${hint ? `<p class="hint" id="${kind}-${name}-hint">${th(hint)}</p>` : ''}</div>`;
  const heading = signUp ? `<h2>${th('account.signUpHeading')}</h2>` : `<h1 tabindex="-1">${th('account.signInHeading')}</h1>`;
  return `
    <form class="panel" id="${kind}-form" novalidate>
      ${heading}
      <div class="form">
        ${field('username', 'account.username', `autocomplete="username" maxlength="${signUp ? 32 : 64}"`, signUp && 'account.usernameHint')}
        ${field('password', 'account.password', `type="password" autocomplete="${signUp ? 'new-password' : 'current-password'}" maxlength="${PASSWORD_LENGTH.max}"`, signUp && 'account.passwordHint')}
      </div>
      <div class="actions"><button class="primary" id="${kind}-submit">${th(signUp ? 'account.signUp' : 'account.signIn')}</button></div>
    </form>`;
}

/** The form's problems before anything is sent (the sign-up rules are the user service's); the first one is focused. */
function accountProblems(form, signUp) {
  const { username, password } = form.elements;
  const problems = [];
  const name = username.value.trim();
  if (!name) problems.push([username, t('account.usernameRequired')]);
  else if (signUp && !USERNAME.test(name)) problems.push([username, t('account.usernameRule')]);
  if (!password.value) problems.push([password, t('account.passwordRequired')]);
  else if (signUp && (password.value.length < PASSWORD_LENGTH.min || password.value.length > PASSWORD_LENGTH.max))
    problems.push([password, t('account.passwordRule')]);
  problems.forEach(([field, text], index) => fieldError(field, text, { focus: index === 0 }));
  return problems.length > 0;
}

function signInPage(query) {
  const next = safeNext(query.get('next'));
  // A sign-up whose account was created but whose sign-in got no answer signs in on the retry.
  const registered = new Set();
  const submit = async (form, signUp) => {
    clearErrors();
    say('');
    if (accountProblems(form, signUp)) return;
    const credentials = { username: form.elements.username.value.trim(), password: form.elements.password.value };
    const button = $('button.primary', form);
    button.disabled = true;
    try {
      if (signUp && !registered.has(credentials.username)) {
        await api('POST', '/api/v1/auth/register', credentials);
        registered.add(credentials.username);
      }
      await signIn(credentials.username, credentials.password);
    } catch (error) {
      button.disabled = false;
      return report(form, error, signUp ? 'signUp' : 'signIn', () => submit(form, signUp));
    }
    let mergeError;
    try {
      await mergeGuestCart();
    } catch (error) {
      mergeError = error;
    }
    navigate(`#${next}`, { then: mergeError && (() => report(null, mergeError, 'merge', () => retryMerge(null))) });
  };
  return {
    title: t('title.signIn'),
    html: `<div class="columns">${accountForm('signin')}${accountForm('signup')}</div>`,
    bind() {
      for (const [id, signUp] of [
        ['#signin-form', false],
        ['#signup-form', true],
      ]) {
        $(id).addEventListener('submit', (event) => {
          event.preventDefault();
          void submit(event.target, signUp);
        });
      }
    },
  };
}

// What the customer typed in the checkout form: the cart page is drawn again at every change of
// the cart (a lowered quantity after "not enough stock"), and the form keeps it.
const checkoutDraft = {};

function forgetCheckoutDraft() {
  for (const name of Object.keys(checkoutDraft)) delete checkoutDraft[name];
}

async function cartPage() {
  const cart = await currentCart();
  const waiting = session.token ? guestCart() : [];
  const [me, coupons] = session.token && cart.items.length ? await Promise.all([api('GET', '/api/v1/me'), api('GET', '/api/v1/me/coupons')]) : [];
  const cell = (label, content, className = '') => `<td data-label="${th(label)}"${className ? ` class="${className}"` : ''}>${content}</td>`;
  const lines = cart.items
    .map(
      (i) => `<tr data-goods="${esc(i.goodsId)}">
        <td class="check-cell"><input type="checkbox" class="check" id="check-${esc(i.goodsId)}" aria-label="${th('cart.orderNamed', { name: i.name })}" ${i.checked ? 'checked' : ''}></td>
        ${cell('cart.goods', esc(i.name), 'goods-name')}
        ${cell('cart.price', esc(yuan(i.price)), 'num')}
        ${cell('cart.quantity', `<input type="number" class="quantity" id="qty-${esc(i.goodsId)}" min="1" max="${MAX_QUANTITY}" step="1" inputmode="numeric" value="${i.quantity}" aria-label="${th('cart.quantityOf', { name: i.name })}">`, 'num')}
        ${cell('cart.subtotal', esc(yuan(money(lineCents(i)))), 'num subtotal')}
        <td class="row-actions"><button class="remove" aria-label="${th('cart.removeNamed', { name: i.name })}">${th('cart.remove')}</button></td>
      </tr>`,
    )
    .join('');
  const signInPrompt = `<p><a href="${signInHash('/cart')}">${th('cart.signInLink')}</a> ${th('cart.signInRest')}</p>`;
  const table = `
    <table class="reflow" id="cart-table"><thead><tr>
      <th scope="col"><span class="sr-only">${th('cart.orderIt')}</span></th><th scope="col">${th('cart.goods')}</th><th scope="col" class="num">${th('cart.price')}</th>
      <th scope="col" class="num">${th('cart.quantity')}</th><th scope="col" class="num">${th('cart.subtotal')}</th><th scope="col"><span class="sr-only">${th('cart.actions')}</span></th>
    </tr></thead><tbody>${lines}</tbody></table>
    <p class="summary">${th('cart.checked')} <strong id="checked-amount">${esc(yuan(cart.checkedAmount))}</strong> ${th('cart.shippingLater')}
      <button id="clear-cart">${th('cart.clear')}</button></p>
    ${me ? checkoutForm(me, coupons.filter((c) => !c.used)) : signInPrompt}`;
  return {
    title: t('title.cart'),
    html: `
      <h1 tabindex="-1">${th('cart.heading')}</h1>
      ${
        waiting.length
          ? `<div class="panel notice" id="guest-waiting"><p>${th('cart.guestWaiting', { count: waiting.length })}</p><button id="merge-guest">${th('cart.mergeGuest')}</button></div>`
          : ''
      }
      ${cart.items.length ? table : `<p class="muted">${th('cart.empty')} <a href="#/">${th('cart.browse')}</a></p>`}`,
    bind: () => bindCart(cart, me),
  };
}

function bindCart(cart, me) {
  const byId = new Map(cart.items.map((i) => [i.goodsId, i]));
  view()
    .querySelectorAll('tbody tr')
    .forEach((row) => {
      const line = byId.get(row.dataset.goods);
      const quantity = $('.quantity', row);
      const check = $('.check', row);
      quantity.addEventListener('change', () =>
        act(
          quantity,
          async () => {
            const value = parseQuantity(quantity.value);
            if (value === undefined) {
              quantity.value = String(line.quantity);
              throw new PageRefusal('cart.quantityRule', { max: MAX_QUANTITY, quantity: line.quantity }, quantity);
            }
            await putLine(line, value, check.checked);
            await render(`#${quantity.id}`);
          },
          'cart',
        ),
      );
      check.addEventListener('change', () =>
        act(
          check,
          async () => {
            await putLine(line, line.quantity, check.checked);
            await render(`#${check.id}`);
          },
          'cart',
        ),
      );
      const remove = $('.remove', row);
      remove.addEventListener('click', () =>
        act(
          remove,
          async () => {
            await removeLine(line.goodsId);
            say(t('cart.removed', { name: line.name }));
            await render('h1');
          },
          'cart',
        ),
      );
    });
  const clear = $('#clear-cart');
  clear?.addEventListener('click', () =>
    act(
      clear,
      async () => {
        if (session.token) await api('DELETE', '/api/v1/cart');
        else saveGuestCart([]);
        say(t('cart.cleared'));
        await render('h1');
      },
      'cart',
    ),
  );
  const merge = $('#merge-guest');
  merge?.addEventListener('click', () => retryMerge(merge));
  const form = $('#checkout-form');
  if (!form) return;
  form.addEventListener('input', (event) => {
    checkoutDraft[event.target.name] = event.target.value;
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void placeOrder(form, cart, me);
  });
}

function couponOptions(coupons, selected) {
  return `<option value="">${th('checkout.noCoupon')}</option>${coupons
    .map((c) => `<option value="${esc(c.couponId)}"${c.couponId === selected ? ' selected' : ''}>${th('checkout.couponOff', { amount: yuan(c.amount) })}</option>`)
    .join('')}`;
}

function checkoutForm(me, coupons) {
  const value = (name) => esc(checkoutDraft[name] ?? '');
  return `<form class="panel" id="checkout-form" novalidate>
    <h2>${th('checkout.heading')}</h2>
    <div class="form">
      <label for="consignee">${th('checkout.consignee')}</label>
      <div class="field"><input id="consignee" name="consignee" required maxlength="50" autocomplete="name" value="${value('consignee')}"></div>
      <label for="address">${th('checkout.address')}</label>
      <div class="field"><input id="address" name="address" required maxlength="200" autocomplete="street-address" value="${value('address')}"></div>
      <label for="coupon">${th('checkout.coupon')}</label>
      <div class="field"><select id="coupon" name="couponId">${couponOptions(coupons, checkoutDraft.couponId)}</select></div>
      <label for="balance">${th('checkout.balance')}</label>
      <div class="field"><input id="balance" name="balance" inputmode="decimal" autocomplete="off" maxlength="15" value="${value('balance')}" aria-describedby="balance-hint">
        <p class="hint" id="balance-hint">${th('checkout.balanceHint', { balance: yuan(me.balance) })}</p></div>
    </div>
    <div class="actions"><button class="primary" id="place-order">${th('checkout.place')}</button></div>
  </form>`;
}

/** The order the checkout form asks for, or undefined after showing what to correct. */
function checkoutRequest(form, cart, me) {
  const { consignee, address, couponId, balance } = form.elements;
  const problems = [];
  if (!consignee.value.trim()) problems.push([consignee, t('checkout.consigneeRequired')]);
  if (!address.value.trim()) problems.push([address, t('checkout.addressRequired')]);
  const balanceText = balance.value.trim();
  if (balanceText && cents(balanceText) === undefined) problems.push([balance, t('checkout.balanceFormat')]);
  else if (balanceText && cents(balanceText) > cents(me.balance)) problems.push([balance, t('checkout.balanceOnly', { balance: yuan(me.balance) })]);
  problems.forEach(([field, text], index) => fieldError(field, text, { focus: index === 0 }));
  if (problems.length) return undefined;
  if (!cart.items.some((i) => i.checked)) {
    showError(form, t('checkout.nothingTicked'));
    return undefined;
  }
  const body = { fromCart: true, consignee: consignee.value.trim(), address: address.value.trim() };
  if (couponId.value) body.couponId = couponId.value;
  if (balanceText) body.balance = balanceText;
  return body;
}

async function placeOrder(form, cart, me) {
  clearErrors();
  say('');
  const body = checkoutRequest(form, cart, me);
  if (!body) return;
  const ordered = cart.items.filter((i) => i.checked);
  // The same form over the same cart is the same attempt (see Attempts).
  const key = attempts.checkout.keyFor(JSON.stringify([body, ordered.map((i) => [i.goodsId, i.quantity])]));
  const button = $('#place-order');
  button.disabled = true;
  try {
    const order = await api('POST', '/api/v1/orders', body, { 'idempotency-key': key });
    attempts.checkout.settle();
    // A repeated attempt whose first try the server had refused answers that order, CANCELLED.
    if (order.status === 'CANCELLED') return void showError(form, t('checkout.refusedBefore'));
    forgetCheckoutDraft();
    navigate(`#/orders/${order.orderId}`, { notice: t('checkout.placed') });
  } catch (error) {
    attempts.checkout.settle(error);
    await checkoutRefused(form, error, body, ordered, () => placeOrder(form, cart, me));
  } finally {
    button.disabled = false;
  }
}

/** Lines whose goods have less stock than ordered (0 for goods no longer on sale). */
async function shortLines(lines) {
  const stockOf = (goodsId) =>
    api('GET', `/api/v1/goods/${goodsId}`).then(
      (goods) => goods.stock,
      (error) => (error instanceof ApiError && error.code === 'NOT_FOUND' ? 0 : Infinity),
    );
  const stocks = await Promise.all(lines.map((line) => stockOf(line.goodsId)));
  return lines.map((line, index) => ({ line, stock: stocks[index] })).filter(({ line, stock }) => stock < line.quantity);
}

/** Shows a refused checkout next to what the customer must change. */
async function checkoutRefused(form, error, body, ordered, retry) {
  const code = error instanceof ApiError ? error.code : undefined;
  if (code === 'INSUFFICIENT_STOCK') {
    const short = await shortLines(ordered);
    const names = short.map(({ line }) => line.name).join(t('list.separator'));
    showError(form, names ? t('checkout.stock', { names }) : describe(error, 'checkout'), { focus: short.length === 0 });
    short.forEach(({ line, stock }, index) => {
      const quantity = $(`#qty-${line.goodsId}`);
      if (quantity) fieldError(quantity, stock > 0 ? t('checkout.onlyLeft', { stock }) : t('checkout.soldOut'), { focus: index === 0 });
    });
  } else if (code === 'INSUFFICIENT_BALANCE') {
    const me = await api('GET', '/api/v1/me').catch(() => undefined);
    if (me) $('#balance-hint').textContent = t('checkout.balanceHint', { balance: yuan(me.balance) });
    fieldError($('#balance'), me ? t('checkout.balanceOnly', { balance: yuan(me.balance) }) : describe(error, 'checkout'));
    void refreshHeader();
  } else if (code === 'COUPON_UNAVAILABLE') {
    const coupons = await api('GET', '/api/v1/me/coupons').catch(() => undefined);
    const select = $('#coupon');
    if (coupons) select.innerHTML = couponOptions(coupons.filter((c) => !c.used), '');
    checkoutDraft.couponId = select.value;
    fieldError(select, t('checkout.couponGone'));
  } else if (code === 'INVALID_ARGUMENT' && body.balance) {
    fieldError($('#balance'), t('checkout.balanceTooHigh'));
  } else {
    report(form, error, 'checkout', retry);
  }
}

async function ordersPage() {
  if (!session.token) return { redirect: signInHash('/orders') };
  const { items } = await api('GET', '/api/v1/orders?size=50');
  const row = (o) => `<tr data-order="${esc(o.orderId)}">
      <td data-label="${th('orders.order')}"><a href="#/orders/${esc(o.orderId)}">${esc(o.orderId)}</a></td>
      <td data-label="${th('orders.placed')}">${esc(when(o.createdAt))}</td>
      <td data-label="${th('orders.goods')}">${o.items.map((i) => th('orders.line', { name: i.name, quantity: i.quantity })).join(t('list.separator'))}</td>
      <td data-label="${th('orders.alipayPart')}" class="num">${esc(yuan(o.payAmount))}</td>
      <td data-label="${th('orders.status')}">${statusBadge(o.status)}</td>
      <td class="row-actions">${orderActions(o)}${
        ['PAID', 'SHIPPED', 'COMPLETED'].includes(o.status)
          ? ` <a class="refund" href="#/orders/${esc(o.orderId)}">${th(o.status === 'PAID' ? 'orders.refund' : 'orders.afterSales')}</a>`
          : ''
      }</td></tr>`;
  return {
    title: t('title.orders'),
    html: `
      <h1 tabindex="-1">${th('orders.heading')}</h1>
      ${
        items.length
          ? `<table class="reflow" id="orders-table"><thead><tr><th scope="col">${th('orders.order')}</th><th scope="col">${th('orders.placed')}</th>
              <th scope="col">${th('orders.goods')}</th><th scope="col" class="num">${th('orders.alipayPart')}</th><th scope="col">${th('orders.status')}</th>
              <th scope="col"><span class="sr-only">${th('orders.actions')}</span></th></tr></thead>
              <tbody>${items.map(row).join('')}</tbody></table>`
          : `<p class="muted">${th('orders.none')}</p>`
      }`,
  };
}

/** Buttons for what the user can do with the order now; handled by {@link onOrderAction}. */
function orderActions(order) {
  const id = esc(order.orderId);
  if (order.status === 'CONFIRMED') return `<button class="cancel" data-action="cancel" data-order="${id}">${th('order.cancel')}</button>`;
  if (order.status === 'SHIPPED') return `<button class="primary receipt" data-action="receipt" data-order="${id}">${th('order.receipt')}</button>`;
  return '';
}

/** Cancel (after a confirmation) and receipt buttons, on the order list and the order page alike. */
async function onOrderAction(event) {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const { action, order: orderId } = button.dataset;
  if (action === 'cancel') {
    const confirmed = await confirmDialog({ title: t('cancel.title', { orderId }), text: t('cancel.text'), yes: t('cancel.yes'), no: t('cancel.no') });
    if (!confirmed) return;
  }
  await act(
    button,
    async () => {
      if (action === 'cancel') await api('POST', `/api/v1/orders/${orderId}/cancel`, { reason: t('cancel.reason') });
      if (action === 'receipt') await api('POST', `/api/v1/orders/${orderId}/receipt`);
      say(t(action === 'cancel' ? 'order.cancelledDone' : 'order.receiptDone', { orderId }));
      await render('h1');
    },
    action,
  );
}

function actorLabel(actor, order) {
  if (actor === `user:${order.userId}`) return t('actor.you');
  return t(actor.startsWith('system:') ? 'actor.system' : 'actor.shop');
}

async function orderPage(orderId) {
  if (!session.token) return { redirect: signInHash(`/orders/${orderId}`) };
  const order = await api('GET', `/api/v1/orders/${orderId}`);
  // Before shipment the customer refunds; after it she asks, and an admin decides (after-sales).
  const left = cents(order.payAmount) + cents(order.balancePaid) - cents(order.refundedAmount);
  const unpaid = LIVE_STATUSES.has(order.status);
  return {
    title: t('title.order', { orderId: order.orderId }),
    html: `
      <h1 tabindex="-1" class="order-heading">${th('order.heading', { orderId: order.orderId })} ${statusBadge(order.status, 'order-status')}</h1>
      ${order.cancelReason ? `<p class="muted">${th('order.cancelled', { reason: order.cancelReason })}</p>` : ''}
      <table class="reflow"><thead><tr><th scope="col">${th('order.goods')}</th><th scope="col" class="num">${th('order.price')}</th><th scope="col" class="num">${th('order.quantity')}</th></tr></thead><tbody>
        ${order.items
          .map(
            (i) =>
              `<tr><td data-label="${th('order.goods')}">${esc(i.name)}</td><td data-label="${th('order.price')}" class="num">${esc(yuan(i.price))}</td><td data-label="${th('order.quantity')}" class="num">${i.quantity}</td></tr>`,
          )
          .join('')}
      </tbody></table>
      <div class="panel">
        ${th('order.sum', { goods: yuan(order.goodsAmount), shipping: yuan(order.shippingFee), coupon: yuan(order.couponPaid), balance: yuan(order.balancePaid) })}
        <strong id="pay-amount">${esc(yuan(order.payAmount))}</strong> ${th(unpaid ? 'order.toPay' : 'order.viaAlipay')}
        ${order.status === 'CONFIRMED' && order.payDeadline ? `<div class="muted">${th('order.payBefore', { deadline: when(order.payDeadline) })}</div>` : ''}
        ${cents(order.refundedAmount) > 0 ? `<div id="refunded-amount">${th('order.refunded', { amount: yuan(order.refundedAmount) })}</div>` : ''}
        <div class="muted">${th('order.shipTo', { consignee: order.consignee, address: order.address })}</div>
      </div>
      <div id="payment"></div>
      ${
        order.status === 'CONFIRMED'
          ? `<div class="actions"><button class="primary" id="pay-button">${th('order.pay')}</button>${orderActions(order)}</div>`
          : order.status === 'SHIPPED'
            ? `<div class="actions">${orderActions(order)}</div>`
            : ''
      }
      ${order.status === 'PAID' ? refundForm(left) : ''}
      ${order.status === 'SHIPPED' || order.status === 'COMPLETED' ? afterSalesForm() : ''}
      <h2>${th('order.history')}</h2>
      <table id="history" class="reflow"><thead><tr><th scope="col">${th('order.when')}</th><th scope="col">${th('order.from')}</th><th scope="col">${th('order.to')}</th>
        <th scope="col">${th('order.by')}</th><th scope="col">${th('order.why')}</th></tr></thead><tbody>
        ${order.history
          .map(
            (h) => `<tr><td data-label="${th('order.when')}">${esc(when(h.at))}</td><td data-label="${th('order.from')}">${h.from ? esc(statusLabel(h.from)) : '—'}</td>
              <td data-label="${th('order.to')}">${esc(statusLabel(h.to))}</td><td data-label="${th('order.by')}">${esc(actorLabel(h.actor, order))}</td>
              <td data-label="${th('order.why')}">${esc(h.reason ?? '')}</td></tr>`,
          )
          .join('')}
      </tbody></table>`,
    bind() {
      bindOrder(order, left);
      if (unpaid) pollOrder(order.orderId, (now) => now.status !== order.status, (now) => t('order.statusNow', { status: statusLabel(now.status) }));
    },
  };
}

function refundForm(left) {
  const amountField =
    left > 0
      ? `<label for="refund-amount">${th('refund.amount')}</label>
         <div class="field"><input id="refund-amount" name="amount" inputmode="decimal" autocomplete="off" maxlength="15" aria-describedby="refund-amount-hint">
           <p class="hint" id="refund-amount-hint">${th('refund.amountHint', { left: yuan(money(left)) })}</p></div>`
      : '';
  return `<form class="panel" id="refund-form" novalidate>
    <h2>${th('refund.heading')}</h2>
    ${left > 0 ? '' : `<p class="muted" id="refund-nothing-left">${th('refund.nothingLeft')}</p>`}
    <div class="form">
      ${amountField}
      <label for="refund-reason">${th('refund.reason')}</label>
      <div class="field"><input id="refund-reason" name="reason" maxlength="200" aria-describedby="refund-reason-hint"><p class="hint" id="refund-reason-hint">${th('refund.reasonHint')}</p></div>
    </div>
    <div class="actions"><button id="refund-button">${th('refund.submit')}</button></div>
  </form>`;
}

function afterSalesForm() {
  return `<form class="panel" id="after-sales-form" novalidate>
    <h2>${th('afterSales.heading')}</h2>
    <div class="form">
      <label for="after-sales-reason">${th('afterSales.reason')}</label>
      <div class="field"><input id="after-sales-reason" name="reason" maxlength="200"></div>
    </div>
    <div class="actions"><button id="after-sales-button">${th('afterSales.submit')}</button></div>
  </form>`;
}

function bindOrder(order, left) {
  const pay = $('#pay-button');
  pay?.addEventListener('click', () =>
    act(
      pay,
      async () => {
        const payment = await payApi('POST', '/api/v1/payments', { orderId: order.orderId, channel: 'ALIPAY_QR' });
        const amount = yuan(payment.amount);
        $('#payment').innerHTML = `<section class="panel" aria-labelledby="payment-title">
          <h2 id="payment-title" tabindex="-1">${th('pay.heading', { amount })}</h2>
          <div class="qr"><img id="qr-image" src="${esc(payment.qrImage)}" alt="${th('pay.qr', { amount })}">
            <div><p>${th('pay.scan')} <a id="cashier-link" href="${esc(payment.qrCode)}" target="_blank" rel="noopener">${th('pay.cashier')}</a>.</p>
            <p class="muted">${th('pay.auto')}</p></div></div></section>`;
        pay.hidden = true;
        reveal($('#payment-title'));
      },
      'pay',
    ),
  );
  $('#refund-form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    void refund(event.target, order, left);
  });
  $('#after-sales-form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    const reason = form.elements.reason.value.trim() || t('afterSales.defaultReason');
    const key = attempts.afterSales.keyFor(JSON.stringify([order.orderId, reason]));
    void act(
      form,
      async () => {
        try {
          await api('POST', `/api/v1/orders/${order.orderId}/after-sales`, { reason }, { 'idempotency-key': key });
          attempts.afterSales.settle();
        } catch (error) {
          attempts.afterSales.settle(error);
          throw error;
        }
        say(t('afterSales.sent'));
      },
      'afterSales',
    );
  });
}

/** The refund the form asks for: `{ amount? }` (none: everything left), or undefined after showing what to correct. */
function refundAmount(form, left) {
  const input = form.elements.amount;
  const text = input?.value.trim() ?? '';
  if (!text) return {};
  const asked = cents(text);
  if (asked === undefined || asked <= 0) return void fieldError(input, t('refund.amountFormat'));
  if (asked > left) return void fieldError(input, t('refund.amountMax', { left: yuan(money(left)) }));
  return { amount: money(asked) };
}

async function refund(form, order, left, confirmed = false) {
  clearErrors();
  say('');
  const asked = refundAmount(form, left);
  if (!asked) return;
  if (!confirmed) {
    const text = asked.amount
      ? t('refund.confirmPart', { amount: yuan(asked.amount), left: yuan(money(left)) })
      : t('refund.confirmAll', { left: yuan(money(left)) });
    if (!(await confirmDialog({ title: t('refund.confirmTitle', { orderId: order.orderId }), text, yes: t('refund.confirmYes'), no: t('refund.confirmNo') }))) return;
  }
  // No amount field sent for "everything": never a 0.00 (what an order paid by coupon and balance has in Alipay).
  const body = { reason: form.elements.reason.value.trim() || t('refund.defaultReason'), ...asked };
  const key = attempts.refund.keyFor(JSON.stringify([order.orderId, body]));
  const button = $('#refund-button');
  button.disabled = true;
  try {
    const done = await payApi('POST', `/api/v1/orders/${order.orderId}/refund`, body, { 'idempotency-key': key });
    attempts.refund.settle();
    if (done.status === 'FAILED') return void showError(form, t('refund.failed'));
    const refunded = cents(done.amount) > 0 ? t('refund.done', { amount: yuan(done.amount) }) : t('refund.doneNoMoney');
    say(done.status === 'SUCCEEDED' ? refunded : t('refund.pending'));
    pollOrder(order.orderId, (now) => now.status !== order.status || now.refundedAmount !== order.refundedAmount, () => refunded);
  } catch (error) {
    attempts.refund.settle(error);
    report(form, error, 'refund', () => refund(form, order, left, true));
  } finally {
    button.disabled = false;
  }
}

/** Draws the order page again once the order changed as `changed` says, saying `notice(order)` if given; stops on leaving the page. */
function pollOrder(orderId, changed, notice) {
  stopPolling();
  let active = true;
  const timer = setInterval(async () => {
    try {
      const now = await api('GET', `/api/v1/orders/${orderId}`);
      if (active && changed(now)) {
        stopPolling();
        if (notice) say(notice(now));
        await render('h1');
      }
    } catch {
      // A missed poll is retried by the next one.
    }
  }, POLL_MS);
  stopPolling = () => {
    active = false;
    clearInterval(timer);
  };
}

// ---------- routing ----------

function currentRoute() {
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  return { path: path || '/', query: new URLSearchParams(search) };
}

function pageFor({ path, query }) {
  const order = path.match(/^\/orders\/([0-9]{1,20})$/);
  if (path === '/signin') return signInPage(query);
  if (path === '/cart') return cartPage();
  if (path === '/orders') return ordersPage();
  if (order) return orderPage(order[1]);
  return goodsPage(query);
}

function errorPage(error, action, retry) {
  return {
    title: t('title.error'),
    html: `<h1 tabindex="-1">${th('error.pageHeading')}</h1><div class="error-host" id="page-error"></div>`,
    bind: () => report($('#page-error'), error, action, retry),
  };
}

let renderTicket = 0;

/**
 * Draws the page the address names. `focus`: what gets the focus afterwards (a selector, "h1"
 * for the heading); none keeps it where it is (the first drawing). A drawing overtaken by a
 * newer one is dropped.
 */
async function render(focus) {
  const ticket = ++renderTicket;
  stopPolling();
  void refreshHeader();
  const route = currentRoute();
  let page;
  try {
    page = await pageFor(route);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') page = { redirect: signInHash(route.path) };
    else page = errorPage(error, route.path.startsWith('/orders/') ? 'order' : 'load', () => render(focus ?? 'h1'));
  }
  if (ticket !== renderTicket) return;
  if (page.redirect) return void location.replace(page.redirect);
  document.title = `${page.title} · ${t('brand')}`;
  if (route.path !== '/') $('#search-input').value = '';
  view().innerHTML = page.html;
  if (focus) ($(focus) ?? $('h1', view()))?.focus();
  page.bind?.();
}

let arrival = {};

/** Goes to `hash`; `notice` is said there, `then` runs once it is drawn. */
function navigate(hash, { notice, then } = {}) {
  arrival = { notice, then };
  if (location.hash === hash) void arrive();
  else location.hash = hash;
}

async function arrive() {
  const { notice, then } = arrival;
  arrival = {};
  clearErrors();
  say(notice ?? '');
  window.scrollTo(0, 0);
  await render('h1');
  then?.();
}

/** The words of index.html and the language switch, in the current language. */
function translateShell() {
  document.documentElement.lang = language();
  document.querySelectorAll('[data-i18n]').forEach((element) => (element.textContent = t(element.dataset.i18n)));
  document.querySelectorAll('[data-i18n-placeholder]').forEach((element) => (element.placeholder = t(element.dataset.i18nPlaceholder)));
  document.querySelectorAll('[data-i18n-label]').forEach((element) => element.setAttribute('aria-label', t(element.dataset.i18nLabel)));
  const other = LANGUAGES.find((code) => code !== language());
  const button = $('#language');
  button.lang = other;
  button.textContent = t('language.switch');
  button.title = t('language.switchLabel');
}

/** Reads where pay-web is; until it answers (or if it fails) the default, this host's port 7002, stands. */
async function loadSettings() {
  try {
    const settings = await (await fetch('/storefront.json')).json();
    if (settings.payWebUrl) session.payWeb = settings.payWebUrl;
  } catch {
    // The default stays.
  }
  $('#pay-docs').href = `${session.payWeb}/docs`;
}

async function start() {
  // Off the first render's path: only paying and refunding need pay-web, and they wait for it.
  settingsLoaded = loadSettings();
  translateShell();
  view().addEventListener('click', (event) => void onOrderAction(event));
  $('#search').addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(goodsHash($('#search-input').value.trim(), 1));
  });
  $('#sign-out').addEventListener('click', () => {
    signOut();
    navigate('#/');
  });
  $('#language').addEventListener('click', () => {
    setLanguage(LANGUAGES.find((code) => code !== language()));
    translateShell();
    void refreshHeader();
    void render('#language');
  });
  window.addEventListener('hashchange', () => void arrive());
  await render();
}

void start();
