// The admin console: a small single-page app over order-web's and pay-web's admin APIs, like the
// storefront (no framework, no build step). Every action is checked again by the server; the
// page only hides what an admin cannot do.

const TOKEN_KEY = 'shop.admin.token';
const PAGE_SIZE = 20;

const session = { token: localStorage.getItem(TOKEN_KEY), payWeb: `${location.protocol}//${location.hostname}:7002` };
const settings = fetch('/storefront.json')
  .then((response) => response.json())
  .then((body) => {
    if (body.payWebUrl) session.payWeb = body.payWebUrl;
  })
  .catch(() => undefined);

// ---------- helpers ----------

const $ = (selector, root = document) => root.querySelector(selector);
const view = () => $('#view');
const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const yuan = (amount) => `¥${esc(amount)}`;
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const day = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const badge = (status) => `<span class="status ${esc(status)}">${esc(status)}</span>`;

/** What people read for the API's stable codes; the server's message is kept for the rest. */
const MESSAGES = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: 'This account is not an admin.',
  NOT_FOUND: 'Not found: it may have been removed, or the id is wrong.',
  ORDER_STATE: 'The order is no longer in a state that allows this; the page shows it as it is now.',
  AFTER_SALES_STATE: 'This request has been decided already.',
  NETWORK: 'The shop cannot be reached. Check the connection and try again.',
  UNAVAILABLE: 'A service is busy or restarting. Try again in a moment.',
};

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, url, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (session.token) init.headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'NETWORK', MESSAGES.NETWORK);
  }
  const data = response.headers.get('content-type')?.includes('json') ? await response.json() : {};
  if (!response.ok) {
    if (response.status === 401) signOut();
    throw new ApiError(response.status, data.code ?? 'ERROR', data.message ?? `the server answered ${response.status}`);
  }
  return data;
}
const api = (method, path, body) => call(method, path, body);
const payApi = async (method, path, body) => {
  await settings;
  return call(method, session.payWeb + path, body);
};

function say(text, kind = 'error') {
  const box = $('#message');
  box.textContent = text;
  box.className = kind;
  box.hidden = !text;
}
const explain = (error) => (error instanceof ApiError ? (MESSAGES[error.code] ?? error.message) : String(error?.message ?? error));

/** Runs an action of a button: disabled meanwhile, its outcome said, the view redrawn. */
async function act(button, work, done) {
  say('');
  button.disabled = true;
  try {
    await work();
    say(done, 'info');
    await route();
  } catch (error) {
    say(explain(error));
  } finally {
    button.disabled = false;
  }
}

/** A table that reflows on phones: each cell carries its column's label. */
function table(columns, rows, empty = 'Nothing here yet.') {
  if (rows.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  const head = columns.map((c) => `<th scope="col"${c.num ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((c) => `<td data-label="${esc(c.label)}"${c.num ? ' class="num"' : ''}>${c.cell(row)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function pager(page, total, href) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const prev = page > 1 ? `<a href="${href(page - 1)}">Previous</a>` : '';
  const next = page < pages ? `<a href="${href(page + 1)}">Next</a>` : '';
  return `<nav class="pager" aria-label="Pages">${prev}<span>Page ${Math.min(page, pages)} of ${pages} (${total})</span>${next}</nav>`;
}

function show(title, html) {
  document.title = `${title} · Shop admin`;
  view().innerHTML = `<h1 tabindex="-1">${esc(title)}</h1>${html}`;
  $('h1', view()).focus();
  for (const link of document.querySelectorAll('#nav a')) {
    const here = link.getAttribute('href') === `#/${location.hash.slice(2).split(/[/?]/)[0]}`;
    if (here) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

const queryOf = () => new URLSearchParams(location.hash.split('?')[1] ?? '');

// ---------- session ----------

function roleOf(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).role;
  } catch {
    return undefined;
  }
}

function signOut() {
  session.token = null;
  localStorage.removeItem(TOKEN_KEY);
  $('#nav').hidden = true;
}

function signInView() {
  show(
    'Sign in',
    `<form id="signin" class="panel form">
       <label>Username <input id="username" name="username" autocomplete="username" required></label>
       <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
       <button class="primary" id="signin-submit">Sign in</button>
     </form>`,
  );
  $('#signin').addEventListener('submit', async (event) => {
    event.preventDefault();
    say('');
    try {
      const { token } = await api('POST', '/api/v1/auth/login', { username: $('#username').value, password: $('#password').value });
      if (roleOf(token) !== 'ADMIN') throw new ApiError(403, 'FORBIDDEN', MESSAGES.FORBIDDEN);
      session.token = token;
      localStorage.setItem(TOKEN_KEY, token);
      await route();
    } catch (error) {
      say(error.status === 401 || error.code === 'UNAUTHENTICATED' ? 'Wrong username or password.' : explain(error));
    }
  });
}

// ---------- dashboard ----------

function drawChart(id, type, labels, datasets) {
  const canvas = document.getElementById(id);
  if (!canvas || !window.Chart) return;
  new window.Chart(canvas, {
    type,
    data: { labels, datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
  });
}

async function dashboardView() {
  const from = day(-29);
  const to = day(0);
  const [orders, payments, goods] = await Promise.all([
    api('GET', `/api/v1/admin/stats/orders?from=${from}&to=${to}`),
    payApi('GET', `/api/v1/admin/stats/payments?from=${from}&to=${to}`),
    api('GET', '/api/v1/admin/goods?sort=stock-asc&size=20'),
  ]);
  const sum = (rows, key) => rows.reduce((total, row) => total + Number(row[key]), 0);
  const payCount = sum(payments.days, 'payments');
  const rate = payCount ? `${Math.round((100 * sum(payments.days, 'paid')) / payCount)}%` : '–';
  const lowStock = goods.items.filter((g) => g.stock < 10);
  const labels = orders.days.map((d) => d.day.slice(5));
  show(
    'Dashboard',
    `<p class="muted">The last 30 days (UTC), from the shop's own data.</p>
     <div class="cards">
       <div class="card"><div class="muted">Orders placed</div><div class="value" id="kpi-placed">${sum(orders.days, 'placed')}</div></div>
       <div class="card"><div class="muted">Revenue</div><div class="value" id="kpi-revenue">${yuan(sum(orders.days, 'revenue').toFixed(2))}</div></div>
       <div class="card"><div class="muted">Payment success</div><div class="value" id="kpi-rate">${rate}</div></div>
       <div class="card"><div class="muted">Refunded</div><div class="value" id="kpi-refunded">${yuan(sum(payments.days, 'refunded').toFixed(2))}</div></div>
     </div>
     <div class="charts">
       <figure class="chart"><figcaption>Orders per day (placed, refused at placement)</figcaption><canvas id="chart-orders" role="img" aria-label="Orders per day"></canvas></figure>
       <figure class="chart"><figcaption>Revenue per day (yuan)</figcaption><canvas id="chart-revenue" role="img" aria-label="Revenue per day"></canvas></figure>
       <figure class="chart"><figcaption>Payments per day (created, paid)</figcaption><canvas id="chart-payments" role="img" aria-label="Payments per day"></canvas></figure>
       <figure class="chart"><figcaption>Refunds per day (succeeded, failed)</figcaption><canvas id="chart-refunds" role="img" aria-label="Refunds per day"></canvas></figure>
     </div>
     <h2>Low stock (the 20 lowest under 10)</h2>
     ${table(
       [
         { label: 'Goods', cell: (g) => esc(g.name) },
         { label: 'Stock', cell: (g) => esc(g.stock), num: true },
       ],
       lowStock,
       'Every goods has 10 or more in stock.',
     )}`,
  );
  drawChart('chart-orders', 'bar', labels, [
    { label: 'placed', data: orders.days.map((d) => d.placed), backgroundColor: '#0b5cd5' },
    { label: 'refused', data: orders.days.map((d) => d.refused), backgroundColor: '#a40e26' },
  ]);
  drawChart('chart-revenue', 'line', labels, [{ label: 'revenue', data: orders.days.map((d) => Number(d.revenue)), borderColor: '#116329' }]);
  drawChart('chart-payments', 'line', labels, [
    { label: 'created', data: payments.days.map((d) => d.payments), borderColor: '#57606a' },
    { label: 'paid', data: payments.days.map((d) => d.paid), borderColor: '#116329' },
  ]);
  drawChart('chart-refunds', 'bar', labels, [
    { label: 'succeeded', data: payments.days.map((d) => d.refundsSucceeded), backgroundColor: '#116329' },
    { label: 'failed', data: payments.days.map((d) => d.refundsFailed), backgroundColor: '#a40e26' },
  ]);
}

// ---------- orders ----------

const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'COMPLETED', 'CANCELLED', 'REFUNDED'];

async function ordersView() {
  const query = queryOf();
  const page = Math.max(1, Number(query.get('page')) || 1);
  const filter = new URLSearchParams();
  for (const key of ['status', 'userId']) if (query.get(key)) filter.set(key, query.get(key));
  if (query.get('from')) filter.set('from', `${query.get('from')}T00:00:00Z`);
  if (query.get('to')) filter.set('to', `${query.get('to')}T00:00:00Z`);
  const { items, total } = await api('GET', `/api/v1/admin/orders?${filter}&page=${page}&size=${PAGE_SIZE}`);
  const options = ['', ...ORDER_STATUSES].map((s) => `<option value="${s}"${s === query.get('status') ? ' selected' : ''}>${s || 'any'}</option>`).join('');
  show(
    'Orders',
    `<form id="order-filters" class="filters">
       <label>Status <select name="status">${options}</select></label>
       <label>User id <input name="userId" inputmode="numeric" value="${esc(query.get('userId'))}"></label>
       <label>Created from <input name="from" type="date" value="${esc(query.get('from'))}"></label>
       <label>Created before <input name="to" type="date" value="${esc(query.get('to'))}"></label>
       <button>Filter</button>
     </form>
     <div class="actions"><button id="ship-selected" class="primary" type="button">Ship selected</button></div>
     ${table(
       [
         {
           label: 'Select',
           cell: (o) => (o.status === 'PAID' ? `<input type="checkbox" class="pick" value="${esc(o.orderId)}" aria-label="Select order ${esc(o.orderId)}">` : ''),
         },
         { label: 'Order', cell: (o) => `<a href="#/orders/${esc(o.orderId)}">${esc(o.orderId)}</a>` },
         { label: 'Status', cell: (o) => `${badge(o.status)}${o.refusedAtPlacement ? ' <span class="muted">refused at placement</span>' : ''}` },
         { label: 'User', cell: (o) => esc(o.userId) },
         { label: 'To pay', cell: (o) => yuan(o.payAmount), num: true },
         { label: 'Created', cell: (o) => esc(when(o.createdAt)) },
       ],
       items,
       'No order matches.',
     )}
     ${pager(page, total, (p) => `#/orders?${new URLSearchParams({ ...Object.fromEntries(query), page: p })}`)}`,
  );
  $('#order-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new URLSearchParams([...new FormData(event.target)].filter(([, value]) => value));
    location.hash = `#/orders?${form}`;
  });
  $('#ship-selected').addEventListener('click', (event) => {
    const picked = [...document.querySelectorAll('.pick:checked')].map((box) => box.value);
    if (picked.length === 0) return say('Select the paid orders to ship first.');
    if (!confirm(`Ship ${picked.length} order(s)?`)) return undefined;
    return act(
      event.target,
      async () => {
        for (const id of picked) await api('POST', `/api/v1/admin/orders/${id}/ship`);
      },
      `${picked.length} order(s) shipped.`,
    );
  });
}

async function orderView(orderId) {
  const [order, refunds] = await Promise.all([api('GET', `/api/v1/admin/orders/${orderId}`), payApi('GET', `/api/v1/admin/orders/${orderId}/refunds`)]);
  show(
    `Order ${order.orderId}`,
    `<p>${badge(order.status)} <span id="order-status" hidden>${esc(order.status)}</span> placed ${esc(when(order.createdAt))} by user ${esc(order.userId)}${order.refusedAtPlacement ? ' · refused at placement' : ''}</p>
     ${order.cancelReason ? `<p>Cancelled: ${esc(order.cancelReason)}</p>` : ''}
     <div class="actions">
       ${order.status === 'PAID' ? '<button id="ship" class="primary" type="button">Ship</button>' : ''}
       ${order.status === 'PENDING' || order.status === 'CONFIRMED' ? '<label>Reason <input id="cancel-reason" maxlength="200"></label><button id="cancel" class="danger" type="button">Cancel order</button>' : ''}
     </div>
     <h2>Lines</h2>
     ${table(
       [
         { label: 'Goods', cell: (l) => esc(l.name) },
         { label: 'Price', cell: (l) => yuan(l.price), num: true },
         { label: 'Quantity', cell: (l) => esc(l.quantity), num: true },
       ],
       order.items,
     )}
     <div class="panel">Goods ${yuan(order.goodsAmount)} · shipping ${yuan(order.shippingFee)} · coupon −${yuan(order.couponPaid)} · balance −${yuan(order.balancePaid)} · to pay <strong>${yuan(order.payAmount)}</strong> · refunded ${yuan(order.refundedAmount)}<br>
       Deliver to ${esc(order.consignee)}, ${esc(order.address)}</div>
     <h2>History</h2>
     <ol class="timeline">${order.history.map((h) => `<li>${esc(when(h.at))}: ${esc(h.from ?? 'created')} → <strong>${esc(h.to)}</strong> by ${esc(h.actor)}${h.reason ? ` (${esc(h.reason)})` : ''}</li>`).join('')}</ol>
     <h2>Refunds</h2>
     ${table(
       [
         { label: 'Refund', cell: (r) => esc(r.refundId) },
         { label: 'Status', cell: (r) => badge(r.status) },
         { label: 'Kind', cell: (r) => esc(r.kind) },
         { label: 'Amount', cell: (r) => yuan(r.amount), num: true },
         { label: 'Reason', cell: (r) => esc(r.reason) },
       ],
       refunds.items,
       'No refund.',
     )}`,
  );
  $('#ship')?.addEventListener('click', (event) => {
    if (confirm('Ship this order?')) void act(event.target, () => api('POST', `/api/v1/admin/orders/${orderId}/ship`), 'Order shipped.');
  });
  $('#cancel')?.addEventListener('click', (event) => {
    if (confirm('Cancel this order? Everything it took goes back to the customer.'))
      void act(event.target, () => api('POST', `/api/v1/admin/orders/${orderId}/cancel`, { reason: $('#cancel-reason').value }), 'Order cancelled.');
  });
}

// ---------- after-sales and refunds ----------

async function afterSalesView() {
  const status = queryOf().get('status') ?? 'OPEN';
  const { items } = await api('GET', `/api/v1/admin/after-sales?status=${encodeURIComponent(status)}&size=100`);
  const tabs = ['OPEN', 'APPROVED', 'REJECTED', 'REFUNDED', 'REFUND_FAILED']
    .map((s) => `<a href="#/after-sales?status=${s}"${s === status ? ' aria-current="true"' : ''}>${s}</a>`)
    .join(' · ');
  show(
    'After-sales requests',
    `<p>${tabs}</p>
     ${table(
       [
         { label: 'Order', cell: (a) => `<a href="#/orders/${esc(a.orderId)}">${esc(a.orderId)}</a>` },
         { label: 'Status', cell: (a) => badge(a.status) },
         { label: 'Reason', cell: (a) => esc(a.reason) },
         { label: 'Amount', cell: (a) => (a.amount ? yuan(a.amount) : 'everything left'), num: true },
         { label: 'Asked', cell: (a) => esc(when(a.createdAt)) },
         {
           label: 'Decide',
           cell: (a) =>
             a.status === 'OPEN'
               ? `<label>Note <input class="note" data-id="${esc(a.afterSalesId)}" maxlength="200"></label>
                  <button class="primary decide" data-id="${esc(a.afterSalesId)}" data-decision="approve" type="button">Approve</button>
                  <button class="danger decide" data-id="${esc(a.afterSalesId)}" data-decision="reject" type="button">Reject</button>`
               : esc(a.note ?? ''),
         },
       ],
       items,
       `No ${status.toLowerCase()} request.`,
     )}`,
  );
  for (const button of document.querySelectorAll('.decide')) {
    button.addEventListener('click', () => {
      const { id, decision } = button.dataset;
      const note = $(`.note[data-id="${id}"]`).value;
      if (!confirm(decision === 'approve' ? 'Approve and refund this request?' : 'Reject this request?')) return;
      void act(button, () => api('POST', `/api/v1/admin/after-sales/${id}/${decision}`, { note }), decision === 'approve' ? 'Approved: the refund runs.' : 'Rejected.');
    });
  }
}

async function refundsView() {
  const query = queryOf();
  const page = Math.max(1, Number(query.get('page')) || 1);
  const status = query.get('status') ?? '';
  const { items, total } = await payApi('GET', `/api/v1/admin/refunds?${status ? `status=${status}&` : ''}page=${page}&size=${PAGE_SIZE}`);
  const tabs = ['', 'PENDING', 'SUCCEEDED', 'FAILED'].map((s) => `<a href="#/refunds?status=${s}"${s === status ? ' aria-current="true"' : ''}>${s || 'all'}</a>`).join(' · ');
  show(
    'Refunds',
    `<p>${tabs}</p>
     ${table(
       [
         { label: 'Refund', cell: (r) => esc(r.refundId) },
         { label: 'Order', cell: (r) => `<a href="#/orders/${esc(r.orderId)}">${esc(r.orderId)}</a>` },
         { label: 'Status', cell: (r) => badge(r.status) },
         { label: 'Kind', cell: (r) => esc(r.kind) },
         { label: 'Amount', cell: (r) => yuan(r.amount), num: true },
         { label: 'Why', cell: (r) => esc(r.failureReason ?? r.reason) },
         { label: 'Asked', cell: (r) => esc(when(r.createdAt)) },
       ],
       items,
       'No refund.',
     )}
     ${pager(page, total, (p) => `#/refunds?status=${status}&page=${p}`)}`,
  );
}

// ---------- goods, users, reconciliation ----------

async function goodsView() {
  const query = queryOf();
  const page = Math.max(1, Number(query.get('page')) || 1);
  const q = query.get('q') ?? '';
  const { items, total } = await api('GET', `/api/v1/admin/goods?q=${encodeURIComponent(q)}&sort=newest&page=${page}&size=${PAGE_SIZE}`);
  show(
    'Goods',
    `<form id="new-goods" class="panel form">
       <label>Name <input id="goods-name" required maxlength="128"></label>
       <label>Price (yuan) <input id="goods-price" required inputmode="decimal" pattern="[0-9]+(\\.[0-9]{1,2})?"></label>
       <label>Stock <input id="goods-stock" required type="number" min="0" max="10000000" step="1"></label>
       <button class="primary" id="goods-create">Create goods</button>
     </form>
     <form id="goods-search" class="filters" role="search">
       <label>Name contains <input name="q" value="${esc(q)}" maxlength="64"></label>
       <button>Search</button>
     </form>
     ${table(
       [
         { label: 'Goods', cell: (g) => `${esc(g.name)}${g.onSale ? '' : ' <span class="status CANCELLED">off sale</span>'}` },
         { label: 'Price', cell: (g) => yuan(g.price), num: true },
         { label: 'Stock', cell: (g) => esc(g.stock), num: true },
         {
           label: 'Change',
           cell: (g) => `<form class="goods-edit form" data-id="${esc(g.goodsId)}">
               <label>Price <input name="price" size="7" inputmode="decimal" pattern="[0-9]+(\\.[0-9]{1,2})?" value="${esc(g.price)}"></label>
               <label>Add stock (negative takes away) <input name="stockDelta" type="number" step="1" value="0"></label>
               <label><span><input name="onSale" type="checkbox"${g.onSale ? ' checked' : ''}> On sale</span></label>
               <label>Reason <input name="reason" required maxlength="200"></label>
               <button>Save</button>
             </form>`,
         },
       ],
       items,
       'No goods.',
     )}
     ${pager(page, total, (p) => `#/goods?q=${encodeURIComponent(q)}&page=${p}`)}`,
  );
  $('#new-goods').addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { name: $('#goods-name').value.trim(), price: $('#goods-price').value, stock: Number($('#goods-stock').value) };
    void act($('#goods-create'), () => api('POST', '/api/v1/admin/goods', body), `${body.name} created.`);
  });
  $('#goods-search').addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/goods?q=${encodeURIComponent(new FormData(event.target).get('q'))}`;
  });
  for (const form of document.querySelectorAll('.goods-edit')) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const fields = new FormData(form);
      const body = { price: fields.get('price'), onSale: fields.get('onSale') === 'on', stockDelta: Number(fields.get('stockDelta')), reason: fields.get('reason') };
      // One key per change: a repeat of this very request (a lost answer) changes nothing twice.
      const key = crypto.randomUUID();
      void act($('button', form), () => call('PATCH', `/api/v1/admin/goods/${form.dataset.id}`, body, { 'idempotency-key': key }), 'Goods saved.');
    });
  }
}

async function usersView() {
  show(
    'Users',
    `<form id="balance" class="panel form">
       <label>User id <input id="balance-user" required inputmode="numeric"></label>
       <label>Add to balance (yuan) <input id="balance-amount" required inputmode="decimal" pattern="[0-9]+(\\.[0-9]{1,2})?"></label>
       <button class="primary" id="balance-submit">Add balance</button>
     </form>
     <form id="coupon" class="panel form">
       <label>User id <input id="coupon-user" required inputmode="numeric"></label>
       <label>Coupon value (yuan) <input id="coupon-amount" required inputmode="decimal" pattern="[0-9]+(\\.[0-9]{1,2})?"></label>
       <button class="primary" id="coupon-submit">Grant coupon</button>
     </form>`,
  );
  $('#balance').addEventListener('submit', (event) => {
    event.preventDefault();
    const userId = $('#balance-user').value.trim();
    void act($('#balance-submit'), () => api('POST', `/api/v1/admin/users/${userId}/balance`, { amount: $('#balance-amount').value }), `Balance of user ${userId} raised.`);
  });
  $('#coupon').addEventListener('submit', (event) => {
    event.preventDefault();
    const userId = $('#coupon-user').value.trim();
    void act($('#coupon-submit'), () => api('POST', `/api/v1/admin/users/${userId}/coupons`, { amount: $('#coupon-amount').value }), `Coupon granted to user ${userId}.`);
  });
}

async function reconciliationView() {
  const date = queryOf().get('date');
  const report = date ? await payApi('GET', `/api/v1/admin/reconciliation?date=${date}`) : undefined;
  show(
    'Reconciliation',
    `<form id="reconcile" class="filters">
       <label>Day (China time, as Alipay's bill) <input id="reconcile-date" type="date" required value="${esc(date ?? day(-1))}"></label>
       <button class="primary">Reconcile</button>
     </form>
     ${
       report
         ? `<p id="reconcile-summary">${esc(report.date)}: ${report.matched} payment(s) matched, ${report.differences.length} difference(s).</p>
            ${table(
              [
                { label: 'Trade', cell: (d) => esc(d.outTradeNo) },
                { label: 'Difference', cell: (d) => esc(d.type) },
                { label: 'Shop', cell: (d) => yuan(d.localAmount), num: true },
                { label: 'Alipay', cell: (d) => yuan(d.alipayAmount), num: true },
                { label: 'Action', cell: (d) => esc(d.action) },
              ],
              report.differences,
              'No difference: the shop and Alipay agree.',
            )}`
         : ''
     }`,
  );
  $('#reconcile').addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/reconciliation?date=${$('#reconcile-date').value}`;
  });
}

// ---------- router ----------

const ROUTES = [
  [/^\/?$/, dashboardView],
  [/^\/orders$/, ordersView],
  [/^\/orders\/(\d+)$/, orderView],
  [/^\/after-sales$/, afterSalesView],
  [/^\/refunds$/, refundsView],
  [/^\/goods$/, goodsView],
  [/^\/users$/, usersView],
  [/^\/reconciliation$/, reconciliationView],
];

async function route() {
  if (!session.token || roleOf(session.token) !== 'ADMIN') {
    $('#nav').hidden = true;
    return signInView();
  }
  $('#nav').hidden = false;
  const path = location.hash.slice(1).split('?')[0];
  const found = ROUTES.map(([pattern, render]) => [path.match(pattern), render]).find(([match]) => match);
  if (!found) return show('Not found', '<p>This page does not exist. <a href="#/">Back to the dashboard</a>.</p>');
  try {
    return await found[1](...found[0].slice(1));
  } catch (error) {
    show('Something went wrong', `<p>${esc(explain(error))}</p><button id="retry" type="button">Try again</button>`);
    return $('#retry').addEventListener('click', () => void route());
  }
}

$('#sign-out').addEventListener('click', () => {
  signOut();
  void route();
});
window.addEventListener('hashchange', () => {
  say('');
  void route();
});
void route();
