/**
 * The admin console (/admin of order-web) in headless Chromium at both viewports: a day of the
 * shop run from the console alone (goods created, a paid order shipped, an after-sales request
 * approved and refunded, the day reconciled, the dashboard read), checked in the services'
 * tables, with every page scanned by axe and never wider than the window. Screenshots in
 * test-artifacts/admin/.
 */
import assert from 'node:assert/strict';
import { eventually } from '../../../common/test/support/infra';
import { VIEWPORTS, withBrowser } from './support/browser';
import { answerConfirm, chinaToday, checkPage, CONSOLE, imageShown, makePng, saysInfo, signIn, waitForHeading } from './support/admin-console';
import { adminLogin, call, newCustomer, placeOrder, uniqueName } from './support/shop-api';
import { SystemState } from './support/system-state';

for (const viewport of VIEWPORTS) {
  describe(`admin console: a day of the shop (${viewport.name}, ${viewport.width}x${viewport.height})`, function () {
    this.timeout(180_000);
    const browser = withBrowser({ viewport, prefix: `admin-${viewport.name}-` });
    let state: SystemState;
    before(async () => {
      state = await SystemState.open();
    });
    after(async () => {
      await state?.close();
    });

    it('runs a day of the shop: goods created, an order shipped, an after-sales refund approved, the day reconciled', async () => {
      const { page } = browser;
      await signIn(page);
      await waitForHeading(page, 'Dashboard');
      assert.equal(await page.title(), 'Dashboard · Shop admin');
      assert.ok(await page.evaluate(() => typeof (globalThis as unknown as { Chart?: unknown }).Chart === 'function'), 'Chart.js is served locally');
      await page.waitForSelector('#chart-orders');
      await checkPage(page, viewport, '01-dashboard');

      // Goods: created from the console, in a new category, with a picture.
      const name = uniqueName('Teapot ');
      const categoryName = uniqueName('Teaware ');
      await page.click('nav a[href="#/goods"]');
      await waitForHeading(page, 'Goods');
      await page.click('#goods-new');
      await waitForHeading(page, 'New goods');
      await page.fill('#goods-name', name);
      await page.fill('#goods-price', '88.00');
      await page.fill('#goods-stock', '3');
      await page.fill('#goods-category-new', categoryName);
      await page.fill('#goods-description', 'A celadon teapot, 600 ml.');
      await page.setInputFiles('#goods-image-file', { name: 'teapot.png', mimeType: 'image/png', buffer: makePng() });
      await page.waitForSelector('#goods-image-preview:not([hidden])');
      await checkPage(page, viewport, '02-goods-new');
      await page.click('#goods-create');
      await saysInfo(page, `${name} created`);
      await waitForHeading(page, name);
      const goodsId = /#\/goods\/(\d+)$/.exec(page.url())![1]!;
      assert.equal(await state.stock(goodsId), 3);
      assert.equal(await page.textContent('#goods-category-now'), categoryName);
      await page.waitForSelector('#edit-image-current');
      assert.ok(await imageShown(page, '#edit-image-current'), 'the uploaded picture is served and drawn');
      const stored = (await call('GET', `/api/v1/goods/${goodsId}`)).body;
      assert.equal(stored.categoryName, categoryName);
      assert.equal(stored.description, 'A celadon teapot, 600 ml.');
      assert.match(stored.image?.small ?? '', /^\/images\/goods\/.+-small\.webp$/);
      // A delivery: 5 more, with the reason kept in the goods' change log.
      await page.fill('#edit-stock', '5');
      await page.fill('#edit-reason', 'delivery from the kiln');
      await page.click('#goods-save');
      await saysInfo(page, 'Goods saved.');
      assert.equal(await page.textContent('#goods-stock-now'), '8');
      await checkPage(page, viewport, '03-goods-edit');
      assert.equal(await state.stock(goodsId), 8);
      const changes = (await state.goodsChanges(goodsId)).map((entry) => [entry.reason, entry.changes]);
      assert.deepEqual(changes.at(-1), ['delivery from the kiln', { stock: [3, 8] }]);
      // The list, filtered by the new category: the goods with their thumbnail.
      await page.click('nav a[href="#/goods"]');
      await waitForHeading(page, 'Goods');
      const categoryId = stored.categoryId as string;
      await page.selectOption('#goods-category', categoryId);
      await page.click('#goods-search button');
      // Drawn again with the filter: the category is chosen in the page's HTML itself.
      await page.waitForSelector(`#goods-category option[value="${categoryId}"][selected]`, { state: 'attached' });
      await page.waitForSelector(`#goods-table a[href="#/goods/${goodsId}"]`);
      assert.equal(await page.locator('#goods-table tbody tr').count(), 1);
      assert.ok(await imageShown(page, '#goods-table img.thumb'), 'the thumbnail is drawn');
      await checkPage(page, viewport, '04-goods');

      // A customer buys it with their balance (98.00 with shipping): PAID at once.
      const admin = (await adminLogin()).token;
      const customer = await newCustomer(admin, { balance: '98.00' });
      const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '98.00' });
      assert.equal(placed.body.status, 'PAID', JSON.stringify(placed.body));
      const orderId = placed.body.orderId as string;

      // Orders: filtered to the customer's paid orders, selected and shipped.
      await page.click('nav a[href="#/orders"]');
      await waitForHeading(page, 'Orders');
      await page.selectOption('#filter-status', 'PAID');
      await page.fill('#filter-user', customer.userId);
      await page.click('#filter-submit');
      await page.waitForSelector(`#orders-table a[href="#/orders/${orderId}"]`);
      await checkPage(page, viewport, '05-orders');
      await page.check(`.pick[value="${orderId}"]`);
      await page.click('#ship-selected');
      assert.match(await answerConfirm(page, 'yes'), /Ship 1 order\?/);
      await saysInfo(page, '1 order shipped.');
      assert.equal((await state.order(orderId))?.status, 'SHIPPED');

      await page.goto(`${CONSOLE}#/orders/${orderId}`);
      await waitForHeading(page, `Order ${orderId}`);
      assert.match((await page.textContent('#order-history')) ?? '', /PAID → SHIPPED by admin \d+/);
      await checkPage(page, viewport, '06-order');

      // After-sales: the customer asks, the admin approves in the queue; the refund runs.
      const asked = await call('POST', `/api/v1/orders/${orderId}/after-sales`, { token: customer.token, json: { reason: 'lid cracked', amount: '20.00' } });
      assert.equal(asked.status, 201, JSON.stringify(asked.body));
      const afterSalesId = asked.body.afterSalesId as string;
      await page.click('nav a[href="#/after-sales"]');
      await page.waitForSelector(`.decide[data-id="${afterSalesId}"][data-decision="approve"]`);
      await checkPage(page, viewport, '07-after-sales');
      await page.fill(`#note-${afterSalesId}`, 'sorry about the lid');
      await page.click(`.decide[data-id="${afterSalesId}"][data-decision="approve"]`);
      assert.match(await answerConfirm(page, 'yes'), /¥20\.00 is refunded/);
      await saysInfo(page, `Approved: the refund of order ${orderId} is under way.`);
      await eventually('the refund', 60_000, async () => ((await state.afterSales(afterSalesId))?.status === 'REFUNDED' ? true : undefined));
      assert.equal(await state.balance(customer.userId), '20.00', 'the refund went back to the balance the order was paid with');

      await page.click('nav a[href="#/refunds"]');
      await page.waitForSelector(`#refunds-table a[href="#/orders/${orderId}"]`);
      assert.match((await page.textContent('#refunds-table')) ?? '', /SUCCEEDED/);
      await checkPage(page, viewport, '08-refunds');

      // Reconciliation of today (China time): a summary, whatever the day held.
      await page.click('nav a[href="#/reconciliation"]');
      await waitForHeading(page, 'Reconciliation');
      await page.fill('#reconcile-date', chinaToday());
      await page.click('#reconcile-submit');
      await page.waitForSelector('#reconcile-summary');
      assert.match((await page.textContent('#reconcile-summary')) ?? '', new RegExp(`^${chinaToday()}: \\d+ payments? matched`));
      await checkPage(page, viewport, '09-reconciliation');

      // The dashboard counts the day's order.
      await page.click('nav a[href="#/"]');
      await page.waitForSelector('#chart-orders');
      assert.ok(Number(await page.textContent('#kpi-placed')) >= 1);

      // The customer's page: a goodwill credit with a reason, in their adjustments.
      const { username } = (await call('GET', '/api/v1/me', { token: customer.token })).body;
      await page.click('nav a[href="#/users"]');
      await waitForHeading(page, 'Users');
      await page.fill('#users-q', username);
      await page.click('#users-search button');
      await page.click(`#users-table a[href="#/users/${customer.userId}"]`);
      await waitForHeading(page, `User ${username}`);
      await page.fill('#balance-amount', '5.50');
      await page.fill('#balance-reason', 'sorry about the lid');
      await page.click('#balance-submit');
      await saysInfo(page, '¥5.50 added to the balance: ¥25.50 now.');
      assert.equal(await state.balance(customer.userId), '25.50');
      assert.match((await page.textContent('#adjustments')) ?? '', /\+¥5\.50\s*sorry about the lid/);
      await checkPage(page, viewport, '10-user');
    });

    it('keeps customers out, and says so', async () => {
      const { page } = browser;
      const username = uniqueName('shopper');
      assert.equal((await call('POST', '/api/v1/auth/register', { json: { username, password: 'password-123' } })).status, 201);
      await page.goto(CONSOLE);
      await page.fill('#username', username);
      await page.fill('#password', 'password-123');
      await page.click('#signin-submit');
      await page.locator('.error-box', { hasText: 'This account is not an admin.' }).waitFor();
      assert.equal(await page.isHidden('#nav'), true);
      await checkPage(page, viewport, '00-signin-refused');
    });
  });
}
