/**
 * The storefront in headless Chromium (Debian's, driven by playwright-core): the journey of a
 * new customer from an empty browser to a PAID order, through order-web, pay-web and the local
 * Alipay cashier, checked in the services' tables at the end. Screenshots of each step are kept
 * in test-artifacts/storefront/ (and of the page at a failure).
 */
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { eventually } from '../../../common/test/support/infra';
import { addToCart as addToCartIn, answerDialog, signedIn, withStorefront } from './support/browser';
import { BASE_URL, call, login, newCustomer, newGoods, placeOrder, uniqueName } from './support/shop-api';
import type { SystemState } from './support/system-state';

describe('storefront in headless Chromium', function () {
  this.timeout(120_000);
  const session = withStorefront({ viewport: { width: 1280, height: 860 } });
  let context: BrowserContext;
  let page: Page;
  let admin: string;
  let state: SystemState;
  beforeEach(() => ({ context, page, admin, state } = session));

  const shot = (name: string, target: Page = page) => session.shot(name, target);
  const addToCart = (goodsId: string, name: string) => addToCartIn(page, goodsId, name);

  it('a new user signs up, gets balance and a coupon, fills the cart with two goods, checks out with the coupon, pays on the cashier and sees PAID', async () => {
    const suffix = uniqueName('');
    const keyboard = { name: `Keyboard ${suffix}`, goodsId: '' };
    const mouse = { name: `Mouse ${suffix}`, goodsId: '' };
    for (const [goods, price] of [
      [keyboard, '89.00'],
      [mouse, '39.50'],
    ] as const) {
      const created = await call('POST', '/api/v1/admin/goods', { token: admin, json: { name: goods.name, price, stock: 5 } });
      assert.equal(created.status, 201);
      goods.goodsId = created.body.goodsId;
    }

    // A guest puts the keyboard in the cart before signing up: the cart follows them.
    await page.goto(`${BASE_URL}/`);
    await addToCart(keyboard.goodsId, keyboard.name);
    assert.equal(await page.textContent('#cart-count'), '1');
    await shot('1-goods');

    const username = uniqueName('shopper');
    await page.click('#nav-signin');
    await page.fill('#signup-username', username);
    await page.fill('#signup-password', 'a-long-password');
    await page.click('#signup-submit');
    await page.waitForURL(/#\/cart$/);
    await page.waitForSelector(`tr[data-goods="${keyboard.goodsId}"]`);
    await page.waitForSelector(`#account:has-text("${username}")`);

    // The admin gives the new user 20.00 of balance and a 15.00 coupon.
    const { userId } = await login(username, 'a-long-password');
    const balance = await call('POST', `/api/v1/admin/users/${userId}/balance`, {
      token: admin,
      json: { amount: '20.00', reason: 'storefront test' },
      headers: { 'idempotency-key': 'storefront-balance' },
    });
    assert.equal(balance.status, 200);
    const coupon = await call('POST', `/api/v1/admin/users/${userId}/coupons`, { token: admin, json: { amount: '15.00' } });
    assert.equal(coupon.status, 201);

    await addToCart(mouse.goodsId, mouse.name);
    await page.waitForSelector('#cart-count:text-is("2")');
    await page.click('#nav-cart');
    await page.waitForSelector(`tr[data-goods="${mouse.goodsId}"]`);
    assert.equal(await page.textContent('#checked-amount'), '¥128.50');

    // A new customer's address book is empty: the address typed at checkout goes into it.
    await page.fill('#ship-recipient', 'Ada Shopper');
    await page.fill('#ship-phone', '138 0013 8000');
    await page.fill('#ship-region', 'Zhejiang Hangzhou Xihu');
    await page.fill('#ship-line', '1 Browser Lane');
    await page.selectOption('#coupon', coupon.body.couponId);
    await page.fill('#balance', '20.00');
    await shot('2-cart-checkout');
    await page.click('#place-order');

    // 128.50 of goods ships free (>= 100.00); 15.00 coupon and 20.00 balance leave 93.50.
    await page.waitForURL(/#\/orders\/[0-9]+$/);
    const orderId = page.url().split('/').pop()!;
    await page.waitForSelector('#order-status[data-status="CONFIRMED"]');
    assert.equal(await page.textContent('#pay-amount'), '¥93.50');
    assert.match((await page.textContent('#shipping-address')) ?? '', /Ada Shopper.*138 0013 8000.*Zhejiang Hangzhou Xihu 1 Browser Lane/);

    await page.click('#pay-button');
    const qr = await page.waitForSelector('#qr-image');
    assert.ok((await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0, 'the QR code is drawn');
    await shot('3-order-qr');

    const [cashier] = await Promise.all([context.waitForEvent('page'), page.click('#cashier-link')]);
    await cashier.waitForSelector('#pay');
    assert.equal(await cashier.textContent('#amount'), '¥ 93.50');
    await cashier.click('#pay');
    await cashier.waitForSelector('#status:text-is("TRADE_SUCCESS")');
    await shot('4-cashier-paid', cashier);

    // Alipay's notification reaches pay-web, pay.succeeded reaches the order: the page follows.
    await page.bringToFront();
    await page.waitForSelector('#order-status[data-status="PAID"]', { timeout: 30_000 });
    await shot('5-order-paid');

    assert.equal((await state.order(orderId))?.status, 'PAID');
    assert.equal((await state.paymentOfOrder(orderId))?.status, 'PAID');
    assert.equal((await state.paymentOfOrder(orderId))?.amount, '93.50');
    assert.equal(await state.stock(keyboard.goodsId), 4);
    assert.equal(await state.stock(mouse.goodsId), 4);
    assert.deepEqual(await state.coupon(coupon.body.couponId), { used: 1, order_id: orderId });
    assert.equal(await state.balance(userId), '0.00');
    assert.deepEqual(await state.cart(userId), []);
    assert.deepEqual(await state.statusHistory(orderId), [
      { from_status: null, to_status: 'PENDING', actor: `user:${userId}` },
      { from_status: 'PENDING', to_status: 'CONFIRMED', actor: 'system:placement' },
      { from_status: 'CONFIRMED', to_status: 'PAID', actor: 'system:pay.succeeded' },
    ]);
    // Points for what was paid, 20.00 + 93.50, rounded down, once.
    await eventually('points for the order', 30_000, async () => ((await state.points(userId)) === '113' ? true : undefined));
  });

  it('the order list cancels an unpaid order and confirms receipt of a shipped one; the order page refunds a paid one', async () => {
    const goodsId = await newGoods(admin, '50.00', 10);
    const customer = await newCustomer(admin, { balance: '200.00' });
    const unpaid = (await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] })).body.orderId;
    const shipped = (await placeOrder(customer.token, { items: [{ goodsId, quantity: 2 }], balance: '100.00' })).body.orderId;
    assert.equal((await call('POST', `/api/v1/admin/orders/${shipped}/ship`, { token: admin })).status, 200);
    const paid = (await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '60.00' })).body.orderId;
    assert.equal((await state.order(paid))?.status, 'PAID');
    assert.equal(await state.balance(customer.userId), '40.00');

    // Signed in as the customer (the token a sign-in would have stored).
    await signedIn(context, customer.token);
    await page.goto(`${BASE_URL}/#/orders`);
    const status = (orderId: string) => `tr[data-order="${orderId}"] .status`;
    await page.waitForSelector(status(unpaid));
    await shot('6-orders');

    await page.click(`tr[data-order="${unpaid}"] button.cancel`);
    await answerDialog(page, 'yes');
    await page.waitForSelector(`${status(unpaid)}[data-status="CANCELLED"]`);
    await page.click(`tr[data-order="${shipped}"] button.receipt`);
    await page.waitForSelector(`${status(shipped)}[data-status="COMPLETED"]`);

    await page.click(`tr[data-order="${paid}"] a.refund`);
    await page.waitForSelector('#order-status[data-status="PAID"]');
    await page.fill('#refund-reason', 'arrived broken');
    await page.click('#refund-button');
    await answerDialog(page, 'yes');
    await page.waitForSelector('#order-status[data-status="REFUNDED"]', { timeout: 30_000 });
    await shot('7-order-refunded');

    assert.equal((await state.order(unpaid))?.status, 'CANCELLED');
    assert.equal((await state.order(shipped))?.status, 'COMPLETED');
    assert.equal((await state.order(paid))?.status, 'REFUNDED');
    // The refunded 60.00 is back; the cancelled order took no balance; stock: 10 - 2 = 8 after the unpaid one's
    // release and the refund before shipment, which gives its unit back.
    assert.equal(await state.balance(customer.userId), '100.00');
    await eventually('stock of the cancelled order back', 30_000, async () => ((await state.stock(goodsId)) === 8 ? true : undefined));
  });

  it('search finds goods by name, 24 to a page, and pages through them', async () => {
    const prefix = uniqueName('Lamp');
    for (let i = 0; i < 26; i++) {
      const created = await call('POST', '/api/v1/admin/goods', {
        token: admin,
        json: { name: `${prefix} ${String(i).padStart(2, '0')}`, price: '12.00', stock: 3 },
      });
      assert.equal(created.status, 201);
    }
    await page.goto(`${BASE_URL}/`);
    // Typed once the first page is drawn: drawing it sets the search box to the page's query ('').
    await page.waitForSelector('.card .name');
    await page.fill('#search-input', prefix);
    await page.press('#search-input', 'Enter');
    await page.waitForSelector(`h1:has-text("${prefix}")`);
    assert.match((await page.textContent('h1')) ?? '', /\(26\)/);
    const firstPage = await page.locator('.card .name').allTextContents();
    assert.equal(firstPage.length, 24);
    await page.click('#next-page');
    await page.waitForURL(/page=2/);
    await page.waitForSelector('#previous-page');
    const secondPage = await page.locator('.card .name').allTextContents();
    // The two pages together hold every match once, and nothing else.
    const expected = Array.from({ length: 26 }, (_, i) => `${prefix} ${String(i).padStart(2, '0')}`);
    assert.deepEqual([...firstPage, ...secondPage].sort(), expected);
    await page.click('#previous-page');
    await page.waitForSelector('#next-page');
    assert.deepEqual(await page.locator('.card .name').allTextContents(), firstPage);
  });
});
