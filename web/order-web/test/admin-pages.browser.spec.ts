/**
 * The rest of the admin console at both viewports: the dashboard (charts drawn, the same numbers
 * in a table, low stock linked), the after-sales queue (a rejection needs a note and is asked
 * first, Escape answers no, a request decided elsewhere meanwhile), refunds by status, a
 * reconciliation with a difference in Alipay's bill (and, from a report given to the page, each
 * difference's channel and the channels not billed yet), and what the admin reads when the shop
 * cannot be reached, a service fails or the session ends. Axe and no sideways scrolling on
 * every page.
 */
import assert from 'node:assert/strict';
import { eventually } from '../../../common/test/support/infra';
import { hasFocus, VIEWPORTS, withBrowser, writeStorage } from './support/browser';
import {
  ADMIN_PASSWORD,
  ADMIN_USERNAME,
  answerConfirm,
  chinaToday,
  checkPage,
  CONSOLE,
  fieldSays,
  open,
  saysError,
  saysInfo,
  signedInAdmin,
  waitForHash,
  waitForHeading,
} from './support/admin-console';
import { withSystem } from './support/end-to-end';
import { call, newCustomer, newGoods, placeOrder, uniqueName } from './support/shop-api';
import type { SystemState } from './support/system-state';

const GATEWAY = `http://127.0.0.1:${process.env.ALIPAY_GATEWAY_PORT ?? 7009}`;

for (const viewport of VIEWPORTS) {
  describe(`admin console: dashboard, after-sales, refunds, reconciliation, failures (${viewport.name}, ${viewport.width}x${viewport.height})`, function () {
    this.timeout(120_000);
    const browser = withBrowser({ viewport, prefix: `admin-pages-${viewport.name}-` });
    let admin: string;
    let state: SystemState;
    withSystem((system) => {
      admin = system.admin.token;
      state = system.state;
    });

    /** A customer's order paid by balance (15.00), shipped unless asked otherwise. */
    async function paidOrder(ship = true) {
      const goodsId = await newGoods(admin, '5.00', 9);
      const customer = await newCustomer(admin, { balance: '15.00' });
      const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '15.00' });
      assert.equal(placed.body.status, 'PAID', JSON.stringify(placed.body));
      if (ship) assert.equal((await call('POST', `/api/v1/admin/orders/${placed.body.orderId}/ship`, { token: admin })).status, 200);
      return { customer, goodsId, orderId: placed.body.orderId as string };
    }

    async function askAfterSales(token: string, orderId: string, reason: string): Promise<string> {
      const asked = await call('POST', `/api/v1/orders/${orderId}/after-sales`, { token, json: { reason } });
      assert.equal(asked.status, 201, JSON.stringify(asked.body));
      return asked.body.afterSalesId;
    }

    it('dashboard: charts drawn from the shop’s numbers, the same numbers by day in a table, low stock linked', async () => {
      const { page } = browser;
      await paidOrder(false);
      await signedInAdmin(page, admin);
      await open(page, '#/', 'Dashboard');
      await page.waitForSelector('#chart-orders');
      const drawn = await page.evaluate(() => {
        const { Chart, document } = globalThis as unknown as {
          Chart: { getChart(canvas: unknown): { data: { datasets: unknown[] } } | undefined };
          document: { querySelectorAll(css: string): ArrayLike<unknown> };
        };
        return Array.from(document.querySelectorAll('.chart canvas')).map((canvas) => Chart.getChart(canvas)?.data.datasets.length ?? 0);
      });
      assert.deepEqual(drawn, [4, 1, 1, 3], 'four charts, each with its series');
      // The table holds the charts' numbers: its columns add up to the cards.
      await page.click('#day-numbers summary');
      const column = async (label: string) =>
        (await page.locator(`#day-numbers td[data-label="${label}"]`).allTextContents()).reduce((sum, text) => sum + Number(text.replace(/[¥,]/g, '')), 0);
      assert.equal(await column('Placed'), Number(await page.textContent('#kpi-placed')));
      assert.ok((await column('Placed')) >= 1);
      assert.equal((await column('Revenue')).toFixed(2), (await page.textContent('#kpi-revenue'))!.replace(/[¥,]/g, ''));
      assert.equal(await page.locator('#day-numbers tbody tr').count(), 30);
      await checkPage(page, viewport, 'dashboard-numbers');
      const low = Number(await page.textContent('#kpi-low'));
      assert.equal(await page.locator('#low-stock-table tbody tr').count(), low);
      if (low > 0) {
        const first = page.locator('#low-stock-table a').first();
        const name = (await first.textContent())!;
        await first.click();
        await waitForHeading(page, name);
      }
    });

    it('after-sales: a rejection needs a note and is asked first (Escape is no); a request decided elsewhere meanwhile says so; refunds by status', async () => {
      const { page } = browser;
      const first = await paidOrder();
      const second = await paidOrder();
      const rejectId = await askAfterSales(first.customer.token, first.orderId, 'colour not as pictured');
      const approveId = await askAfterSales(second.customer.token, second.orderId, 'arrived broken');
      await signedInAdmin(page, admin);
      await open(page, '#/after-sales', 'After-sales requests');
      const reject = `.decide[data-id="${rejectId}"][data-decision="reject"]`;
      await page.waitForSelector(reject);
      assert.equal(await page.getAttribute('.tabs a[aria-current]', 'href'), '#/after-sales?status=OPEN');

      await page.click(reject);
      await fieldSays(page, `#note-${rejectId}`, 'Say why it is rejected: the customer reads it.');
      await page.fill(`#note-${rejectId}`, 'the colour matches the picture');
      await page.click(reject);
      await page.waitForSelector('dialog#confirm[open]');
      await page.keyboard.press('Escape');
      await page.waitForSelector('dialog#confirm:not([open])', { state: 'attached' });
      assert.ok(await hasFocus(page, reject), 'the focus is back on Reject');
      assert.equal((await state.afterSales(rejectId))?.status, 'OPEN');
      await page.click(reject);
      assert.match(await answerConfirm(page, 'yes'), new RegExp(`Reject this request\\? Order ${first.orderId}`));
      await saysInfo(page, `Rejected: order ${first.orderId}.`);
      assert.deepEqual(await state.afterSales(rejectId), { status: 'REJECTED', refund_id: null, note: 'the colour matches the picture' });

      // Approved from another tab meanwhile: rejecting it in this one is refused, in words.
      assert.equal((await call('POST', `/api/v1/admin/after-sales/${approveId}/approve`, { token: admin, json: { note: 'sorry' } })).status, 200);
      await page.fill(`#note-${approveId}`, 'no');
      await page.click(`.decide[data-id="${approveId}"][data-decision="reject"]`);
      await answerConfirm(page, 'yes');
      await saysError(page, 'This request has been decided already.');
      await checkPage(page, viewport, 'after-sales-decided');

      await page.click('.tabs a[href="#/after-sales?status=REJECTED"]');
      await page.locator('#view table', { hasText: 'the colour matches the picture' }).waitFor();
      await checkPage(page, viewport, 'after-sales-rejected');

      await eventually('the refund', 60_000, async () => ((await state.afterSales(approveId))?.status === 'REFUNDED' ? true : undefined));
      await page.click('nav a[href="#/refunds"]');
      await page.click('.tabs a[href="#/refunds?status=SUCCEEDED"]');
      // The view of every refund also names this order: wait for the SUCCEEDED view to be drawn.
      await page.waitForSelector('.tabs a[aria-current][href="#/refunds?status=SUCCEEDED"]');
      await page.waitForSelector(`#refunds-table a[href="#/orders/${second.orderId}"]`);
      const statuses = await page.locator('#refunds-table td[data-label="Status"]').allTextContents();
      assert.ok(statuses.length > 0 && statuses.every((s) => s === 'SUCCEEDED'), statuses.join());
      await checkPage(page, viewport, 'refunds-succeeded');
    });

    it("reconciliation: a difference in Alipay's bill named in words, the days around, no day that has not ended", async () => {
      const { page } = browser;
      const trade = uniqueName('console-');
      const day = '2020-01-02';
      const tampered = await fetch(`${GATEWAY}/sandbox/bills/${day}/tamper`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ add: [{ outTradeNo: trade, amount: '12.34' }] }),
      });
      assert.equal(tampered.status, 200);
      await signedInAdmin(page, admin);
      await open(page, '#/reconciliation', 'Reconciliation');
      const tomorrow = new Date(Date.parse(`${chinaToday()}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      await page.fill('#reconcile-date', tomorrow);
      await page.click('#reconcile-submit');
      await fieldSays(page, '#reconcile-date', 'This day has not ended yet in China');
      await page.fill('#reconcile-date', day);
      await page.click('#reconcile-submit');
      await page.locator('#reconcile-summary', { hasText: /^2020-01-02: \d+ payments? matched, \d+ differences?\.$/ }).waitFor();
      const row = page.locator('#differences tbody tr', { hasText: trade });
      assert.match((await row.textContent()) ?? '', /In Alipay's bill, not in the shop\s*—\s*¥12\.34\s*not a payment of this shop/);
      await checkPage(page, viewport, 'reconciliation-difference');
      await page.click('a:text-is("Day after")');
      await waitForHash(page, /date=2020-01-03$/);
      await page.locator('#reconcile-summary', { hasText: '2020-01-03:' }).waitFor();
    });

    it('reconciliation names the channel of each difference, and the channels whose bill of the day is not there yet', async () => {
      const { page } = browser;
      const day = '2021-03-04';
      // pay-web's report as it answers since the channels (its numbers are not the point here: the page's words are).
      const report = {
        date: day,
        matched: 3,
        differences: [
          { type: 'LOCAL_ONLY', channel: 'WECHAT_NATIVE', outTradeNo: '388000000000000001', localAmount: '20.00', alipayAmount: '', action: '' },
          {
            type: 'THIRD_PARTY_ONLY',
            channel: 'ALIPAY_QR',
            outTradeNo: 'STRANGER-7',
            localAmount: '',
            alipayAmount: '9.99',
            action: 'not a payment of this shop',
          },
        ],
        unbilledChannels: ['WECHAT_NATIVE'],
      };
      await page.route(
        (url) => url.pathname === '/api/v1/admin/reconciliation',
        async (route, request) => {
          if (request.method() !== 'GET') return route.continue();
          const origin = request.headers().origin;
          await route.fulfill({
            status: 200,
            contentType: 'application/json',
            headers: origin ? { 'access-control-allow-origin': origin } : {},
            body: JSON.stringify(report),
          });
        },
      );
      await signedInAdmin(page, admin);
      await open(page, `#/reconciliation?date=${day}`, 'Reconciliation');
      await page.locator('#reconcile-summary', { hasText: `${day}: 3 payments matched, 2 differences.` }).waitFor();
      assert.match(
        (await page.textContent('#reconcile-unbilled')) ?? '',
        /^Not compared yet: WeChat Pay has no bill of this day yet .* Reconcile this day again later\.$/,
      );
      assert.deepEqual(await page.locator('#differences td[data-label="Channel"]').allTextContents(), ['WeChat Pay', 'Alipay']);
      const wechat = page.locator('#differences tbody tr', { hasText: '388000000000000001' });
      assert.match((await wechat.textContent()) ?? '', /WeChat Pay\s*In the shop, not in WeChat Pay's bill\s*¥20\.00\s*—/);
      const alipay = page.locator('#differences tbody tr', { hasText: 'STRANGER-7' });
      assert.match((await alipay.textContent()) ?? '', /Alipay\s*In Alipay's bill, not in the shop\s*—\s*¥9\.99\s*not a payment of this shop/);
      await checkPage(page, viewport, 'reconciliation-channels');
    });

    it('says what happened when the shop cannot be reached, a service fails or the session ends, and offers to try again', async () => {
      const { page } = browser;
      const { orderId } = await paidOrder(false);
      // The token stored once (not at every page load, as signedInAdmin does): this test replaces it.
      await page.goto(CONSOLE);
      await writeStorage(page, { 'shop.admin.token': admin });

      // No answer at all: the page says so instead of "Loading…", and loads once the network is back.
      await page.route('**/api/v1/admin/refunds**', (route) => route.abort('internetdisconnected'));
      await page.goto(`${CONSOLE}#/refunds`);
      await page.reload(); // the console reads its token when it loads
      await waitForHeading(page, 'This page could not be loaded');
      await saysError(page, 'The shop cannot be reached. Check the connection and try again.');
      await checkPage(page, viewport, 'unreachable');
      await page.unroute('**/api/v1/admin/refunds**');
      await page.click('.error-box button:text-is("Try again")');
      await waitForHeading(page, 'Refunds');

      // A 503 on Ship: said next to the button with Try again, which ships once the service is back.
      await page.route('**/api/v1/admin/orders/*/ship', (route) =>
        route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'UNAVAILABLE', message: 'order service unavailable' }) }),
      );
      await open(page, `#/orders/${orderId}`, `Order ${orderId}`);
      await page.click('#ship');
      await answerConfirm(page, 'yes');
      await saysError(page, 'A service is busy or restarting. Try again in a moment.');
      assert.equal((await state.order(orderId))?.status, 'PAID');
      await page.unroute('**/api/v1/admin/orders/*/ship');
      await page.click('.error-box button:text-is("Try again")');
      await answerConfirm(page, 'yes');
      await saysInfo(page, 'Order shipped.');
      assert.equal((await state.order(orderId))?.status, 'SHIPPED');

      // A token the server no longer takes: back to the sign-in, then to the page the admin was on.
      const forged = ['{"alg":"HS256","typ":"JWT"}', JSON.stringify({ username: 'admin', role: 'ADMIN', sub: '1', exp: 4_102_444_800 })]
        .map((part) => Buffer.from(part).toString('base64url'))
        .concat('c2lnbmF0dXJl')
        .join('.');
      await writeStorage(page, { 'shop.admin.token': forged });
      await page.goto(`${CONSOLE}#/refunds?status=FAILED`);
      await page.reload();
      await waitForHeading(page, 'Sign in');
      await page.locator('.notice', { hasText: 'Your session has ended. Please sign in again.' }).waitFor();
      await page.fill('#username', ADMIN_USERNAME);
      await page.fill('#password', 'not the password');
      await page.click('#signin-submit');
      await saysError(page, 'Wrong username or password.');
      await checkPage(page, viewport, 'signin-wrong');
      await page.fill('#password', ADMIN_PASSWORD);
      await page.click('#signin-submit');
      await waitForHeading(page, 'Refunds');
      assert.equal(await page.getAttribute('.tabs a[aria-current]', 'href'), '#/refunds?status=FAILED');
    });
  });
}
