/**
 * Paying in the storefront, at 1280x800 and 390x844 in headless Chromium against the running
 * system (the test profile gives an order 20 s to be paid): the QR code of a started payment is
 * drawn again after a reload (pay-web answers the same payment), a countdown runs to its expiry
 * without telling screen readers every second, and when the time is up the page says so and the
 * server cancels the order. Screenshots in test-artifacts/storefront/ (desktop-* and phone-*).
 */
import assert from 'node:assert/strict';
import type { Page, Response } from 'playwright-core';
import { checkPage, expectFocusedInView, namedGoods, readStorage, signedIn, stockIs, VIEWPORTS, withStorefront } from './support/browser';
import { BASE_URL, newCustomer, placeOrder } from './support/shop-api';
import type { SystemState } from './support/system-state';

/** The answers of pay-web to the page's POST /api/v1/payments. */
function paymentAnswers(page: Page): Promise<{ paymentId: string; qrCode: string; expiresAt: string }>[] {
  const answers: Promise<{ paymentId: string; qrCode: string; expiresAt: string }>[] = [];
  page.on('response', (response: Response) => {
    const request = response.request();
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/payments') answers.push(response.json());
  });
  return answers;
}

/** The seconds the countdown shows (m:ss). */
async function secondsLeft(page: Page): Promise<number> {
  const [minutes, seconds] = ((await page.textContent('#pay-countdown')) ?? '').split(':').map(Number);
  return minutes! * 60 + seconds!;
}

/** Records every change of the countdown's live region from now on (read with {@link liveChanges}). */
async function watchLiveRegion(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.liveChanges = [];
    const region = document.querySelector('#pay-countdown-said');
    new MutationObserver(() => window.liveChanges.push(region.textContent)).observe(region, { childList: true, characterData: true, subtree: true });
  })()`);
}

const liveChanges = (page: Page) => page.evaluate('window.liveChanges') as Promise<string[]>;

for (const viewport of VIEWPORTS) {
  describe(`storefront payment at ${viewport.width}x${viewport.height} (${viewport.name})`, function () {
    this.timeout(120_000);
    const session = withStorefront({ viewport, prefix: `${viewport.name}-` });
    const page = () => session.page;
    let admin: string;
    let state: SystemState;
    beforeEach(() => ({ admin, state } = session));

    it('the QR code of a started payment comes back after a reload with a countdown; when the time is up the page says so and the order is cancelled', async () => {
      const kettle = await namedGoods(admin, 'Kettle', '60.00', 3);
      const customer = await newCustomer(admin);
      const order = (await placeOrder(customer.token, { items: [{ goodsId: kettle.goodsId, quantity: 1 }] })).body;
      assert.equal(order.status, 'CONFIRMED');
      const deadline = Date.parse(order.payDeadline);
      await signedIn(session.context, customer.token);
      const answers = paymentAnswers(page());
      await page().goto(`${BASE_URL}/#/orders/${order.orderId}`);
      await page().waitForSelector('#order-status[data-status="CONFIRMED"]');

      // Before paying: the deadline and the time left, no QR code.
      const shown = await secondsLeft(page());
      assert.ok(shown > 5 && shown <= 20, `${shown} s left shown`);
      assert.equal(await page().locator('#qr-image').count(), 0);
      assert.equal(await readStorage(page(), 'shop.payments'), null);

      await page().click('#pay-button');
      await page().waitForSelector('#qr-image');
      await expectFocusedInView(page(), '#payment-title');
      const cashier = await page().getAttribute('#cashier-link', 'href');
      const remembered = JSON.parse((await readStorage(page(), 'shop.payments')) ?? '{}') as Record<string, string>;
      assert.deepEqual(Object.keys(remembered), [order.orderId]);
      await checkPage(session, 'order with the QR code and the countdown', 'pay-1-qr-countdown');

      // A reload: the same payment is asked for again, and drawn again; no Pay button meanwhile.
      await page().reload();
      await page().waitForSelector('#qr-image');
      assert.equal(await page().getAttribute('#cashier-link', 'href'), cashier, 'the same QR code');
      assert.ok(await page().isHidden('#pay-button'));
      const [first, again] = await Promise.all(answers);
      assert.equal(answers.length, 2);
      assert.deepEqual(
        [again!.paymentId, again!.qrCode, again!.expiresAt],
        [first!.paymentId, first!.qrCode, first!.expiresAt],
        'pay-web answers the same payment',
      );
      assert.equal(Date.parse(first!.expiresAt), deadline, 'the trade expires at the pay deadline');

      // The countdown runs every second; the live region says nothing meanwhile.
      await watchLiveRegion(page());
      const before = await secondsLeft(page());
      await page().waitForTimeout(2_500);
      const after = await secondsLeft(page());
      assert.ok(after <= before - 2 && after >= before - 3, `${before} s then ${after} s`);
      assert.deepEqual(await liveChanges(page()), [], 'no announcement every second');
      assert.equal(await page().getAttribute('#pay-countdown', 'role'), 'timer');
      assert.equal(await page().getAttribute('#pay-countdown-said', 'aria-live'), 'polite');

      // Time is up: said once, politely; the QR code and the Pay button go; the server cancels the order.
      await page().waitForSelector('#pay-deadline[data-state="up"]', { timeout: 30_000 });
      assert.deepEqual(await liveChanges(page()), ['The time to pay is up: the order is being cancelled, and everything it took is given back.']);
      assert.ok(Date.now() >= deadline - 1_000, 'not before the deadline');
      assert.equal(await page().locator('#qr-image').count(), 0);
      assert.ok(await page().isHidden('#pay-button'));
      assert.equal(await readStorage(page(), 'shop.payments'), null, 'the browser forgets the payment');
      await checkPage(session, 'time to pay is up', 'pay-2-time-up');

      await page().waitForSelector('#order-status[data-status="CANCELLED"]', { timeout: 30_000 });
      assert.match((await page().textContent('#message')) ?? '', /The order is now: Cancelled/);
      assert.equal(await page().locator('#pay-countdown, #qr-image').count(), 0);
      await checkPage(session, 'cancelled at the deadline', 'pay-3-cancelled');
      assert.equal((await state.order(order.orderId))?.status, 'CANCELLED');
      assert.equal((await state.paymentOfOrder(order.orderId))?.status === 'PAID', false);
      await stockIs(state, kettle.goodsId, 3);

      // Reloaded afterwards, the cancelled order asks for no payment.
      await page().reload();
      await page().waitForSelector('#order-status[data-status="CANCELLED"]');
      assert.equal(answers.length, 2);
    });

    it('paid from the QR code brought back by a reload: the order turns PAID and the browser forgets the payment', async () => {
      const mug = await namedGoods(admin, 'Mug', '25.00', 3);
      const customer = await newCustomer(admin);
      const order = (await placeOrder(customer.token, { items: [{ goodsId: mug.goodsId, quantity: 1 }] })).body;
      await signedIn(session.context, customer.token);
      await page().goto(`${BASE_URL}/#/orders/${order.orderId}`);
      await page().click('#pay-button');
      await page().waitForSelector('#qr-image');
      await page().reload();
      await page().waitForSelector('#qr-image');

      const [cashier] = await Promise.all([session.context.waitForEvent('page'), page().click('#cashier-link')]);
      await cashier.waitForSelector('#pay');
      await cashier.click('#pay');
      await cashier.waitForSelector('#status:text-is("TRADE_SUCCESS")');
      await cashier.close();
      await page().waitForSelector('#order-status[data-status="PAID"]', { timeout: 30_000 });
      assert.equal(await page().locator('#pay-countdown, #qr-image, #pay-button').count(), 0);
      assert.equal(await readStorage(page(), 'shop.payments'), null);
      assert.equal((await state.order(order.orderId))?.status, 'PAID');
    });
  });
}
