/**
 * The checkout summary and the orders' pages, at 1280x800 and 390x844 in headless Chromium
 * against the running system: the cart page prices the form on the server as it changes
 * (POST /api/v1/orders/quote), says what is wrong next to the field before Place order (a coupon
 * spent meanwhile, balance too low or more than is due, a coupon worth more than the order),
 * and the order placed costs what the summary said; the customer's orders come in pages.
 * Screenshots in test-artifacts/storefront/ (desktop-* and phone-*).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  addressBook,
  checkPage,
  expectFieldError,
  expectFocusedInView,
  hasFocus,
  namedGoods,
  putInCart,
  requestsTo,
  signedIn,
  VIEWPORTS,
  withStorefront,
} from './support/browser';
import { BASE_URL, newCustomer, placeOrder } from './support/shop-api';
import type { SystemState } from './support/system-state';

/** Waits for the summary to be priced again, and answers its rows. */
async function summary(page: Page): Promise<Record<'goods' | 'shipping' | 'coupon' | 'balance' | 'pay', string>> {
  await page.waitForSelector('#quote[data-state="ready"]:not([aria-busy])');
  const row = async (name: string) => (await page.textContent(`#quote-${name}`)) ?? '';
  return { goods: await row('goods'), shipping: await row('shipping'), coupon: await row('coupon'), balance: await row('balance'), pay: await row('pay') };
}

for (const viewport of VIEWPORTS) {
  describe(`storefront checkout summary and order pages at ${viewport.width}x${viewport.height} (${viewport.name})`, function () {
    this.timeout(120_000);
    const session = withStorefront({ viewport, prefix: `${viewport.name}-` });
    const page = () => session.page;
    let admin: string;
    let state: SystemState;
    beforeEach(() => ({ admin, state } = session));

    it('the summary is priced by the server as the form changes and says at the field what Place order would refuse; the order costs what it said', async () => {
      const teapot = await namedGoods(admin, 'Teapot', '45.60', 10);
      const lamp = await namedGoods(admin, 'Lamp', '150.00', 5);
      const customer = await newCustomer(admin, { balance: '200.00', coupons: ['15.00', '500.00', '5.00'] });
      const [small, large, spent] = customer.couponIds as [string, string, string];
      await putInCart(customer.token, teapot.goodsId, 2);
      await signedIn(session.context, customer.token);
      const quotes = requestsTo(page(), 'POST', /^\/api\/v1\/orders\/quote$/);
      await page().goto(`${BASE_URL}/#/cart`);

      // 2 × 45.60 = 91.20, under 100.00: 10.00 of shipping.
      assert.deepEqual(await summary(page()), { goods: '¥91.20', shipping: '¥10.00', coupon: '−¥0.00', balance: '−¥0.00', pay: '¥101.20' });
      assert.equal(await page().textContent('#quote-said'), 'To pay with Alipay or WeChat Pay: ¥101.20.');
      assert.match((await page().textContent('#balance-hint')) ?? '', /You have ¥200\.00; this order can take up to ¥101\.20/);
      assert.deepEqual(quotes[0]?.body, { fromCart: true });

      // Nothing ticked: nothing to price, and the summary says why.
      await page().click(`#check-${teapot.goodsId}`);
      await page().waitForSelector('#quote[data-state="refused"]');
      assert.match((await page().textContent('#quote-said')) ?? '', /Tick at least one line/);
      await page().click(`#check-${teapot.goodsId}`);
      await summary(page());

      await page().selectOption('#coupon', small);
      assert.deepEqual(await summary(page()), { goods: '¥91.20', shipping: '¥10.00', coupon: '−¥15.00', balance: '−¥0.00', pay: '¥86.20' });

      // Typed key by key, priced once the customer pauses; the focus stays where she types.
      const before = quotes.length;
      await page().click('#balance');
      await page().keyboard.type('20.00', { delay: 40 });
      assert.equal((await summary(page())).pay, '¥66.20');
      assert.ok(quotes.length - before <= 2, `${quotes.length - before} quotes for 5 keys`);
      assert.deepEqual(quotes.at(-1)?.body, { fromCart: true, couponId: small, balance: '20.00' });
      assert.ok(await hasFocus(page(), '#balance'));

      // More than is due after the coupon: said at the field with how much may be used, priced without it.
      await page().fill('#balance', '100');
      assert.deepEqual(await summary(page()), { goods: '¥91.20', shipping: '¥10.00', coupon: '−¥15.00', balance: '−¥0.00', pay: '¥86.20' });
      await expectFieldError(page(), 'balance', /more than is left to pay: use at most ¥86\.20/, false);
      assert.ok(await hasFocus(page(), '#balance'), 'the message does not take the focus');
      assert.match((await page().textContent('#quote-said')) ?? '', /¥86\.20, leaving out what the notes at the fields say/);
      await checkPage(session, 'balance above what is due', 'checkout-1-balance-too-high');

      // Balance spent in another tab: 150.00 of the 200.00; the page learns it from the quote.
      const elsewhere = await placeOrder(customer.token, { items: [{ goodsId: lamp.goodsId, quantity: 1 }], balance: '150.00' });
      assert.equal(elsewhere.body.status, 'PAID');
      await page().fill('#balance', '60');
      await summary(page());
      await expectFieldError(page(), 'balance', /only ¥50\.00 of balance/, false);
      assert.match((await page().textContent('#balance-hint')) ?? '', /You have ¥50\.00/);
      await page().fill('#balance', '');
      assert.equal((await summary(page())).pay, '¥86.20');
      assert.equal(await page().locator('#balance-error').count(), 0, 'the message goes with the value it was about');

      // A coupon worth more than the order: a note, not an error; the rest is lost.
      await page().selectOption('#coupon', large);
      assert.deepEqual(await summary(page()), { goods: '¥91.20', shipping: '¥10.00', coupon: '−¥101.20', balance: '−¥0.00', pay: '¥0.00' });
      assert.match((await page().textContent('#coupon-note')) ?? '', /worth ¥500\.00, but this order takes only ¥101\.20 of it: the other ¥398\.80 is lost/);
      assert.equal(await page().getAttribute('#coupon', 'aria-invalid'), null);
      assert.match((await page().getAttribute('#coupon', 'aria-describedby')) ?? '', /\bcoupon-note\b/);
      await checkPage(session, 'coupon worth more than the order', 'checkout-2-coupon-worth-more');

      // The same in Chinese.
      await page().click('#language');
      await page().waitForSelector('#quote-heading:text-is("订单金额")');
      await summary(page());
      assert.match((await page().textContent('#coupon-note')) ?? '', /面值 ¥500\.00.*¥398\.80 将作废/);
      await checkPage(session, 'zh-CN summary', 'checkout-3-zh-CN');
      await page().click('#language');
      await page().waitForSelector('#quote-heading:text-is("Summary")');

      // A coupon chosen here and spent by another order meanwhile: the next change of the form
      // learns it, the coupon leaves the list, and the summary is priced without it.
      await page().selectOption('#coupon', spent);
      assert.equal((await summary(page())).pay, '¥96.20');
      const other = await placeOrder(customer.token, { items: [{ goodsId: teapot.goodsId, quantity: 1 }], couponId: spent });
      assert.equal(other.body.status, 'CONFIRMED');
      await page().fill('#balance', '10');
      assert.deepEqual(await summary(page()), { goods: '¥91.20', shipping: '¥10.00', coupon: '−¥0.00', balance: '−¥10.00', pay: '¥91.20' });
      await expectFieldError(page(), 'coupon', /can no longer be used/, false);
      assert.equal(await page().locator(`#coupon option[value="${spent}"]`).count(), 0);
      assert.equal(await page().inputValue('#coupon'), '');
      await checkPage(session, 'coupon spent meanwhile', 'checkout-4-coupon-spent');

      // Placed as the summary said.
      // No address in the book yet: the one typed here is checked, then saved as the default.
      await page().click('#place-order');
      await expectFieldError(page(), 'ship-recipient', /who receives the parcel/);
      await page().fill('#ship-recipient', 'Ada Shopper');
      await page().fill('#ship-phone', 'call me');
      await page().fill('#ship-region', 'Zhejiang Hangzhou Xihu');
      await page().fill('#ship-line', '1 Browser Lane');
      await page().click('#place-order');
      await expectFieldError(page(), 'ship-phone', /phone number of 6 to 21 digits/);
      await page().fill('#ship-phone', '+86 138-0013-8000');
      await page().click('#place-order');
      await page().waitForURL(/#\/orders\/[0-9]+$/);
      await page().waitForSelector('#order-status[data-status="CONFIRMED"]');
      await expectFocusedInView(page(), 'main h1');
      assert.equal(await page().textContent('#pay-amount'), '¥91.20');
      assert.match((await page().textContent('#shipping-address')) ?? '', /Ada Shopper.*\+86 138-0013-8000.*Zhejiang Hangzhou Xihu 1 Browser Lane/);
      const book = await addressBook(customer.token);
      assert.deepEqual(
        book.map((a) => [a.recipient, a.phone, a.region, a.line, a.isDefault]),
        [['Ada Shopper', '+86 138-0013-8000', 'Zhejiang Hangzhou Xihu', '1 Browser Lane', true]],
      );
      const orderId = page().url().split('/').pop()!;
      const placed = await state.order(orderId);
      assert.equal(placed?.status, 'CONFIRMED');
      assert.equal(await state.balance(customer.userId), '40.00');
      assert.deepEqual(await state.coupon(small), { used: 0, order_id: null });
      assert.deepEqual(await state.coupon(large), { used: 0, order_id: null });
      assert.deepEqual(await state.cart(customer.userId), []);
    });

    it('the orders come in pages: size and page in the address, previous and next, past the end the last page', async () => {
      const pencil = await namedGoods(admin, 'Pencil', '1.00', 100);
      const customer = await newCustomer(admin, { balance: '200.00' });
      const placed: string[] = [];
      // 1.00 + 10.00 shipping, all from the balance: PAID at once (no pay deadline running out meanwhile).
      for (let i = 0; i < 12; i++)
        placed.push((await placeOrder(customer.token, { items: [{ goodsId: pencil.goodsId, quantity: 1 }], balance: '11.00' })).body.orderId);
      await signedIn(session.context, customer.token);
      const listed = async () =>
        page()
          .locator('#orders-table tbody tr')
          .evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { order: string } }).dataset.order));

      await page().goto(`${BASE_URL}/#/orders?size=5`);
      await page().waitForSelector('#page-of:text-is("page 1 of 3")');
      assert.match((await page().textContent('main h1')) ?? '', /\(12\)/);
      const first = await listed();
      assert.equal(first.length, 5);
      assert.equal(first[0], placed[11], 'newest first');
      assert.equal(await page().locator('#previous-page').count(), 0);
      await page().click('#next-page');
      await page().waitForURL(/#\/orders\?page=2&size=5$/);
      await page().waitForSelector('#page-of:text-is("page 2 of 3")');
      await expectFocusedInView(page(), 'main h1');
      const second = await listed();

      // Past the end: the last page, and the address says so.
      await page().goto(`${BASE_URL}/#/orders?page=99&size=5`);
      await page().waitForSelector('#page-of:text-is("page 3 of 3")');
      assert.match(page().url(), /#\/orders\?page=3&size=5$/);
      const third = await listed();
      assert.equal(third.length, 2);
      assert.equal(await page().locator('#next-page').count(), 0);
      assert.deepEqual([...first, ...second, ...third].sort(), [...placed].sort(), 'every order once');
      await checkPage(session, 'orders, last page', 'orders-paged');
      await page().click('#previous-page');
      await page().waitForSelector('#page-of:text-is("page 2 of 3")');
      assert.deepEqual(await listed(), second);

      // The usual page size holds them all: no pager.
      await page().goto(`${BASE_URL}/#/orders`);
      await page().waitForSelector('#page-of', { state: 'detached' });
      assert.equal((await listed()).length, 12);
      assert.equal(await page().locator('#page-of').count(), 0);
    });
  });
}
