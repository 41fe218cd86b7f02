// The storefront: a small single-page app over order-web's and pay-web's JSON APIs. No framework
// and no build step: the browser loads these modules as they are (see docs/decisions.md).

import { hasMessage, language, LANGUAGES, setLanguage, t } from './i18n.js';
import { $, clearErrors, clearFieldMessages, confirmDialog, esc, fieldError, reveal, say, showError, th } from './ui.js';
import { sessionRefresher } from './session-refresh.js';

const TOKEN_KEY = 'shop.token';
// The session's refresh token: new access tokens when one expires (docs/api.md, Authentication).
const REFRESH_KEY = 'shop.refresh';
const GUEST_CART_KEY = 'shop.guestCart';
// Orders whose payment this browser started ({until, paymentId, channel} by order id): the order
// page asks for the same payment again after a reload, and draws its QR code.
const PAYMENTS_KEY = 'shop.payments';
// The ways to pay, as pay-web names them; the first is chosen until pay-web says which are open.
const CHANNELS = ['ALIPAY_QR', 'WECHAT_NATIVE'];
const LIVE_STATUSES = new Set(['PENDING', 'CONFIRMED']);
const POLL_MS = 1500;
const GOODS_PAGE_SIZE = 24;
const ORDERS_PAGE_SIZE = 20;
// The services' list limits (services/*/src/domain: page 1 to 10000, size 1 to 100).
const MAX_PAGE = 10_000;
const MAX_PAGE_SIZE = 100;
// The API's limits, checked here first so that a customer reads them before any refusal:
// MAX_QUANTITY and MAX_LINES of contracts/src/order-lines.ts, the account rules of
// services/user/src/domain/accounts.ts, money and ids as the front doors' schemas take them.
const MAX_QUANTITY = 999;
const MAX_LINES = 50;
const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const PASSWORD_LENGTH = { min: 8, max: 128 };
const MONEY = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$/;
// The address book's rules (order-web's addresses.routes.ts, the user service's): at most 20
// entries; a region and a line go into an order's 200-character address with a space between.
const PHONE = /^\+?[0-9][0-9 -]{5,19}$/;
const ADDRESS_MAX = { recipient: 32, phone: 21, region: 64, line: 200, regionAndLine: 199 };
const MAX_ADDRESSES = 20;
const ID = /^[1-9][0-9]{0,19}$/;

const session = {
  token: localStorage.getItem(TOKEN_KEY),
  payWeb: `${location.protocol}//${location.hostname}:7002`,
};
let settingsLoaded = Promise.resolve();
let stopPolling = () => {};
// What to stop when the page is drawn again or left (timers of the page shown).
let leaving = [];

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

/** New tokens from the session's refresh token (session-refresh.js); false when the session is over. */
const refreshSession = sessionRefresher(REFRESH_KEY, (tokens) => keepSession(tokens));

/** Calls an API; answers its JSON, or throws ApiError. A refused access token is renewed once and the call sent again (a 401 did nothing). */
async function call(method, url, body, headers = {}, renewed = false) {
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
    if (response.status === 401 && session.token && !renewed && (await refreshSession())) return call(method, url, body, headers, true);
    if (response.status === 401 && session.token) forgetSession();
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

const attempts = { checkout: new Attempts(), refund: new Attempts(), afterSales: new Attempts(), address: new Attempts() };

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
  keepSession(await api('POST', '/api/v1/auth/login', { username, password }));
}

/** Keeps the tokens of a sign-in, a refresh or a password change. */
function keepSession({ token, refreshToken }) {
  session.token = token;
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(REFRESH_KEY, refreshToken);
}

/** Signing out ends the session at the shop too: its tokens stop working everywhere. */
function signOut() {
  if (session.token) void api('POST', '/api/v1/auth/logout').catch(() => undefined);
  forgetSession();
}

/** Forgets the session in this browser (signed out, or refused by the shop). */
function forgetSession() {
  session.token = null;
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(REFRESH_KEY);
  // The next person at this browser does not see where the last one ships to.
  forgetCheckoutDraft();
  localStorage.removeItem(PAYMENTS_KEY);
  void refreshHeader();
}

const signInHash = (next) => `#/signin?next=${encodeURIComponent(next)}`;

/** After a refused token: to the sign-in page, coming back here afterwards. */
function signInAgain() {
  forgetSession();
  navigate(signInHash(currentRoute().path), { notice: t('account.sessionEnded') });
}

/** Where sign-in may lead: a page of this storefront (never the sign-in page itself). */
function safeNext(next) {
  return next && /^\/[A-Za-z0-9/?=&%._-]*$/.test(next) && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/cart';
}

async function refreshHeader() {
  const signedIn = Boolean(session.token);
  $('#nav-orders').hidden = !signedIn;
  $('#nav-addresses').hidden = !signedIn;
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

async function addToCart(goods, quantity = 1) {
  const had = (await currentCart()).items.find((i) => i.goodsId === goods.goodsId)?.quantity ?? 0;
  if (had >= MAX_QUANTITY) throw new PageRefusal('cart.atMost', { max: MAX_QUANTITY, name: goods.name });
  if (had + quantity > MAX_QUANTITY) throw new PageRefusal('cart.onlyMore', { more: MAX_QUANTITY - had, had, name: goods.name }, $('#add-quantity') ?? undefined);
  await putLine(goods, had + quantity, true);
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

/** The goods list's orders, as GET /api/v1/goods takes them; the first is the server's default. */
const GOODS_SORTS = ['oldest', 'newest', 'price-asc', 'price-desc', 'stock-asc'];

/** The hash of the goods list: a search, a category, an order and a page (defaults left out). */
function goodsHash({ q = '', category = '', sort = GOODS_SORTS[0], page = 1 } = {}) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (category) params.set('category', category);
  if (sort !== GOODS_SORTS[0]) params.set('sort', sort);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `#/?${text}` : '#/';
}

/** A whole number from the query string, within [1, max]; `fallback` when absent or not a number. */
function queryNumber(query, name, fallback, max) {
  return Math.max(1, Math.min(max, Number.parseInt(query.get(name) ?? '', 10) || fallback));
}

/**
 * Page `page` of a list of `size` items a page (`fetchPage(n)` answers `{items, total}`). Past
 * the end (an old link, a hand-typed page) it is the last page, and the address says so.
 */
async function listPage(fetchPage, page, size, hashOf) {
  let answer = await fetchPage(page);
  const pages = Math.max(1, Math.ceil(answer.total / size));
  if (page > pages) {
    page = pages;
    answer = await fetchPage(page);
    window.history.replaceState(null, '', hashOf(page));
  }
  return { ...answer, page, pages };
}

/** Previous and next links around "page x of y", under a list of more than one page. */
function pager(page, pages, hashOf) {
  if (pages <= 1) return '';
  return `<nav class="actions pager" aria-label="${th('goods.pages')}">
      ${page > 1 ? `<a href="${hashOf(page - 1)}" id="previous-page">${th('goods.previous')}</a>` : ''}
      <span class="muted" id="page-of">${th('goods.pageOf', { page, pages })}</span>
      ${page < pages ? `<a href="${hashOf(page + 1)}" id="next-page">${th('goods.next')}</a>` : ''}</nav>`;
}

/** The goods' picture: the small or large one, its size set before it loads; a neutral drawing when there is none. */
function goodsPicture(goods, size) {
  const pixels = size === 'small' ? 320 : 960;
  if (!goods.image) return `<div class="picture placeholder ${size}" aria-hidden="true"><svg viewBox="0 0 24 24" focusable="false"><path d="M4 5h16v14H4z M4 15l4-4 4 4 3-3 5 5" /><circle cx="15.5" cy="8.5" r="1.5" /></svg></div>`;
  return `<img class="picture ${size}" src="${esc(goods.image[size])}" width="${pixels}" height="${pixels}" alt="${esc(goods.name)}"${size === 'small' ? ' loading="lazy"' : ''}>`;
}

/** The categories with goods on sale (and the one chosen, whatever it holds); none when the list cannot be had. */
async function categories() {
  try {
    return (await api('GET', '/api/v1/categories')).items;
  } catch (error) {
    // The goods are the page: without categories it still shows them.
    if (!(error instanceof ApiError)) console.error(error);
    return [];
  }
}

async function goodsPage(query) {
  const q = (query.get('q') ?? '').trim().slice(0, 64);
  const category = ID.test(query.get('category') ?? '') ? query.get('category') : '';
  const sort = GOODS_SORTS.includes(query.get('sort')) ? query.get('sort') : GOODS_SORTS[0];
  const hashOf = (page) => goodsHash({ q, category, sort, page });
  const listQuery = (n) => {
    const params = new URLSearchParams({ size: String(GOODS_PAGE_SIZE), page: String(n) });
    if (q) params.set('q', q);
    if (category) params.set('category', category);
    if (sort !== GOODS_SORTS[0]) params.set('sort', sort);
    return params;
  };
  const [list, groups] = await Promise.all([
    listPage((n) => api('GET', `/api/v1/goods?${listQuery(n)}`), queryNumber(query, 'page', 1, MAX_PAGE), GOODS_PAGE_SIZE, hashOf),
    categories(),
  ]);
  const { items, total, page, pages } = list;
  const chosen = groups.find((c) => c.categoryId === category);
  const byId = new Map(items.map((g) => [g.goodsId, g]));
  const heading = q ? t('goods.matching', { q }) : chosen ? chosen.name : t('goods.heading');
  const shown = groups.filter((c) => c.goodsCount > 0 || c.categoryId === category);
  const categoryLink = (id, label, count) =>
    `<li><a href="${goodsHash({ q, category: id, sort })}"${id === category ? ' aria-current="page"' : ''} data-category="${esc(id)}">${esc(label)}${
      count === undefined ? '' : ` <span class="count-muted">${count}</span>`
    }</a></li>`;
  return {
    title: q ? t('title.search', { q }) : chosen ? chosen.name : t('title.goods'),
    html: `
      <h1 tabindex="-1">${esc(heading)} <span class="muted">(${total})</span></h1>
      <div class="toolbar">
        ${
          shown.length
            ? `<nav class="categories" aria-label="${th('goods.categories')}"><ul>${categoryLink('', t('goods.allCategories'))}${shown
                .map((c) => categoryLink(c.categoryId, c.name, c.goodsCount))
                .join('')}</ul></nav>`
            : ''
        }
        <div class="sort"><label for="sort">${th('goods.sortBy')}</label>
          <select id="sort">${GOODS_SORTS.map((name) => `<option value="${name}"${name === sort ? ' selected' : ''}>${th(`goods.sort.${name}`)}</option>`).join('')}</select></div>
      </div>
      ${items.length ? '' : `<p class="muted">${th('goods.nothing')}</p>`}
      <div class="grid">${items
        .map(
          (g) => `<div class="card" data-goods="${esc(g.goodsId)}">
            ${goodsPicture(g, 'small')}
            <h2 class="name"><a class="goods-link" href="#/goods/${esc(g.goodsId)}">${esc(g.name)}</a></h2>
            <div class="price">${esc(yuan(g.price))}</div>
            <div class="muted">${g.stock > 0 ? th('goods.inStock', { stock: g.stock }) : th('goods.soldOut')}</div>
            <button class="primary add" data-goods="${esc(g.goodsId)}" aria-label="${th('goods.addNamed', { name: g.name })}" ${g.stock > 0 ? '' : 'disabled'}>${th('goods.add')}</button>
          </div>`,
        )
        .join('')}</div>
      ${pager(page, pages, hashOf)}`,
    bind() {
      $('#search-input').value = q;
      $('#sort').addEventListener('change', (event) => navigate(goodsHash({ q, category, sort: event.target.value }), { focus: '#sort' }));
      view()
        .querySelectorAll('button.add')
        .forEach((button) => button.addEventListener('click', () => act(button, () => addToCart(byId.get(button.dataset.goods)), 'add')));
    },
  };
}

async function goodsDetailPage(goodsId) {
  const goods = await api('GET', `/api/v1/goods/${goodsId}`);
  const most = Math.min(goods.stock, MAX_QUANTITY);
  const buyable = goods.onSale && goods.stock > 0;
  const availability = !goods.onSale ? th('goods.offSale') : goods.stock > 0 ? th('goods.inStock', { stock: goods.stock }) : th('goods.soldOut');
  return {
    title: goods.name,
    html: `
      <nav class="crumbs" aria-label="${th('goods.breadcrumb')}"><ol>
        <li><a href="#/">${th('goods.heading')}</a></li>
        ${goods.categoryId ? `<li><a href="${goodsHash({ category: goods.categoryId })}" id="goods-category">${esc(goods.categoryName ?? '')}</a></li>` : ''}
        <li aria-current="page">${esc(goods.name)}</li></ol></nav>
      <div class="goods-detail" data-goods="${esc(goods.goodsId)}">
        <div class="goods-picture">${goodsPicture(goods, 'large')}</div>
        <div class="goods-info">
          <h1 tabindex="-1" id="goods-name">${esc(goods.name)}</h1>
          <p class="price big" id="goods-price">${esc(yuan(goods.price))}</p>
          <p class="muted" id="goods-stock">${availability}</p>
          ${
            buyable
              ? `<form id="add-form" class="add-form" novalidate>
                  <label for="add-quantity">${th('goods.quantity')}</label>
                  <div class="field"><input id="add-quantity" name="quantity" type="number" min="1" max="${most}" step="1" inputmode="numeric" value="1" aria-describedby="add-quantity-hint">
                    <p class="hint" id="add-quantity-hint">${th('goods.quantityHint', { max: most })}</p></div>
                  <div class="actions"><button class="primary" id="add-button">${th('goods.add')}</button> <a href="#/cart">${th('goods.toCart')}</a></div>
                </form>`
              : ''
          }
          <h2>${th('goods.description')}</h2>
          <p class="description" id="goods-description">${goods.description ? esc(goods.description) : th('goods.noDescription')}</p>
        </div>
      </div>`,
    bind() {
      $('#add-form')?.addEventListener('submit', (event) => {
        event.preventDefault();
        const input = $('#add-quantity');
        void act(
          event.target,
          async () => {
            const quantity = parseQuantity(input.value);
            if (quantity === undefined) throw new PageRefusal('goods.quantityRule', { max: most }, input);
            if (quantity > goods.stock) throw new PageRefusal('checkout.onlyLeft', { stock: goods.stock }, input);
            await addToCart(goods, quantity);
          },
          'add',
        );
      });
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
  const [me, coupons, book] =
    session.token && cart.items.length
      ? await Promise.all([api('GET', '/api/v1/me'), api('GET', '/api/v1/me/coupons'), api('GET', '/api/v1/addresses')])
      : [];
  const cell = (label, content, className = '') => `<td data-label="${th(label)}"${className ? ` class="${className}"` : ''}>${content}</td>`;
  const lines = cart.items
    .map(
      (i) => `<tr data-goods="${esc(i.goodsId)}">
        <td class="check-cell"><input type="checkbox" class="check" id="check-${esc(i.goodsId)}" aria-label="${th('cart.orderNamed', { name: i.name })}" ${i.checked ? 'checked' : ''}></td>
        ${cell('cart.goods', `<a href="#/goods/${esc(i.goodsId)}">${esc(i.name)}</a>`, 'goods-name')}
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
    ${me ? checkoutForm(me, coupons.filter((c) => !c.used), book.items) : signInPrompt}`;
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
    // What was said of this field (or of the address chosen) is about the value it had.
    clearFieldMessages({ field: event.target });
    if (event.target.type === 'radio') clearFieldMessages({ field: event.target.closest('fieldset') });
    if (['couponId', 'balance', 'addressId'].includes(event.target.name)) scheduleQuote(form, me);
  });
  scheduleQuote(form, me, 0);
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

function checkoutForm(me, coupons, addresses) {
  const value = (name) => esc(checkoutDraft[name] ?? '');
  return `<form class="panel" id="checkout-form" novalidate>
    <h2>${th('checkout.heading')}</h2>
    ${shipTo(addresses)}
    <div class="form">
      <label for="coupon">${th('checkout.coupon')}</label>
      <div class="field"><select id="coupon" name="couponId">${couponOptions(coupons, checkoutDraft.couponId)}</select></div>
      <label for="balance">${th('checkout.balance')}</label>
      <div class="field"><input id="balance" name="balance" inputmode="decimal" autocomplete="off" maxlength="15" value="${value('balance')}" aria-describedby="balance-hint">
        <p class="hint" id="balance-hint">${th('checkout.balanceHint', { balance: yuan(me.balance) })}</p></div>
    </div>
    ${quoteSummary()}
    <div class="actions"><button class="primary" id="place-order">${th('checkout.place')}</button></div>
  </form>`;
}

/** One address on one or two lines: who (and the phone), then where. */
const addressText = (a) => `<span class="who">${esc(a.recipient)} · ${esc(a.phone)}</span> <span class="where">${esc(a.region)} ${esc(a.line)}</span>`;

/**
 * Where the order goes: a choice among the address book's entries (the one chosen before, else
 * the default), or, with an empty book, an address typed here that is saved in the book (as the
 * default) when the order is placed.
 */
function shipTo(addresses) {
  if (!addresses.length)
    return `<fieldset class="ship-to" id="ship-to" aria-describedby="ship-to-hint"><legend>${th('checkout.shipTo')}</legend>
      <p class="hint" id="ship-to-hint">${th('checkout.firstAddress')}</p>
      <div class="form">${addressFields('ship', checkoutDraft)}</div></fieldset>`;
  const chosen = addresses.some((a) => a.addressId === checkoutDraft.addressId) ? checkoutDraft.addressId : (addresses.find((a) => a.isDefault) ?? addresses[0]).addressId;
  return `<fieldset class="ship-to" id="ship-to"><legend>${th('checkout.shipTo')}</legend>
    <div class="choices">${addresses
      .map(
        (a) => `<label class="choice"><input type="radio" name="addressId" id="ship-${esc(a.addressId)}" value="${esc(a.addressId)}"${a.addressId === chosen ? ' checked' : ''}>
          <span>${addressText(a)}${a.isDefault ? ` <span class="badge">${th('address.default')}</span>` : ''}</span></label>`,
      )
      .join('')}</div>
    <p class="manage"><a href="#/addresses?next=%2Fcart" id="manage-addresses">${th('checkout.manageAddresses')}</a></p></fieldset>`;
}

/** Puts the address book's entries (read again) in the checkout, the choice kept when it is still there. */
async function refreshShipTo(form) {
  const book = await api('GET', '/api/v1/addresses').catch(() => undefined);
  if (!book || !form.isConnected) return;
  const chosen = form.querySelector('input[name="addressId"]:checked')?.value;
  if (chosen && !book.items.some((a) => a.addressId === chosen)) delete checkoutDraft.addressId;
  $('#ship-to', form).outerHTML = shipTo(book.items);
}

/** Says under the address choice what is wrong with it (the group stays as it is: a radio group has no invalid state). */
function shipToProblem(text, { focus = true, source = '' } = {}) {
  const group = $('#ship-to');
  if (!group) return;
  fieldError(group, text, { focus: false, note: false, source, invalid: false });
  if (focus) reveal($('input', group));
}

// ---------- addresses: the fields, their rules, the address book page ----------

/** The four fields of an address, their ids `${prefix}-<name>`, filled from `values`. */
function addressFields(prefix, values = {}) {
  const field = (name, attributes, hint) => `
    <label for="${prefix}-${name}">${th(`address.${name}`)}</label>
    <div class="field"><input id="${prefix}-${name}" name="${name}" maxlength="${ADDRESS_MAX[name]}" ${attributes} value="${esc(values[name] ?? '')}"${
      hint ? ` aria-describedby="${prefix}-${name}-hint"` : ''
    }>${hint ? `<p class="hint" id="${prefix}-${name}-hint">${th(hint)}</p>` : ''}</div>`;
  return [
    field('recipient', 'autocomplete="shipping name"'),
    field('phone', 'type="tel" inputmode="tel" autocomplete="shipping tel"', 'address.phoneHint'),
    field('region', 'autocomplete="off"', 'address.regionHint'),
    field('line', 'autocomplete="shipping street-address"', 'address.lineHint'),
  ].join('');
}

/** The address a form's fields hold (`${prefix}-<name>`), trimmed, or undefined after saying under each field what is wrong. */
function addressFrom(prefix) {
  const input = (name) => $(`#${prefix}-${name}`);
  const [recipient, phone, region, line] = ['recipient', 'phone', 'region', 'line'].map((name) => input(name).value.trim());
  const problems = [];
  if (!recipient || recipient.length > ADDRESS_MAX.recipient) problems.push([input('recipient'), t('address.recipientRule', { max: ADDRESS_MAX.recipient })]);
  if (!PHONE.test(phone)) problems.push([input('phone'), t('address.phoneRule')]);
  if (!region || region.length > ADDRESS_MAX.region) problems.push([input('region'), t('address.regionRule', { max: ADDRESS_MAX.region })]);
  if (!line || line.length > ADDRESS_MAX.line) problems.push([input('line'), t('address.lineRule', { max: ADDRESS_MAX.line })]);
  else if (region && region.length + line.length > ADDRESS_MAX.regionAndLine)
    problems.push([input('line'), t('address.tooLong', { max: ADDRESS_MAX.regionAndLine, room: Math.max(0, ADDRESS_MAX.regionAndLine - region.length) })]);
  problems.forEach(([field, text], index) => fieldError(field, text, { focus: index === 0 }));
  return problems.length ? undefined : { recipient, phone, region, line };
}

/** Adds an address to the book; the same attempt (same fields) repeated after no answer carries the same key. */
async function addAddress(address) {
  const key = attempts.address.keyFor(JSON.stringify(address));
  try {
    const saved = await api('POST', '/api/v1/addresses', address, { 'idempotency-key': key });
    attempts.address.settle();
    return saved;
  } catch (error) {
    attempts.address.settle(error);
    throw error;
  }
}

/** The address book: add, edit, delete (after asking), make one the default. `next` leads back to the checkout. */
async function addressesPage(query) {
  if (!session.token) return { redirect: signInHash(`/addresses${query.toString() ? `?${query}` : ''}`) };
  const { items } = await api('GET', '/api/v1/addresses');
  const next = query.get('next') === '/cart' ? '/cart' : '';
  const full = items.length >= MAX_ADDRESSES;
  const label = (key, a) => t(key, { address: `${a.recipient}, ${a.region} ${a.line}` });
  const entry = (a) => `<li class="panel address" data-address="${esc(a.addressId)}">
      <p class="address-text">${addressText(a)}${a.isDefault ? ` <span class="badge" id="default-badge">${th('address.default')}</span>` : ''}</p>
      <div class="actions">
        ${a.isDefault ? '' : `<button type="button" class="make-default" aria-label="${esc(label('address.makeDefaultNamed', a))}">${th('address.makeDefault')}</button>`}
        <button type="button" class="edit" aria-label="${esc(label('address.editNamed', a))}">${th('address.edit')}</button>
        <button type="button" class="delete" aria-label="${esc(label('address.deleteNamed', a))}">${th('address.delete')}</button>
      </div></li>`;
  return {
    title: t('title.addresses'),
    html: `
      <h1 tabindex="-1">${th('address.heading')} <span class="muted">(${th('address.count', { count: items.length, max: MAX_ADDRESSES })})</span></h1>
      ${next ? `<p><a href="#${next}" id="back-to-cart">${th('address.backToCart')}</a></p>` : ''}
      ${items.length ? `<ul class="addresses" id="address-list">${items.map(entry).join('')}</ul>` : `<p class="muted" id="no-addresses">${th('address.none')}</p>`}
      <form class="panel" id="address-form" novalidate${full ? ' hidden' : ''}>
        <h2 id="address-form-heading" tabindex="-1">${th('address.add')}</h2>
        <div class="form">${addressFields('address')}
          <span></span><label class="check-label"><input type="checkbox" id="address-default" name="isDefault"${items.length ? '' : ' checked disabled'}> ${th('address.makeItDefault')}</label>
        </div>
        <div class="actions"><button class="primary" id="address-save">${th('address.save')}</button>
          <button type="button" id="address-cancel" hidden>${th('address.cancelEdit')}</button></div>
      </form>
      ${full ? `<p class="panel notice" id="address-book-full">${th('address.full', { max: MAX_ADDRESSES })}</p>` : ''}`,
    bind: () => bindAddresses(items, next),
  };
}

function bindAddresses(items, next) {
  const byId = new Map(items.map((a) => [a.addressId, a]));
  const form = $('#address-form');
  let editing;
  const fill = (a) => ['recipient', 'phone', 'region', 'line'].forEach((name) => ($(`#address-${name}`).value = a?.[name] ?? ''));
  const startEditing = (a) => {
    clearErrors();
    editing = a;
    form.hidden = false;
    fill(a);
    $('#address-form-heading').textContent = a ? t('address.editing', { recipient: a.recipient }) : t('address.add');
    const makeDefault = $('#address-default');
    makeDefault.checked = Boolean(a?.isDefault) || !items.length;
    makeDefault.disabled = Boolean(a?.isDefault) || !items.length;
    $('#address-cancel').hidden = !a;
    $('#address-save').textContent = t(a ? 'address.saveChanges' : 'address.save');
    reveal($(a ? '#address-recipient' : '#address-form-heading'));
  };
  // The book drawn again, then the word of what changed (a test, or a quick reader, sees both together).
  const changed = async (notice) => {
    await render('h1');
    say(notice);
  };
  view()
    .querySelectorAll('#address-list li')
    .forEach((row) => {
      const a = byId.get(row.dataset.address);
      $('.edit', row).addEventListener('click', () => startEditing(a));
      const makeDefault = $('.make-default', row);
      makeDefault?.addEventListener('click', () =>
        act(
          makeDefault,
          async () => {
            const { recipient, phone, region, line } = a;
            await api('PUT', `/api/v1/addresses/${a.addressId}`, { recipient, phone, region, line, isDefault: true });
            await changed(t('address.defaultDone', { recipient: a.recipient }));
          },
          'address',
        ),
      );
      const remove = $('.delete', row);
      remove.addEventListener('click', async () => {
        const confirmed = await confirmDialog({
          title: t('address.deleteTitle'),
          text: t('address.deleteText', { address: `${a.recipient}, ${a.region} ${a.line}` }),
          yes: t('address.deleteYes'),
          no: t('address.deleteNo'),
        });
        if (!confirmed) return;
        await act(
          remove,
          async () => {
            await api('DELETE', `/api/v1/addresses/${a.addressId}`);
            if (checkoutDraft.addressId === a.addressId) delete checkoutDraft.addressId;
            await changed(t('address.deleted'));
          },
          'address',
        );
      });
    });
  $('#address-cancel').addEventListener('click', () => {
    startEditing(undefined);
    fill(undefined);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(
      form,
      async () => {
        const address = addressFrom('address');
        if (!address) return;
        const isDefault = $('#address-default').checked;
        const button = $('#address-save');
        button.disabled = true;
        try {
          if (editing) await api('PUT', `/api/v1/addresses/${editing.addressId}`, { ...address, isDefault: isDefault || editing.isDefault });
          else {
            const saved = await addAddress({ ...address, isDefault });
            // The checkout chooses the address just added.
            if (next) checkoutDraft.addressId = saved.addressId;
          }
        } finally {
          button.disabled = false;
        }
        await changed(t(editing ? 'address.savedChanges' : 'address.added', { recipient: address.recipient }));
      },
      'address',
    );
  });
}

// ---------- the checkout summary: priced by the server as the form changes ----------

const QUOTE_DELAY_MS = 300;
const QUOTE_ROWS = ['goods', 'shipping', 'coupon', 'balance', 'pay'];
let quoteTimer;
let quoteTicket = 0;

/** The summary box of the checkout form; {@link drawQuote} fills it. The sentence under it is a polite live region. */
function quoteSummary() {
  const row = (name) =>
    `<div class="${name === 'pay' ? 'total' : ''}"><dt>${th(`quote.${name}`)}</dt><dd id="quote-${name}" class="num">…</dd></div>`;
  return `<section class="quote" id="quote" aria-labelledby="quote-heading" data-state="loading" aria-busy="true">
      <h3 id="quote-heading">${th('quote.heading')}</h3>
      <dl>${QUOTE_ROWS.map(row).join('')}</dl>
      <div class="quote-said"><p id="quote-said" aria-live="polite"></p></div>
      <p class="hint">${th('quote.promise')}</p>
    </section>`;
}

/** Prices the form again after the customer paused typing (or at once: `delay` 0); an older answer is dropped. */
function scheduleQuote(form, me, delay = QUOTE_DELAY_MS) {
  const box = $('#quote');
  if (!box) return;
  window.clearTimeout(quoteTimer);
  quoteTicket += 1;
  box.dataset.state = 'loading';
  box.setAttribute('aria-busy', 'true');
  quoteTimer = window.setTimeout(() => void runQuote(form, me), delay);
}

/** What the quote asks for, as the form stands: the cart's ticked lines, the coupon, the balance (when it reads as money). */
function quoteRequest(form, notes) {
  const { couponId, balance } = form.elements;
  const body = { fromCart: true };
  const chosen = form.querySelector('input[name="addressId"]:checked');
  if (chosen) body.addressId = chosen.value;
  if (couponId.value) body.couponId = couponId.value;
  const balanceText = balance.value.trim();
  if (balanceText && cents(balanceText) === undefined) notes.push([balance, t('checkout.balanceFormat')]);
  else if (balanceText) body.balance = balanceText;
  return body;
}

/**
 * Asks the server what the form would cost (POST /api/v1/orders/quote, which reserves nothing).
 * A refusal that one field explains (a coupon used meanwhile, balance too low or more than is
 * due) is said under that field, and the rest of the form is priced without it, so the customer
 * reads both what is wrong and what the order costs, before pressing Place order.
 */
async function runQuote(form, me) {
  const ticket = quoteTicket;
  if (!form.isConnected) return;
  const notes = [];
  const body = quoteRequest(form, notes);
  let quote;
  let failure;
  let balanceAsked;
  for (let tries = 0; tries < 3 && !quote && !failure; tries++) {
    try {
      quote = await api('POST', '/api/v1/orders/quote', body);
    } catch (error) {
      if (ticket !== quoteTicket || !form.isConnected) return;
      const code = error instanceof ApiError ? error.code : undefined;
      if (code === 'NOT_FOUND' && body.addressId) {
        // The chosen address left the book (another tab): the book again, priced without it.
        await refreshShipTo(form);
        notes.push([$('#ship-to', form), t('checkout.addressGone'), { invalid: false }]);
        delete body.addressId;
      } else if (code === 'COUPON_UNAVAILABLE' && body.couponId) {
        // Spent by another tab or order: out of the list, said at the field, priced without.
        await refreshCoupons(form);
        notes.push([form.elements.couponId, t('checkout.couponGone')]);
        delete body.couponId;
      } else if (code === 'INSUFFICIENT_BALANCE' && body.balance) {
        const now = await api('GET', '/api/v1/me').catch(() => undefined);
        if (now) $('#balance-hint').textContent = t('checkout.balanceHint', { balance: yuan(now.balance) });
        void refreshHeader();
        notes.push([form.elements.balance, now ? t('checkout.balanceOnly', { balance: yuan(now.balance) }) : t('error.checkout.INSUFFICIENT_BALANCE')]);
        delete body.balance;
      } else if (code === 'INVALID_ARGUMENT' && body.balance) {
        // More than is due, most likely: priced without it, the answer tells how much may be used.
        balanceAsked = body.balance;
        delete body.balance;
      } else failure = error;
    }
  }
  if (ticket !== quoteTicket || !form.isConnected) return;
  if (quote && balanceAsked !== undefined) {
    const most = Math.min(cents(quote.payAmount), cents(quote.balanceAvailable));
    notes.push([form.elements.balance, cents(balanceAsked) > cents(quote.payAmount) ? t('checkout.balanceMax', { max: yuan(money(most)) }) : t('error.INVALID_ARGUMENT')]);
  }
  drawQuote(form, me, quote, failure, notes);
}

/** The unused coupons again, in the select; the choice stays if it is still there, else none. */
async function refreshCoupons(form) {
  const select = form.elements.couponId;
  const coupons = await api('GET', '/api/v1/me/coupons').catch(() => undefined);
  if (!coupons || !form.isConnected) return;
  const chosen = select.value;
  const unused = coupons.filter((c) => !c.used);
  select.innerHTML = couponOptions(unused, unused.some((c) => c.couponId === chosen) ? chosen : '');
  checkoutDraft.couponId = select.value;
}

function drawQuote(form, me, quote, failure, notes) {
  const box = $('#quote');
  clearFieldMessages({ source: 'quote' });
  box.removeAttribute('aria-busy');
  for (const [field, text, options] of notes) fieldError(field, text, { focus: false, source: 'quote', ...options });
  const said = $('#quote-said');
  $('.retry', box)?.remove();
  if (!quote) {
    QUOTE_ROWS.forEach((name) => ($(`#quote-${name}`).textContent = '—'));
    const code = failure instanceof ApiError ? failure.code : undefined;
    if (code === 'UNAUTHENTICATED') return void signInAgain();
    box.dataset.state = failure instanceof ApiError && failure.retryable ? 'failed' : 'refused';
    const key =
      code === 'CART_EMPTY'
        ? 'quote.nothingTicked'
        : code === 'NOT_FOUND' || code === 'INVALID_ARGUMENT'
          ? 'quote.goodsGone'
          : failure instanceof ApiError && failure.retryable
            ? 'quote.failed'
            : 'quote.refused';
    said.textContent = t(key);
    if (box.dataset.state === 'failed') {
      const again = document.createElement('button');
      again.type = 'button';
      again.className = 'retry';
      again.textContent = t('action.retry');
      again.addEventListener('click', () => scheduleQuote(form, me, 0));
      said.parentElement.append(again);
    }
    return;
  }
  box.dataset.state = 'ready';
  $('#quote-goods').textContent = yuan(quote.goodsAmount);
  $('#quote-shipping').textContent = cents(quote.shippingFee) > 0 ? yuan(quote.shippingFee) : t('quote.freeShipping');
  $('#quote-coupon').textContent = `−${yuan(quote.couponPaid)}`;
  $('#quote-balance').textContent = `−${yuan(quote.balancePaid)}`;
  $('#quote-pay').textContent = yuan(quote.payAmount);
  // What the balance can still do for this order, in its hint: at most what is due after the coupon, at most what there is.
  const most = Math.min(cents(quote.payAmount) + cents(quote.balancePaid), cents(quote.balanceAvailable));
  $('#balance-hint').textContent = t('checkout.balanceHintMax', { balance: yuan(quote.balanceAvailable), max: yuan(money(most)) });
  // A coupon worth more than the order: coupons are used once, the rest is lost. Said, not refused.
  const lost = cents(quote.couponAmount) - cents(quote.couponPaid);
  if (lost > 0)
    fieldError(form.elements.couponId, t('checkout.couponWasted', { amount: yuan(quote.couponAmount), paid: yuan(quote.couponPaid), lost: yuan(money(lost)) }), {
      focus: false,
      note: true,
      source: 'quote',
    });
  const text = t(notes.length ? 'quote.saidNotes' : 'quote.said', { amount: yuan(quote.payAmount) });
  if (said.textContent !== text) said.textContent = text;
}

/** The order the checkout form asks for, or undefined after showing what to correct. */
function checkoutRequest(form, cart, me) {
  const { couponId, balance } = form.elements;
  const problems = [];
  const chosen = form.querySelector('input[name="addressId"]:checked');
  // An empty address book: the address typed here, checked as the book would check it.
  const newAddress = chosen || !$('#ship-recipient', form) ? undefined : addressFrom('ship');
  if (!chosen && $('#ship-recipient', form) && !newAddress) return undefined;
  const balanceText = balance.value.trim();
  if (balanceText && cents(balanceText) === undefined) problems.push([balance, t('checkout.balanceFormat')]);
  else if (balanceText && cents(balanceText) > cents(me.balance)) problems.push([balance, t('checkout.balanceOnly', { balance: yuan(me.balance) })]);
  problems.forEach(([field, text], index) => fieldError(field, text, { focus: index === 0 }));
  if (problems.length) return undefined;
  if (!cart.items.some((i) => i.checked)) {
    showError(form, t('checkout.nothingTicked'));
    return undefined;
  }
  const body = { fromCart: true };
  if (chosen) body.addressId = chosen.value;
  if (couponId.value) body.couponId = couponId.value;
  if (balanceText) body.balance = balanceText;
  return { body, newAddress };
}

async function placeOrder(form, cart, me) {
  clearErrors();
  say('');
  // A summary still on its way would speak of the form before this attempt.
  quoteTicket += 1;
  window.clearTimeout(quoteTimer);
  const request = checkoutRequest(form, cart, me);
  if (!request) return void scheduleQuote(form, me);
  const { body, newAddress } = request;
  if (newAddress) {
    // The first address goes into the book (its default), then the order is placed to it.
    const button = $('#place-order');
    button.disabled = true;
    try {
      const saved = await addAddress(newAddress);
      body.addressId = saved.addressId;
      checkoutDraft.addressId = saved.addressId;
      $('#ship-to', form).outerHTML = shipTo([saved]);
    } catch (error) {
      report(form, error, 'address', () => placeOrder(form, cart, me));
      return void scheduleQuote(form, me);
    } finally {
      button.disabled = false;
    }
  }
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
    scheduleQuote(form, me);
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
  } else if ((code === 'NOT_FOUND' || code === 'ADDRESS_REQUIRED') && (body.addressId || code === 'ADDRESS_REQUIRED')) {
    // Deleted in another tab meanwhile: the book as it is now, and a word at the choice.
    await refreshShipTo(form);
    shipToProblem(t('checkout.addressGone'));
  } else if (code === 'INVALID_ARGUMENT' && body.balance) {
    fieldError($('#balance'), t('checkout.balanceTooHigh'));
  } else {
    report(form, error, 'checkout', retry);
  }
}

/** The hash of a page of the customer's orders (the page size only when not the usual one). */
function ordersHash(page, size) {
  const params = new URLSearchParams();
  if (page > 1) params.set('page', String(page));
  if (size !== ORDERS_PAGE_SIZE) params.set('size', String(size));
  const text = params.toString();
  return text ? `#/orders?${text}` : '#/orders';
}

async function ordersPage(query) {
  if (!session.token) return { redirect: signInHash(`/orders${query.toString() ? `?${query}` : ''}`) };
  const size = queryNumber(query, 'size', ORDERS_PAGE_SIZE, MAX_PAGE_SIZE);
  const hashOf = (n) => ordersHash(n, size);
  const { items, total, page, pages } = await listPage(
    (n) => api('GET', `/api/v1/orders?size=${size}&page=${n}`),
    queryNumber(query, 'page', 1, MAX_PAGE),
    size,
    hashOf,
  );
  const row = (o) => `<tr data-order="${esc(o.orderId)}">
      <td data-label="${th('orders.order')}"><a href="#/orders/${esc(o.orderId)}">${esc(o.orderId)}</a></td>
      <td data-label="${th('orders.placed')}">${esc(when(o.createdAt))}</td>
      <td data-label="${th('orders.goods')}">${o.items.map((i) => th('orders.line', { name: i.name, quantity: i.quantity })).join(t('list.separator'))}</td>
      <td data-label="${th('orders.channelPart')}" class="num">${esc(yuan(o.payAmount))}</td>
      <td data-label="${th('orders.status')}">${statusBadge(o.status)}</td>
      <td class="row-actions">${orderActions(o)}${
        ['PAID', 'SHIPPED', 'COMPLETED'].includes(o.status)
          ? ` <a class="refund" href="#/orders/${esc(o.orderId)}">${th(o.status === 'PAID' ? 'orders.refund' : 'orders.afterSales')}</a>`
          : ''
      }</td></tr>`;
  return {
    title: t('title.orders'),
    html: `
      <h1 tabindex="-1">${th('orders.heading')} <span class="muted">(${total})</span></h1>
      ${
        items.length
          ? `<table class="reflow" id="orders-table"><thead><tr><th scope="col">${th('orders.order')}</th><th scope="col">${th('orders.placed')}</th>
              <th scope="col">${th('orders.goods')}</th><th scope="col" class="num">${th('orders.channelPart')}</th><th scope="col">${th('orders.status')}</th>
              <th scope="col"><span class="sr-only">${th('orders.actions')}</span></th></tr></thead>
              <tbody>${items.map(row).join('')}</tbody></table>`
          : `<p class="muted">${th('orders.none')}</p>`
      }
      ${pager(page, pages, hashOf)}`,
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
  if (order.status !== 'CONFIRMED') forgetPayment(order.orderId);
  // A payment this browser started: its QR code is asked for again, of the same channel (pay-web answers the same payment).
  const resuming = order.status === 'CONFIRMED' ? startedPayment(order.orderId) : undefined;
  return {
    title: t('title.order', { orderId: order.orderId }),
    html: `
      <h1 tabindex="-1" class="order-heading">${th('order.heading', { orderId: order.orderId })} ${statusBadge(order.status, 'order-status')}</h1>
      ${order.cancelReason ? `<p class="muted">${th('order.cancelled', { reason: order.cancelReason })}</p>` : ''}
      <table class="reflow"><thead><tr><th scope="col">${th('order.goods')}</th><th scope="col" class="num">${th('order.price')}</th><th scope="col" class="num">${th('order.quantity')}</th></tr></thead><tbody>
        ${order.items
          .map(
            (i) =>
              `<tr><td data-label="${th('order.goods')}"><a href="#/goods/${esc(i.goodsId)}">${esc(i.name)}</a></td><td data-label="${th('order.price')}" class="num">${esc(yuan(i.price))}</td><td data-label="${th('order.quantity')}" class="num">${i.quantity}</td></tr>`,
          )
          .join('')}
      </tbody></table>
      <div class="panel">
        ${th('order.sum', { goods: yuan(order.goodsAmount), shipping: yuan(order.shippingFee), coupon: yuan(order.couponPaid), balance: yuan(order.balancePaid) })}
        <strong id="pay-amount">${esc(yuan(order.payAmount))}</strong> ${th(unpaid ? 'order.toPay' : 'order.viaChannel')}
        ${order.status === 'CONFIRMED' && order.payDeadline ? payDeadline(order) : ''}
        ${cents(order.refundedAmount) > 0 ? `<div id="refunded-amount">${th('order.refunded', { amount: yuan(order.refundedAmount) })}</div>` : ''}
        ${shippedTo(order)}
      </div>
      <div id="payment" class="error-host">${resuming ? `<p class="muted" id="payment-loading">${th('pay.loading')}</p>` : ''}</div>
      ${order.status === 'CONFIRMED' ? channelChoice(resuming ? resuming.channel : CHANNELS[0], resuming) : ''}
      ${
        order.status === 'CONFIRMED'
          ? `<div class="actions"><button class="primary" id="pay-button"${resuming ? ' hidden' : ''}>${th('order.pay', { channel: channelName(resuming ? resuming.channel : CHANNELS[0]) })}</button>${orderActions(order)}</div>`
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
      if (order.status === 'CONFIRMED' && order.payDeadline) startCountdown(order.orderId, order.payDeadline);
      if (order.status === 'CONFIRMED') void loadChannels(order);
      if (resuming) void resumePayment(order, resuming.channel);
      if (unpaid) pollOrder(order.orderId, (now) => now.status !== order.status, (now) => t('order.statusNow', { status: statusLabel(now.status) }));
    },
  };
}

// ---------- paying: the way to pay, the QR code (kept across reloads), and the time left ----------

const channelName = (channel) => t(`channel.${channel}`);
const knownChannel = (channel) => (CHANNELS.includes(channel) ? channel : CHANNELS[0]);

function startedPayments() {
  try {
    const stored = JSON.parse(localStorage.getItem(PAYMENTS_KEY) ?? '{}');
    return stored && typeof stored === 'object' && !Array.isArray(stored) ? stored : {};
  } catch {
    return {};
  }
}

/** An entry of PAYMENTS_KEY as `{until, paymentId, channel}`; a page before the channels kept only the expiry (Alipay then). */
function paymentEntry(entry) {
  if (typeof entry === 'string') return { until: entry, channel: CHANNELS[0] };
  if (!entry || typeof entry !== 'object') return undefined;
  return { until: String(entry.until ?? ''), paymentId: entry.paymentId, channel: knownChannel(entry.channel) };
}

/** The payment this browser started for the order, while its QR code may still be paid; undefined otherwise. */
function startedPayment(orderId) {
  const entry = paymentEntry(startedPayments()[orderId]);
  return entry && Date.parse(entry.until) > Date.now() ? entry : undefined;
}

/**
 * Remembers the order's payment (until its QR code expires): the one drawn last, after a switch
 * of channel the new one. Payments past their time are forgotten meanwhile.
 */
function rememberPayment(orderId, payment) {
  const all = startedPayments();
  for (const [id, entry] of Object.entries(all)) if (!(Date.parse(paymentEntry(entry)?.until) > Date.now())) delete all[id];
  all[orderId] = { until: payment.expiresAt, paymentId: payment.paymentId, channel: knownChannel(payment.channel) };
  localStorage.setItem(PAYMENTS_KEY, JSON.stringify(all));
}

function forgetPayment(orderId) {
  const all = startedPayments();
  if (!(orderId in all)) return;
  delete all[orderId];
  if (Object.keys(all).length) localStorage.setItem(PAYMENTS_KEY, JSON.stringify(all));
  else localStorage.removeItem(PAYMENTS_KEY);
}

/**
 * The choice of a way to pay: one radio button a channel, `chosen` checked. Whether each is open
 * comes from pay-web afterwards ({@link loadChannels}): a closed one is disabled, its reason under
 * its name. Hidden while a QR code is shown (its panel offers the other channel).
 */
function channelChoice(chosen, hidden) {
  const option = (channel) => `<label class="choice channel" data-channel="${channel}">
      <input type="radio" name="channel" id="channel-${channel}" value="${channel}"${channel === chosen ? ' checked' : ''}
        aria-labelledby="channel-${channel}-name" aria-describedby="channel-${channel}-reason">
      <span><span class="channel-name" id="channel-${channel}-name"><span class="channel-mark ${channel}" aria-hidden="true"></span>${th(`channel.${channel}`)}</span>
        <span class="hint channel-reason" id="channel-${channel}-reason" hidden></span></span></label>`;
  return `<fieldset class="pay-channels" id="pay-channels"${hidden ? ' hidden' : ''}><legend>${th('pay.choose')}</legend>
    <div class="choices channel-choices">${CHANNELS.map(option).join('')}</div></fieldset>`;
}

/** The channel the choice holds. */
const chosenChannel = () => knownChannel($('#pay-channels input[name="channel"]:checked')?.value);

/** Chooses `channel` in the choice, and names it on the Pay button. */
function chooseChannel(channel) {
  const input = $(`#channel-${channel}`);
  if (input) input.checked = true;
  const pay = $('#pay-button');
  if (pay) pay.textContent = t('order.pay', { channel: channelName(chosenChannel()) });
}

/** The choice and the Pay button shown (no QR code), or hidden (a QR code is). */
function showChoice(shown) {
  const choice = $('#pay-channels');
  if (choice) choice.hidden = !shown;
  const pay = $('#pay-button');
  if (pay) pay.hidden = !shown;
}

/** pay-web's reason why a channel is closed (its words are English), in the customer's language. */
function reasonText(reason) {
  const text = String(reason ?? '');
  const max = text.match(/at most ([0-9]{1,12}(?:\.[0-9]{1,2})?)/);
  if (max) return t('pay.reason.max', { max: yuan(max[1]) });
  if (/switched off/.test(text)) return t('pay.reason.off');
  if (/not answering/.test(text)) return t('pay.reason.down');
  return t('pay.reason.closed');
}

// The channels pay-web last said are open, for the order shown: [{channel, available, reason}].
let channelOptions = { orderId: undefined, options: [] };

/** Asks pay-web which channels are open for the order, and shows it; answers them, or undefined when it could not say. */
async function loadChannels(order) {
  try {
    const { channels } = await payApi('GET', `/api/v1/payments/channels?orderId=${encodeURIComponent(order.orderId)}`);
    channelOptions = { orderId: order.orderId, options: channels.filter((option) => CHANNELS.includes(option.channel)) };
  } catch (error) {
    // Not known: both stay on offer, and a closed one is said when it refuses (503 CHANNEL_UNAVAILABLE).
    if (!(error instanceof ApiError)) console.error(error);
    return undefined;
  }
  showChannels(order);
  return channelOptions.options;
}

/** The channel's option as last heard for the order; undefined when not known. */
const optionOf = (order, channel) => (channelOptions.orderId === order.orderId ? channelOptions.options.find((option) => option.channel === channel) : undefined);

/** Disables the closed channels (their reason under them; the choice moves to an open one) and the offer to switch to a closed one. */
function showChannels(order) {
  for (const channel of CHANNELS) {
    const input = $(`#channel-${channel}`);
    const option = optionOf(order, channel);
    if (!input || !option) continue;
    input.disabled = !option.available;
    const reason = $(`#channel-${channel}-reason`);
    reason.textContent = option.available ? '' : reasonText(option.reason);
    reason.hidden = option.available;
  }
  const open = CHANNELS.filter((channel) => optionOf(order, channel)?.available !== false);
  if ($(`#channel-${chosenChannel()}`)?.disabled && open.length) chooseChannel(open[0]);
  const switchTo = $('#switch-channel');
  const option = switchTo && optionOf(order, switchTo.dataset.channel);
  if (option && !option.available) {
    switchTo.disabled = true;
    $('#switch-channel-hint').textContent = `${channelName(option.channel)}: ${reasonText(option.reason)}`;
  }
}

/** The order's payment through `channel`: pay-web makes it the first time and answers the same one after; another channel replaces it (a new payment). */
const askPayment = (order, channel) => payApi('POST', '/api/v1/payments', { orderId: order.orderId, channel });

/**
 * Pays the order through `channel` (the Pay button, a switch of channel, the offer of the other
 * one after a refusal): the QR code drawn and its heading focused. `anchor`: where a failure shows.
 */
async function payWith(order, channel, anchor, { switching = false } = {}) {
  const area = $('#payment');
  await act(
    anchor,
    async () => {
      anchor.disabled = true;
      let payment;
      try {
        payment = await askPayment(order, channel);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'CHANNEL_UNAVAILABLE')) throw error;
        return void (await channelRefused(order, channel, error));
      } finally {
        anchor.disabled = false;
      }
      if (!area.isConnected || !drawPayment(order, payment)) return;
      reveal($('#payment-title'));
      if (switching) say(t('pay.switched', { channel: channelName(knownChannel(payment.channel)) }));
    },
    'pay',
  );
}

/**
 * `channel` refused the payment (503 CHANNEL_UNAVAILABLE: down, switched off, above its limit).
 * The QR code shown goes (a switch may have closed its trade already) and the choice is back, the
 * refused channel disabled with its reason; an alert says why and offers an open channel, or to
 * try again when none is open.
 */
async function channelRefused(order, channel, error) {
  const area = $('#payment');
  forgetPayment(order.orderId);
  area.innerHTML = '';
  showChoice(true);
  const options = await loadChannels(order);
  if (!area.isConnected) return;
  const said = optionOf(order, channel);
  const reason = reasonText(options && said && !said.available ? said.reason : error.message);
  // pay-web's message names the open channels ("... Open channels: ALIPAY_QR") when the list could not be had.
  const named = (error.message?.match(/Open channels: ([A-Z_, ]+)/)?.[1] ?? '').split(/,\s*/);
  const open = (options ? options.filter((option) => option.available).map((option) => option.channel) : named).filter(
    (other) => other !== channel && CHANNELS.includes(other),
  );
  // Closed for now, whatever the list said a moment ago: the choice offers it again after a reload.
  const input = $(`#channel-${channel}`);
  if (input) {
    input.disabled = true;
    $(`#channel-${channel}-reason`).textContent = reason;
    $(`#channel-${channel}-reason`).hidden = false;
  }
  const [other] = open;
  if (other) chooseChannel(other);
  const text = `${t('pay.refused', { channel: channelName(channel), reason })} ${other ? t('pay.useOther', { channel: channelName(other) }) : t('pay.noneOpen')}`;
  const box = showError(area, text, other ? { focus: false } : { retry: () => void payWith(order, channel, $('#pay-button')) });
  if (other) {
    const instead = document.createElement('button');
    instead.type = 'button';
    instead.className = 'primary';
    instead.id = 'pay-instead';
    instead.textContent = t('order.pay', { channel: channelName(other) });
    instead.addEventListener('click', () => void payWith(order, other, $('#pay-button')));
    box.append(instead);
    reveal(box);
  }
}

/** Draws the QR code of an unpaid payment in time, and counts down to its expiry; answers whether it drew it. */
function drawPayment(order, payment) {
  if (payment.status !== 'UNPAID' || !(Date.parse(payment.expiresAt) > Date.now())) {
    // Paid meanwhile (the poll shows it) or past its time: nothing to scan.
    forgetPayment(order.orderId);
    $('#payment').innerHTML = '';
    return false;
  }
  // The payment to watch from now on: after a switch of channel, the new one.
  rememberPayment(order.orderId, payment);
  const channel = knownChannel(payment.channel);
  const other = CHANNELS.find((c) => c !== channel);
  const amount = yuan(payment.amount);
  // Alipay's code is a link its app (and the local cashier) opens; WeChat Pay's weixin:// link opens only in WeChat.
  const how =
    channel === 'ALIPAY_QR'
      ? `<p>${th('pay.scan')} <a id="cashier-link" href="${esc(payment.qrCode)}" target="_blank" rel="noopener">${th('pay.cashier')}</a>.</p>`
      : `<p>${th('pay.scanWechat')}</p><p class="muted code-text">${th('pay.codeText')} <code id="qr-code-text">${esc(payment.qrCode)}</code></p>`;
  $('#payment').innerHTML = `<section class="panel" id="payment-panel" aria-labelledby="payment-title" data-payment="${esc(payment.paymentId)}" data-channel="${channel}">
    <h2 id="payment-title" tabindex="-1">${th('pay.heading', { amount, channel: channelName(channel) })}</h2>
    <div class="qr"><img id="qr-image" src="${esc(payment.qrImage)}" alt="${th('pay.qr', { amount, channel: channelName(channel) })}" width="192" height="192">
      <div>${how}
      <p class="muted">${th('pay.auto')}</p></div></div>
    <div class="actions switch-channel"><button type="button" id="switch-channel" data-channel="${other}" aria-describedby="switch-channel-hint">${th('pay.switch', { channel: channelName(other) })}</button>
      <p class="hint" id="switch-channel-hint">${th('pay.switchHint')}</p></div></section>`;
  const switchTo = $('#switch-channel');
  switchTo.addEventListener('click', () => void payWith(order, other, switchTo, { switching: true }));
  chooseChannel(channel);
  showChoice(false);
  showChannels(order);
  // The trade expires at the order's pay deadline; whichever comes first ends the countdown.
  const until = Math.min(Date.parse(payment.expiresAt), Date.parse(order.payDeadline ?? payment.expiresAt));
  startCountdown(order.orderId, new Date(until).toISOString());
  return true;
}

/** After a reload: the QR code of the payment this browser started (of its channel), asked again; without it, the choice and the Pay button are back. */
async function resumePayment(order, channel) {
  const area = $('#payment');
  try {
    const payment = await askPayment(order, channel);
    if (!area.isConnected) return;
    drawPayment(order, payment);
  } catch (error) {
    if (!area.isConnected) return;
    $('#payment-loading')?.remove();
    if (error instanceof ApiError && error.code === 'ORDER_STATE') {
      // Cancelled or past its time meanwhile: the poll draws the order as it is.
      forgetPayment(order.orderId);
      return;
    }
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') return void signInAgain();
    if (error instanceof ApiError && error.code === 'CHANNEL_UNAVAILABLE') return void (await channelRefused(order, channel, error));
    showChoice(true);
    showError(area, describe(error, 'pay'), { focus: false, retry: error instanceof ApiError && error.retryable ? () => void resumePayment(order, channel) : undefined });
  }
}

/** The pay deadline, the time left (a timer screen readers are not told every second) and a polite region for what matters. */
function payDeadline(order) {
  return `<div id="pay-deadline" data-state="running">
      <p class="muted deadline-line">${th('order.payBefore', { deadline: when(order.payDeadline) })}
        <strong class="countdown">${th('pay.left')} <span id="pay-countdown" role="timer">${esc(clock(Date.parse(order.payDeadline) - Date.now()))}</span></strong></p>
      <p id="pay-countdown-said" aria-live="polite"></p>
    </div>`;
}

/** `ms` as the time left: m:ss, or h:mm:ss from an hour on; never below 0:00. */
function clock(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const [h, m, sec] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  const pad = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** Said aloud (the polite region) when the time left crosses one of these, not every second. */
const COUNTDOWN_MILESTONES_S = [600, 300, 60];

/**
 * Counts down to `untilIso` (the pay deadline of `orderId`) once a second, in the page's timer. The live region speaks only at
 * the milestones and when the time is up; then the QR code and the Pay button go: the server
 * cancels the order (the poll draws it CANCELLED).
 */
function startCountdown(orderId, untilIso) {
  const until = Date.parse(untilIso);
  const timer = $('#pay-countdown');
  if (!timer || !(until > 0)) return;
  stopCountdown();
  let lastLeft = until - Date.now();
  const tick = () => {
    const left = until - Date.now();
    if (!timer.isConnected) return stopCountdown();
    timer.textContent = clock(left);
    const crossed = COUNTDOWN_MILESTONES_S.find((s) => lastLeft > s * 1000 && left <= s * 1000);
    lastLeft = left;
    if (crossed) $('#pay-countdown-said').textContent = t('pay.leftSaid', { time: clock(crossed * 1000) });
    if (left <= 0) {
      stopCountdown();
      timeUp(orderId);
    }
  };
  const interval = window.setInterval(tick, 1000);
  stopCountdown = () => {
    window.clearInterval(interval);
    stopCountdown = () => {};
  };
  leaving.push(() => stopCountdown());
  tick();
}

let stopCountdown = () => {};

function timeUp(orderId) {
  $('#pay-deadline').dataset.state = 'up';
  $('#pay-countdown-said').textContent = t('pay.timeUp');
  $('.deadline-line')?.setAttribute('hidden', '');
  forgetPayment(orderId);
  $('#payment').innerHTML = '';
  showChoice(false);
}

/** Where the order goes: its shipping address as the book gave it (when the order view has it), else its consignee and address as stored. */
function shippedTo(order) {
  const a = order.shippingAddress;
  const [who, where] = a ? [`${a.recipient} · ${a.phone}`, `${a.region} ${a.line}`] : [order.consignee, order.address];
  return `<p class="shipped-to" id="shipping-address"><span class="muted">${th('order.shipToLabel')}</span> <span class="who">${esc(who)}</span> <span class="where">${esc(where)}</span></p>`;
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
  pay?.addEventListener('click', () => void payWith(order, chosenChannel(), pay));
  $('#pay-channels')?.addEventListener('change', () => chooseChannel(chosenChannel()));
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
  const goods = path.match(/^\/goods\/([0-9]{1,20})$/);
  if (path === '/signin') return signInPage(query);
  if (path === '/cart') return cartPage();
  if (path === '/orders') return ordersPage(query);
  if (path === '/addresses') return addressesPage(query);
  if (order) return orderPage(order[1]);
  if (goods) return goodsDetailPage(goods[1]);
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
  leaving.forEach((stop) => stop());
  leaving = [];
  void refreshHeader();
  const route = currentRoute();
  let page;
  try {
    page = await pageFor(route);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') page = { redirect: signInHash(route.path) };
    else {
      const action = route.path.startsWith('/orders/') ? 'order' : route.path.startsWith('/goods/') ? 'goods' : 'load';
      page = errorPage(error, action, () => render(focus ?? 'h1'));
    }
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

/** Goes to `hash`; `notice` is said there, `then` runs once it is drawn, `focus` (a selector) gets the focus instead of the heading. */
function navigate(hash, { notice, then, focus } = {}) {
  arrival = { notice, then, focus };
  if (location.hash === hash) void arrive();
  else location.hash = hash;
}

async function arrive() {
  const { notice, then, focus } = arrival;
  arrival = {};
  clearErrors();
  say(notice ?? '');
  if (!focus) window.scrollTo(0, 0);
  await render(focus ?? 'h1');
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

/**
 * Reads where pay-web is; until it answers (or if it fails) the default, this host's port 7002,
 * stands. The footer's links to the API reference show only where the reference is on the public
 * port (not in production, where it answers on the admin port alone).
 */
async function loadSettings() {
  try {
    const settings = await (await fetch('/storefront.json')).json();
    if (settings.payWebUrl) session.payWeb = settings.payWebUrl;
    $('#api-docs').hidden = settings.apiDocs !== true;
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
    navigate(goodsHash({ q: $('#search-input').value.trim() }));
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
