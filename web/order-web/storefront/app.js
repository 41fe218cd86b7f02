// The storefront: a small single-page app over order-web's and pay-web's JSON APIs. No framework
// and no build step: the browser loads this module as it is (see docs/decisions.md).

const TOKEN_KEY = 'shop.token';
const GUEST_CART_KEY = 'shop.guestCart';
const LIVE_STATUSES = new Set(['PENDING', 'CONFIRMED']);
const POLL_MS = 1500;

const session = {
  token: localStorage.getItem(TOKEN_KEY),
  payWeb: `${location.protocol}//${location.hostname}:7002`,
};
let stopPolling = () => {};

// ---------- helpers ----------

const $ = (selector, root = document) => root.querySelector(selector);
const view = () => $('#view');

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const yuan = (amount) => `¥${esc(amount)}`;
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls an API; answers its JSON, or throws ApiError with the server's {code, message}. */
async function call(method, url, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (session.token) init.headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const data = response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    if (response.status === 401 && session.token) signOut();
    throw new ApiError(response.status, data?.code ?? 'ERROR', data?.message ?? `HTTP ${response.status}`);
  }
  return data;
}

let settingsLoaded = Promise.resolve();

const api = (method, path, body, headers) => call(method, path, body, headers);
const payApi = async (method, path, body, headers) => {
  await settingsLoaded;
  return call(method, session.payWeb + path, body, headers);
};

function say(text, kind = 'error') {
  const box = $('#message');
  box.textContent = text;
  box.className = kind === 'info' ? 'info' : '';
  box.hidden = !text;
}

/** Runs an action, showing its error (the server's message) instead of failing silently. */
async function attempt(action) {
  try {
    say('');
    await action();
  } catch (error) {
    say(error instanceof ApiError ? `${error.message} (${error.code})` : String(error));
  }
}

// ---------- session ----------

async function signIn(username, password) {
  const { token } = await api('POST', '/api/v1/auth/login', { username, password });
  session.token = token;
  localStorage.setItem(TOKEN_KEY, token);
  // The guest cart joins the user's cart, then the browser forgets it.
  const guest = guestCart();
  if (guest.length) {
    await api('POST', '/api/v1/cart/merge', { items: guest.map(({ goodsId, quantity, checked }) => ({ goodsId, quantity, checked })) });
    localStorage.removeItem(GUEST_CART_KEY);
  }
}

function signOut() {
  session.token = null;
  localStorage.removeItem(TOKEN_KEY);
  void refreshHeader();
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
      $('#account').textContent = `${me.username} · balance ${yuan(me.balance)} · ${me.points} points`;
    }
    $('#cart-count').textContent = String((await currentCart()).items.length);
  } catch {
    // The header is decoration: a failure here shows on the page that needs the data.
  }
}

// ---------- cart: the server's when signed in, the browser's before ----------

function guestCart() {
  try {
    return JSON.parse(localStorage.getItem(GUEST_CART_KEY) ?? '[]');
  } catch {
    return [];
  }
}

function saveGuestCart(items) {
  localStorage.setItem(GUEST_CART_KEY, JSON.stringify(items));
}

async function currentCart() {
  if (session.token) return api('GET', '/api/v1/cart');
  const items = guestCart();
  const checkedCents = items.filter((i) => i.checked).reduce((sum, i) => sum + Math.round(Number(i.price) * 100) * i.quantity, 0);
  return { items, checkedAmount: (checkedCents / 100).toFixed(2) };
}

async function putLine(goods, quantity, checked) {
  if (session.token) return api('PUT', `/api/v1/cart/items/${goods.goodsId}`, { quantity, checked });
  const items = guestCart().filter((i) => i.goodsId !== goods.goodsId);
  const index = guestCart().findIndex((i) => i.goodsId === goods.goodsId);
  items.splice(index < 0 ? items.length : index, 0, { goodsId: goods.goodsId, name: goods.name, price: goods.price, quantity, checked });
  saveGuestCart(items);
}

async function removeLine(goodsId) {
  if (session.token) return api('DELETE', `/api/v1/cart/items/${goodsId}`);
  saveGuestCart(guestCart().filter((i) => i.goodsId !== goodsId));
}

async function addToCart(goods) {
  const line = (await currentCart()).items.find((i) => i.goodsId === goods.goodsId);
  await putLine(goods, Math.min((line?.quantity ?? 0) + 1, 999), true);
  say(`${goods.name} added to the cart`, 'info');
  await refreshHeader();
}

// ---------- pages ----------

const GOODS_PAGE_SIZE = 24;

/** The hash of the goods list for a search and a page. */
function goodsHash(q, page) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `#/?${text}` : '#/';
}

async function goodsPage(query) {
  const q = query.get('q') ?? '';
  const page = Math.max(1, Math.min(10_000, Number.parseInt(query.get('page') ?? '1', 10) || 1));
  $('#search-input').value = q;
  const { items, total } = await api('GET', `/api/v1/goods?size=${GOODS_PAGE_SIZE}&page=${page}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  const pages = Math.max(1, Math.ceil(total / GOODS_PAGE_SIZE));
  const pager =
    pages > 1
      ? `<p class="actions">${page > 1 ? `<a href="${goodsHash(q, page - 1)}" id="previous-page">← Previous</a>` : ''}
         <span class="muted">page ${page} of ${pages}</span>
         ${page < pages ? `<a href="${goodsHash(q, page + 1)}" id="next-page">Next →</a>` : ''}</p>`
      : '';
  view().innerHTML = `
    <h1>${q ? `Goods matching “${esc(q)}”` : 'Goods'} <span class="muted">(${total})</span></h1>
    ${items.length ? '' : '<p class="muted">Nothing found.</p>'}
    <div class="grid">${items
      .map(
        (g) => `<div class="card" data-goods="${esc(g.goodsId)}">
          <div class="name">${esc(g.name)}</div>
          <div class="price">${yuan(g.price)}</div>
          <div class="muted">${g.stock > 0 ? `${g.stock} in stock` : 'sold out'}</div>
          <button class="primary add" data-goods="${esc(g.goodsId)}" ${g.stock > 0 ? '' : 'disabled'}>Add to cart</button>
        </div>`,
      )
      .join('')}</div>
    ${pager}`;
  const byId = new Map(items.map((g) => [g.goodsId, g]));
  view().querySelectorAll('button.add').forEach((button) => {
    button.addEventListener('click', () => attempt(() => addToCart(byId.get(button.dataset.goods))));
  });
}

/** A username and password form; `kind` is "signin" or "signup" (element ids and autocomplete). */
function accountForm(kind, title, button) {
  const passwordHint = kind === 'signup' ? 'new-password' : 'current-password';
  return `
      <form class="panel" id="${kind}-form">
        <h1>${title}</h1>
        <div class="form">
          <label for="${kind}-username">Username</label><input id="${kind}-username" name="username" autocomplete="username" required maxlength="64">
          <label for="${kind}-password">Password</label><input id="${kind}-password" name="password" type="password" autocomplete="${passwordHint}" required maxlength="128">
        </div>
        <div class="actions"><button class="primary" id="${kind}-submit">${button}</button></div>
      </form>`;
}

async function signInPage() {
  view().innerHTML = `
    <div class="columns">${accountForm('signin', 'Sign in', 'Sign in')}${accountForm('signup', 'New here? Sign up', 'Sign up')}
    </div>`;
  const submit = (id, register) =>
    $(id).addEventListener('submit', (event) => {
      event.preventDefault();
      const form = new FormData(event.target);
      const credentials = { username: String(form.get('username')), password: String(form.get('password')) };
      void attempt(async () => {
        if (register) await api('POST', '/api/v1/auth/register', credentials);
        await signIn(credentials.username, credentials.password);
        await refreshHeader();
        location.hash = '#/cart';
      });
    });
  submit('#signin-form', false);
  submit('#signup-form', true);
}

async function cartPage() {
  const cart = await currentCart();
  const lines = cart.items
    .map(
      (i) => `<tr data-goods="${esc(i.goodsId)}">
        <td><input type="checkbox" class="check" aria-label="order ${esc(i.name)}" ${i.checked ? 'checked' : ''}></td>
        <td>${esc(i.name)}</td>
        <td class="num">${yuan(i.price)}</td>
        <td class="num"><input type="number" class="quantity" min="1" max="999" value="${i.quantity}" aria-label="quantity of ${esc(i.name)}"></td>
        <td class="num">${yuan(((Math.round(Number(i.price) * 100) * i.quantity) / 100).toFixed(2))}</td>
        <td><button class="remove">Remove</button></td>
      </tr>`,
    )
    .join('');
  view().innerHTML = `
    <h1>Cart</h1>
    ${
      cart.items.length
        ? `<table><thead><tr><th></th><th>Goods</th><th class="num">Price</th><th class="num">Quantity</th><th class="num">Subtotal</th><th></th></tr></thead>
           <tbody>${lines}</tbody></table>
           <p>Checked: <strong id="checked-amount">${yuan(cart.checkedAmount)}</strong> (shipping is added at checkout) <button id="clear-cart">Empty the cart</button></p>
           ${session.token ? await checkoutForm() : '<p><a href="#/signin">Sign in</a> to check out; your cart comes with you.</p>'}`
        : '<p class="muted">Your cart is empty. <a href="#/">Browse the goods</a>.</p>'
    }`;
  const byId = new Map(cart.items.map((i) => [i.goodsId, i]));
  view().querySelectorAll('tbody tr').forEach((row) => {
    const line = byId.get(row.dataset.goods);
    const quantity = $('.quantity', row);
    const check = $('.check', row);
    const update = () => attempt(async () => {
      await putLine(line, Number(quantity.value), check.checked);
      await render();
    });
    quantity.addEventListener('change', update);
    check.addEventListener('change', update);
    $('.remove', row).addEventListener('click', () => attempt(async () => {
      await removeLine(line.goodsId);
      await render();
    }));
  });
  $('#clear-cart')?.addEventListener('click', () => attempt(async () => {
    if (session.token) await api('DELETE', '/api/v1/cart');
    else saveGuestCart([]);
    await render();
  }));
  $('#checkout-form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const button = $('#place-order');
    button.disabled = true;
    void attempt(async () => {
      const body = { fromCart: true, consignee: String(form.get('consignee')).trim(), address: String(form.get('address')).trim() };
      if (form.get('couponId')) body.couponId = String(form.get('couponId'));
      if (String(form.get('balance')).trim()) body.balance = String(form.get('balance')).trim();
      // One key per checkout form: a double click or a retry places one order.
      const order = await api('POST', '/api/v1/orders', body, { 'idempotency-key': event.target.dataset.key });
      location.hash = `#/orders/${order.orderId}`;
    }).finally(() => {
      button.disabled = false;
    });
  });
}

async function checkoutForm() {
  const [me, coupons] = await Promise.all([api('GET', '/api/v1/me'), api('GET', '/api/v1/me/coupons')]);
  const usable = coupons.filter((c) => !c.used);
  return `<form class="panel" id="checkout-form" data-key="${crypto.randomUUID()}">
    <h2>Checkout</h2>
    <div class="form">
      <label for="consignee">Consignee</label><input id="consignee" name="consignee" required maxlength="50">
      <label for="address">Address</label><input id="address" name="address" required maxlength="200">
      <label for="coupon">Coupon</label>
      <select id="coupon" name="couponId"><option value="">No coupon</option>${usable.map((c) => `<option value="${esc(c.couponId)}">${yuan(c.amount)} off</option>`).join('')}</select>
      <label for="balance">Use balance</label><input id="balance" name="balance" inputmode="decimal" pattern="^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?$" placeholder="up to ${esc(me.balance)}">
    </div>
    <div class="actions"><button class="primary" id="place-order">Place order</button></div>
  </form>`;
}

async function ordersPage() {
  if (!session.token) return void (location.hash = '#/signin');
  const { items } = await api('GET', '/api/v1/orders?size=50');
  view().innerHTML = `
    <h1>Orders</h1>
    ${
      items.length
        ? `<table><thead><tr><th>Order</th><th>Placed</th><th>Goods</th><th class="num">Alipay part</th><th>Status</th><th></th></tr></thead><tbody>
          ${items
            .map(
              (o) => `<tr data-order="${esc(o.orderId)}"><td><a href="#/orders/${esc(o.orderId)}">${esc(o.orderId)}</a></td><td>${when(o.createdAt)}</td>
              <td>${o.items.map((i) => `${esc(i.name)} × ${i.quantity}`).join(', ')}</td><td class="num">${yuan(o.payAmount)}</td>
              <td><span class="status ${esc(o.status)}">${esc(o.status)}</span></td>
              <td>${orderActions(o)}${['PAID', 'SHIPPED', 'COMPLETED'].includes(o.status) ? ` <a class="refund" href="#/orders/${esc(o.orderId)}">${o.status === 'PAID' ? 'Refund…' : 'After-sales…'}</a>` : ''}</td></tr>`,
            )
            .join('')}</tbody></table>`
        : '<p class="muted">No orders yet.</p>'
    }`;
}

/** Buttons for what the user can do with the order now; handled by {@link onOrderAction}. */
function orderActions(order) {
  const id = esc(order.orderId);
  if (order.status === 'CONFIRMED') return `<button class="cancel" data-action="cancel" data-order="${id}">Cancel order</button>`;
  if (order.status === 'SHIPPED') return `<button class="primary receipt" data-action="receipt" data-order="${id}">Confirm receipt</button>`;
  return '';
}

/** Cancel and receipt buttons, on the order list and the order page alike. */
function onOrderAction(event) {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const { action, order } = button.dataset;
  void attempt(async () => {
    if (action === 'cancel') await api('POST', `/api/v1/orders/${order}/cancel`, { reason: 'cancelled in the storefront' });
    if (action === 'receipt') await api('POST', `/api/v1/orders/${order}/receipt`);
    await render();
  });
}

async function orderPage(orderId) {
  if (!session.token) return void (location.hash = '#/signin');
  const order = await api('GET', `/api/v1/orders/${orderId}`);
  // Before shipment the customer refunds; after it she asks, and an admin decides (after-sales).
  const refundable = order.status === 'PAID';
  const afterSales = order.status === 'SHIPPED' || order.status === 'COMPLETED';
  view().innerHTML = `
    <h1>Order ${esc(order.orderId)} <span class="status ${esc(order.status)}" id="order-status">${esc(order.status)}</span></h1>
    ${order.cancelReason ? `<p class="muted">Cancelled: ${esc(order.cancelReason)}</p>` : ''}
    <table><thead><tr><th>Goods</th><th class="num">Price</th><th class="num">Quantity</th></tr></thead><tbody>
      ${order.items.map((i) => `<tr><td>${esc(i.name)}</td><td class="num">${yuan(i.price)}</td><td class="num">${i.quantity}</td></tr>`).join('')}
    </tbody></table>
    <div class="panel">
      Goods ${yuan(order.goodsAmount)} + shipping ${yuan(order.shippingFee)} − coupon ${yuan(order.couponPaid)} − balance ${yuan(order.balancePaid)}
      = <strong id="pay-amount">${yuan(order.payAmount)}</strong> ${order.status === 'CONFIRMED' || order.status === 'PENDING' ? 'to pay' : 'through Alipay'}
      ${order.status === 'CONFIRMED' && order.payDeadline ? `<div class="muted">Pay before ${when(order.payDeadline)}, or the order is cancelled.</div>` : ''}
      <div class="muted">Ship to ${esc(order.consignee)}, ${esc(order.address)}</div>
    </div>
    <div id="payment"></div>
    <div class="actions">
      ${order.status === 'CONFIRMED' ? '<button class="primary" id="pay-button">Pay with Alipay</button>' : ''}
      ${orderActions(order)}
      ${refundable ? '<input id="refund-reason" placeholder="Reason for the refund" maxlength="200"><button id="refund-button">Refund</button>' : ''}
      ${afterSales ? '<input id="after-sales-reason" placeholder="What went wrong?" maxlength="200"><button id="after-sales-button">Ask for a refund</button>' : ''}
    </div>
    <h2>History</h2>
    <table id="history"><thead><tr><th>When</th><th>From</th><th>To</th><th>By</th><th>Why</th></tr></thead><tbody>
      ${order.history.map((h) => `<tr><td>${when(h.at)}</td><td>${esc(h.from ?? '—')}</td><td>${esc(h.to)}</td><td>${esc(h.actor)}</td><td>${esc(h.reason ?? '')}</td></tr>`).join('')}
    </tbody></table>`;

  $('#pay-button')?.addEventListener('click', () => attempt(async () => {
    const payment = await payApi('POST', '/api/v1/payments', { orderId: order.orderId, channel: 'ALIPAY_QR' });
    $('#payment').innerHTML = `<div class="panel qr">
      <img id="qr-image" src="${esc(payment.qrImage)}" alt="Alipay QR code">
      <div><p>Scan with Alipay to pay <strong>${yuan(payment.amount)}</strong>,<br>or <a id="cashier-link" href="${esc(payment.qrCode)}" target="_blank" rel="noopener">open the cashier</a>.</p>
      <p class="muted">This page updates by itself when the payment arrives.</p></div></div>`;
    $('#pay-button').hidden = true;
  }));
  $('#refund-button')?.addEventListener('click', () => attempt(async () => {
    const reason = $('#refund-reason').value.trim() || 'refund asked in the storefront';
    await payApi('POST', `/api/v1/orders/${order.orderId}/refund`, { reason }, { 'idempotency-key': crypto.randomUUID() });
    say('Refund requested: the order turns REFUNDED once the money is back.', 'info');
    pollOrder(order.orderId, (status) => status === 'REFUNDED');
  }));
  $('#after-sales-button')?.addEventListener('click', () => attempt(async () => {
    const reason = $('#after-sales-reason').value.trim() || 'refund asked in the storefront';
    await api('POST', `/api/v1/orders/${order.orderId}/after-sales`, { reason }, { 'idempotency-key': crypto.randomUUID() });
    say('Request sent: the shop reviews it, and the order turns REFUNDED if it is approved.', 'info');
  }));

  if (LIVE_STATUSES.has(order.status)) pollOrder(order.orderId, (status) => status !== order.status);
}

/** Re-renders the order page once its status changes as `changed` says; stops on leaving the page. */
function pollOrder(orderId, changed) {
  stopPolling();
  let active = true;
  const timer = setInterval(async () => {
    try {
      const now = await api('GET', `/api/v1/orders/${orderId}`);
      if (active && changed(now.status)) {
        active = false;
        clearInterval(timer);
        await render();
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

async function render() {
  stopPolling();
  void refreshHeader();
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(search);
  const order = path.match(/^\/orders\/([0-9]+)$/);
  $('#search-input').value = '';
  await attempt(async () => {
    if (path === '/signin') await signInPage();
    else if (path === '/cart') await cartPage();
    else if (path === '/orders') await ordersPage();
    else if (order) await orderPage(order[1]);
    else await goodsPage(query);
  });
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
  view().addEventListener('click', onOrderAction);
  $('#search').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = $('#search-input').value.trim();
    location.hash = goodsHash(q, 1);
  });
  $('#sign-out').addEventListener('click', () => {
    signOut();
    location.hash = '#/';
  });
  window.addEventListener('hashchange', () => {
    say('');
    void render();
  });
  await render();
}

void start();
