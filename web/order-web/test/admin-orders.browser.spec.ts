/**
 * The admin console's orders at both viewports: finding an order by its number, filters (status,
 * customer, days) and a page past the end, shipping many at once with one refused on the way
 * (the others shipped, the refused one named with why), the order's page with its history, and
 * cancelling with a reason after a confirmation (and when someone was quicker). Checked in the
 * order service's tables; axe and no sideways scrolling on every page.
 */
import assert from 'node:assert/strict';
import { eventually } from '../../../common/test/support/infra';
import { VIEWPORTS, withBrowser } from './support/browser';
import {
  answerConfirm,
  checkPage,
  fieldSays,
  open,
  saysError,
  saysInfo,
  signedInAdmin,
  waitForCount,
  waitForHash,
  waitForHeading,
} from './support/admin-console';
import { withSystem } from './support/end-to-end';
import { call, newCustomer, newGoods, placeOrder } from './support/shop-api';
import type { SystemState } from './support/system-state';

const PAY_WEB = `http://127.0.0.1:${process.env.PAY_WEB_PORT ?? 7002}`;

/** YYYY-MM-DD of the browser's (and this process's) local calendar, `offset` days from today. */
const localDay = (offset = 0) => {
  const day = new Date();
  day.setDate(day.getDate() + offset);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
};

for (const viewport of VIEWPORTS) {
  describe(`admin console: orders (${viewport.name}, ${viewport.width}x${viewport.height})`, function () {
    this.timeout(120_000);
    const browser = withBrowser({ viewport, prefix: `admin-orders-${viewport.name}-` });
    let admin: string;
    let state: SystemState;
    withSystem((system) => {
      admin = system.admin.token;
      state = system.state;
    });
    beforeEach(async () => {
      await signedInAdmin(browser.page, admin);
    });

    /** A customer with `paid` orders paid by balance and `unpaid` waiting for Alipay, of one goods. */
    async function customerWithOrders(paid: number, unpaid = 0) {
      const goodsId = await newGoods(admin, '5.00', 50);
      const customer = await newCustomer(admin, paid ? { balance: `${15 * paid}.00` } : {});
      const paidIds: string[] = [];
      for (let i = 0; i < paid; i++) {
        const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '15.00' });
        assert.equal(placed.body.status, 'PAID', JSON.stringify(placed.body));
        paidIds.push(placed.body.orderId);
      }
      const unpaidIds: string[] = [];
      for (let i = 0; i < unpaid; i++) {
        const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] });
        assert.equal(placed.status, 201, JSON.stringify(placed.body));
        unpaidIds.push(placed.body.orderId);
      }
      return { customer, goodsId, paidIds, unpaidIds };
    }

    /** The customer has the whole of a paid, unshipped order refunded (pay-web): it turns REFUNDED. */
    async function refundWhole(token: string, orderId: string): Promise<void> {
      const response = await fetch(`${PAY_WEB}/api/v1/orders/${orderId}/refund`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'changed my mind' }),
      });
      // 201 once it succeeded, 202 while a step waits (the points of a fresh order not added yet): the shop finishes it.
      assert.ok([201, 202].includes(response.status), `${response.status} ${await response.text()}`);
      await eventually('the order refunded', 30_000, async () => ((await state.order(orderId))?.status === 'REFUNDED' ? true : undefined));
    }

    it('finds an order by its number, filters by status, customer and day, and never shows a page past the end', async () => {
      const { page } = browser;
      const { customer, paidIds, unpaidIds } = await customerWithOrders(2, 1);
      const { username } = (await call('GET', '/api/v1/me', { token: customer.token })).body;
      // The customer by their username (case aside): the list is theirs, the field shows their id.
      await open(page, '#/orders', 'Orders');
      await page.fill('#filter-user', username.toUpperCase());
      await page.click('#filter-submit');
      await waitForHash(page, new RegExp(`userId=${customer.userId}$`));
      await waitForCount(page, '#orders-table tbody tr', 3);
      assert.equal(await page.inputValue('#filter-user'), customer.userId);

      await page.selectOption('#filter-status', 'PAID');
      await page.click('#filter-submit');
      await waitForCount(page, '#orders-table tbody tr', 2);
      for (const id of paidIds) await page.waitForSelector(`#orders-table a[href="#/orders/${id}"]`);

      // Days of the admin's calendar: today holds them, tomorrow nothing, and an upside-down range is refused.
      await page.selectOption('#filter-status', '');
      await page.fill('#filter-from', localDay(0));
      await page.fill('#filter-to', localDay(0));
      await page.click('#filter-submit');
      await waitForHash(page, /from=/);
      await waitForCount(page, '#orders-table tbody tr', 3);
      await checkPage(page, viewport, 'orders-filtered');
      await page.fill('#filter-from', localDay(1));
      await page.fill('#filter-to', localDay(1));
      await page.click('#filter-submit');
      await page.locator('#orders-table', { hasText: 'No order matches these filters.' }).waitFor();
      await page.fill('#filter-to', localDay(-1));
      await page.click('#filter-submit');
      await fieldSays(page, '#filter-to', 'This day is before the first one.');
      await page.fill('#filter-user', 'nobody-by-this-name');
      await page.fill('#filter-to', '');
      await page.click('#filter-submit');
      await fieldSays(page, '#filter-user', 'No user is named “nobody-by-this-name”.');

      // A page past the end (an old link) shows the last page.
      await open(page, `#/orders?userId=${customer.userId}&page=9999`, 'Orders');
      await waitForHash(page, /page=1$/);
      await page.locator('.pager', { hasText: 'Page 1 of 1 · 3 items' }).waitFor();

      // Find by number: digits are checked in the page, an unknown number says so, a known one opens.
      await page.fill('#find-order', 'A-17');
      await page.click('#order-find button');
      await fieldSays(page, '#find-order', 'Enter the order number: the number, digits only.');
      await page.fill('#find-order', '1234567');
      await page.click('#order-find button');
      await waitForHeading(page, 'Not found');
      await checkPage(page, viewport, 'order-not-found');
      await page.goBack();
      await waitForHeading(page, 'Orders');
      await page.fill('#find-order', unpaidIds[0]!);
      await page.click('#order-find button');
      await waitForHeading(page, `Order ${unpaidIds[0]}`);
      assert.equal(await page.textContent('#order-customer'), username);
    });

    it('ships many at once: one refunded meanwhile is named with why, the others ship', async () => {
      const { page } = browser;
      const { customer, paidIds } = await customerWithOrders(3);
      await open(page, `#/orders?status=PAID&userId=${customer.userId}`, 'Orders');
      await waitForCount(page, '#orders-table .pick', 3);

      await page.click('#ship-selected');
      await saysError(page, 'Tick the paid orders to ship first.');
      await page.check('#pick-all');
      assert.equal(await page.locator('.pick:checked').count(), 3);
      // "No" ships nothing.
      await page.click('#ship-selected');
      assert.match(await answerConfirm(page, 'no'), /Ship 3 orders\?/);
      for (const id of paidIds) assert.equal((await state.order(id))?.status, 'PAID');

      // The customer has the second one refunded meanwhile: it must not ship.
      await refundWhole(customer.token, paidIds[1]!);
      await page.click('#ship-selected');
      await answerConfirm(page, 'yes');
      await saysInfo(page, '2 orders shipped.');
      const error = await saysError(page, '1 order not shipped');
      assert.match(error, new RegExp(`Order ${paidIds[1]}: It is no longer waiting to ship`));
      assert.deepEqual(await Promise.all(paidIds.map(async (id) => (await state.order(id))?.status)), ['SHIPPED', 'REFUNDED', 'SHIPPED']);
      // The list, still filtered to PAID, has none of them left.
      await page.locator('main', { hasText: 'No order matches these filters.' }).waitFor();
      await checkPage(page, viewport, 'orders-shipped-many');

      // Each got its own history entry by the admin.
      const history = await state.statusHistory(paidIds[0]!);
      assert.deepEqual(history.map((h) => [h.from_status, h.to_status]).at(-1), ['PAID', 'SHIPPED']);
    });

    it("shows an order's money and history, and cancels an unpaid one with a reason after asking", async () => {
      const { page } = browser;
      const { unpaidIds } = await customerWithOrders(0, 2);
      const [orderId, otherId] = unpaidIds as [string, string];
      await open(page, `#/orders/${orderId}`, `Order ${orderId}`);
      assert.match((await page.textContent('#order-money')) ?? '', /Through Alipay\s*¥15\.00/);
      assert.match((await page.textContent('#order-history')) ?? '', /PENDING → CONFIRMED by the shop \(placement\)/);
      await checkPage(page, viewport, 'order-unpaid');

      await page.click('#cancel');
      await fieldSays(page, '#cancel-reason', 'Enter why the order is cancelled.');
      await page.fill('#cancel-reason', 'out of glaze, sorry');
      await page.click('#cancel');
      assert.match(await answerConfirm(page, 'no'), /cannot be undone/);
      assert.equal((await state.order(orderId))?.status, 'CONFIRMED');
      await page.click('#cancel');
      await answerConfirm(page, 'yes');
      await saysInfo(page, 'Order cancelled.');
      await page.locator('#order-status', { hasText: 'CANCELLED' }).waitFor();
      assert.match((await page.textContent('#order-history')) ?? '', /CONFIRMED → CANCELLED by admin \d+ \(out of glaze, sorry\)/);
      const row = await state.order(orderId);
      assert.equal(row?.status, 'CANCELLED');
      assert.equal(row?.cancel_reason, 'out of glaze, sorry');
      await checkPage(page, viewport, 'order-cancelled');

      // Another order, cancelled from another tab while the admin types: the page says whose reason stands.
      await open(page, `#/orders/${otherId}`, `Order ${otherId}`);
      assert.equal((await call('POST', `/api/v1/admin/orders/${otherId}/cancel`, { token: admin, json: { reason: 'customer asked' } })).status, 200);
      await page.fill('#cancel-reason', 'duplicate order');
      await page.click('#cancel');
      await answerConfirm(page, 'yes');
      await saysInfo(page, 'It had been cancelled already: “customer asked”. Your reason was not recorded.');
      assert.equal((await state.order(otherId))?.cancel_reason, 'customer asked');

      // A paid order cannot be cancelled, only shipped; refunded meanwhile, the page says so next to the button.
      const paid = await customerWithOrders(1);
      const paidId = paid.paidIds[0]!;
      await open(page, `#/orders/${paidId}`, `Order ${paidId}`);
      assert.equal(await page.locator('#cancel').count(), 0);
      await refundWhole(paid.customer.token, paidId);
      await page.click('#ship');
      await answerConfirm(page, 'yes');
      await saysError(page, 'It is no longer waiting to ship');
    });
  });
}
