/**
 * The admin console (/admin of order-web) in headless Chromium at both viewports: a day of the
 * shop run from the console alone (goods created, a paid order shipped, an after-sales request
 * approved and refunded, the day reconciled, the dashboard read), checked in the services'
 * tables, with every page scanned by axe and never wider than the window.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { eventually } from '../../../common/test/support/infra';
import { expectAccessible, expectNoSidewaysScroll, VIEWPORTS, withBrowser } from './support/browser';
import { adminLogin, BASE_URL, call, newCustomer, placeOrder, uniqueName } from './support/shop-api';
import { SystemState } from './support/system-state';

const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin123';
const ADMIN_USERNAME = process.env.ADMIN_USERNAME ?? 'admin';

for (const viewport of VIEWPORTS) {
  describe(`admin console (${viewport.name}, ${viewport.width}x${viewport.height})`, function () {
    this.timeout(180_000);
    const browser = withBrowser({ viewport, prefix: `admin-${viewport.name}-` });
    let state: SystemState;
    before(async () => {
      state = await SystemState.open();
    });
    after(async () => {
      await state?.close();
    });

    /** The page is usable: no axe violation that matters, nothing wider than the window. */
    async function checkPage(page: Page, label: string): Promise<void> {
      await expectAccessible(page, label);
      await expectNoSidewaysScroll(page, label);
      await browser.shot(label);
    }

    async function signIn(page: Page): Promise<void> {
      await page.goto(`${BASE_URL}/admin/`);
      await page.fill('#username', ADMIN_USERNAME);
      await page.fill('#password', ADMIN_PASSWORD);
      await page.click('#signin-submit');
      await page.waitForSelector('h1:text-is("Dashboard")');
    }

    it('runs a day of the shop: goods created, an order shipped, an after-sales refund approved, the day reconciled', async () => {
      const { page } = browser;
      page.on('dialog', (dialog) => void dialog.accept());
      await signIn(page);
      assert.equal(await page.title(), 'Dashboard · Shop admin');
      assert.ok(await page.evaluate(() => typeof (globalThis as unknown as { Chart?: unknown }).Chart === 'function'), 'Chart.js is served locally');
      await page.waitForSelector('#chart-orders');
      await checkPage(page, '1-dashboard');

      // Goods: created from the console.
      const name = uniqueName('Teapot ');
      await page.click('nav a[href="#/goods"]');
      await page.fill('#goods-name', name);
      await page.fill('#goods-price', '88.00');
      await page.fill('#goods-stock', '3');
      await page.click('#goods-create');
      await page.waitForSelector(`#message:has-text("${name} created.")`);
      await checkPage(page, '2-goods');
      const listed = await call('GET', `/api/v1/goods?q=${encodeURIComponent(name)}`);
      const goodsId = listed.body.items[0].goodsId as string;
      assert.equal(await state.stock(goodsId), 3);
      // A delivery: 5 more, with the reason kept in the goods' change log.
      await page.fill('#goods-search input[name="q"]', name);
      await page.click('#goods-search button');
      const edit = `.goods-edit[data-id="${goodsId}"]`;
      await page.waitForSelector(edit);
      await page.fill(`${edit} input[name="stockDelta"]`, '5');
      await page.fill(`${edit} input[name="reason"]`, 'delivery from the kiln');
      await page.click(`${edit} button`);
      await page.waitForSelector('#message:has-text("Goods saved.")');
      assert.equal(await state.stock(goodsId), 8);
      assert.deepEqual(
        (await state.goodsChanges(goodsId)).map((entry) => [entry.reason, entry.changes]),
        [['delivery from the kiln', { stock: [3, 8] }]],
      );

      // A customer buys it with their balance (98.00 with shipping): PAID at once.
      const admin = (await adminLogin()).token;
      const customer = await newCustomer(admin, { balance: '98.00' });
      const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '98.00' });
      assert.equal(placed.body.status, 'PAID', JSON.stringify(placed.body));
      const orderId = placed.body.orderId as string;

      // Orders: filtered to the customer's paid orders, selected and shipped.
      await page.click('nav a[href="#/orders"]');
      await page.selectOption('select[name="status"]', 'PAID');
      await page.fill('input[name="userId"]', customer.userId);
      await page.click('#order-filters button');
      await page.waitForSelector(`a[href="#/orders/${orderId}"]`);
      await checkPage(page, '3-orders');
      await page.check(`.pick[value="${orderId}"]`);
      await page.click('#ship-selected');
      await page.waitForSelector('#message:has-text("1 order(s) shipped.")');
      assert.equal((await state.order(orderId))?.status, 'SHIPPED');

      await page.goto(`${BASE_URL}/admin/#/orders/${orderId}`);
      await page.waitForSelector('#order-status:text-is("SHIPPED")', { state: 'attached' });
      assert.match((await page.textContent('.timeline')) ?? '', /PAID → SHIPPED by admin:/);
      await checkPage(page, '4-order');

      // After-sales: the customer asks, the admin approves in the queue; the refund runs.
      const asked = await call('POST', `/api/v1/orders/${orderId}/after-sales`, { token: customer.token, json: { reason: 'lid cracked', amount: '20.00' } });
      assert.equal(asked.status, 201, JSON.stringify(asked.body));
      await page.click('nav a[href="#/after-sales"]');
      await page.waitForSelector(`.decide[data-id="${asked.body.afterSalesId}"][data-decision="approve"]`);
      await checkPage(page, '5-after-sales');
      await page.fill(`.note[data-id="${asked.body.afterSalesId}"]`, 'sorry about the lid');
      await page.click(`.decide[data-id="${asked.body.afterSalesId}"][data-decision="approve"]`);
      await page.waitForSelector('#message:has-text("Approved")');
      await eventually('the refund', 60_000, async () => ((await state.afterSales(asked.body.afterSalesId))?.status === 'REFUNDED' ? true : undefined));
      assert.equal(await state.balance(customer.userId), '20.00', 'the refund went back to the balance the order was paid with');

      await page.click('nav a[href="#/refunds"]');
      await page.waitForSelector(`a[href="#/orders/${orderId}"]`);
      assert.match((await page.textContent('main')) ?? '', /SUCCEEDED/);
      await checkPage(page, '6-refunds');

      // Reconciliation of today (China time): a summary, whatever the day held.
      await page.click('nav a[href="#/reconciliation"]');
      const chinaToday = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      await page.fill('#reconcile-date', chinaToday);
      await page.click('#reconcile button');
      await page.waitForSelector('#reconcile-summary');
      assert.match((await page.textContent('#reconcile-summary')) ?? '', new RegExp(`^${chinaToday}: \\d+ payment\\(s\\) matched`));
      await checkPage(page, '7-reconciliation');

      await page.click('nav a[href="#/users"]');
      await page.fill('#balance-user', customer.userId);
      await page.fill('#balance-amount', '5.50');
      await page.click('#balance-submit');
      await page.waitForSelector('#message:has-text("raised")');
      assert.equal(await state.balance(customer.userId), '25.50');
      await checkPage(page, '8-users');
    });

    it('keeps customers out, and says so', async () => {
      const { page } = browser;
      const username = uniqueName('shopper');
      assert.equal((await call('POST', '/api/v1/auth/register', { json: { username, password: 'password-123' } })).status, 201);
      await page.goto(`${BASE_URL}/admin/`);
      await page.fill('#username', username);
      await page.fill('#password', 'password-123');
      await page.click('#signin-submit');
      await page.waitForSelector('#message:has-text("not an admin")');
      assert.equal(await page.isHidden('#nav'), true);
      await checkPage(page, '0-signin-refused');
    });
  });
}
