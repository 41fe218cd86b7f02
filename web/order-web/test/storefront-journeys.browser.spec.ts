/**
 * The storefront's journeys of issue 15, each at a desktop and a phone viewport, in headless
 * Chromium against the running system: a refused checkout corrected and placed again, a lost
 * answer repeated, the guest cart's quantities and merge, confirmations and partial refunds,
 * paging and the way back after signing in (every page's axe scan and the languages:
 * storefront-a11y.browser.spec.ts). Each test also checks the services' tables (web/order-web/test/support/system-state.ts),
 * not only the page. Screenshots in test-artifacts/storefront/ (desktop-* and phone-*).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  addToCart,
  answerDialog,
  balanceIs,
  expectAlert,
  expectFieldError,
  expectFocusedInView,
  expectNoSidewaysScroll,
  hasFocus,
  namedGoods,
  newAddress,
  putInCart,
  readStorage,
  requestsTo,
  signedIn,
  stockIs,
  VIEWPORTS,
  withStorefront,
  writeStorage,
} from './support/browser';
import { eventually } from '../../../common/test/support/infra';
import { BASE_URL, call, login, newCustomer, placeOrder, uniqueName } from './support/shop-api';
import type { SystemState } from './support/system-state';

const PASSWORD = 'a-long-password';

/** A registered account, by name (to sign in through the page). */
async function newAccount(): Promise<{ username: string; userId: string; token: string }> {
  const username = uniqueName('shopper');
  assert.equal((await call('POST', '/api/v1/auth/register', { json: { username, password: PASSWORD } })).status, 201);
  return { username, ...(await login(username, PASSWORD)) };
}

/** Opens the signed-in customer's cart and fills the checkout form (the address: the address book's default, chosen for her). */
async function openCheckout(page: Page, fields: { balance?: string; couponId?: string } = {}): Promise<void> {
  await page.goto(`${BASE_URL}/#/cart`);
  await page.waitForSelector('#checkout-form');
  await page.waitForSelector('#ship-to input[name="addressId"]:checked');
  if (fields.couponId) await page.selectOption('#coupon', fields.couponId);
  if (fields.balance) await page.fill('#balance', fields.balance);
  // The summary has priced the form as it stands: what happens elsewhere from here on is what Place order meets.
  await page.waitForSelector('#quote[data-state="ready"]');
}

/** The placements sent: two, the corrected one under a new Idempotency-Key. */
function expectNewKey(placements: { key?: string }[]): void {
  assert.equal(placements.length, 2);
  assert.ok(placements[0]?.key && placements[1]?.key, 'both carry a key');
  assert.notEqual(placements[0].key, placements[1].key, 'a new Idempotency-Key for the corrected attempt');
}

type GuestLine = { goodsId: string; name: string; price: string; quantity: number; checked?: boolean };

/** A reader of the guest cart the page keeps in localStorage (null: none). */
const guestCartOf = (page: Page) => async () => JSON.parse((await readStorage(page, 'shop.guestCart')) ?? 'null') as GuestLine[] | null;

/** The order the page shows, once it shows `status`. */
async function shownOrder(page: Page, status: string): Promise<string> {
  await page.waitForURL(/#\/orders\/[0-9]+$/);
  await page.waitForSelector(`#order-status[data-status="${status}"]`, { timeout: 30_000 });
  return page.url().split('/').pop()!;
}

/** The user's orders but those placed elsewhere: `refusals` CANCELLED ones and exactly one live one, `placed`. Answers the first refused one. */
async function expectOneLiveOrder(state: SystemState, userId: string, placed: string, refusals: number, elsewhere: string[] = []): Promise<string> {
  const orders = (await state.ordersOf(userId)).filter((order) => !elsewhere.includes(order.id));
  assert.deepEqual(
    orders.filter((order) => order.status !== 'CANCELLED').map((order) => order.id),
    [placed],
    'exactly one live order',
  );
  const refused = orders.filter((order) => order.status === 'CANCELLED').map((order) => order.id);
  assert.equal(refused.length, refusals, 'the refused attempts that wrote an order are CANCELLED');
  return refused[0]!;
}

for (const viewport of VIEWPORTS) {
  describe(`storefront journeys at ${viewport.width}x${viewport.height} (${viewport.name})`, function () {
    this.timeout(120_000);
    const session = withStorefront({ viewport, prefix: `${viewport.name}-` });
    const page = () => session.page;
    let admin: string;
    let state: SystemState;
    beforeEach(() => ({ admin, state } = session));

    describe('a refused checkout, corrected, places a new order', () => {
      it('balance too low (spent in another tab): the message is at the balance field; the corrected order is new and live, the refused one CANCELLED', async () => {
        const teapot = await namedGoods(admin, 'Teapot', '30.00', 5);
        const lamp = await namedGoods(admin, 'Lamp', '100.00', 5);
        const customer = await newCustomer(admin, { balance: '110.00' });
        await newAddress(customer.token);
        await putInCart(customer.token, teapot.goodsId, 1);
        await signedIn(session.context, customer.token);
        const placements = requestsTo(page(), 'POST', /^\/api\/v1\/orders$/);
        await openCheckout(page(), { balance: '20.00' });
        // Meanwhile an order in another tab takes 100.00 of the 110.00: 10.00 is left.
        const elsewhere = await placeOrder(customer.token, { items: [{ goodsId: lamp.goodsId, quantity: 1 }], balance: '100.00' });
        assert.equal(elsewhere.body.status, 'PAID');

        await page().click('#place-order');
        await expectFieldError(page(), 'balance', /only ¥10\.00 of balance/);
        assert.equal(new URL(page().url()).hash, '#/cart');
        await expectNoSidewaysScroll(page(), 'refused checkout');
        await session.shot('retry-1-balance-refused');

        await page().fill('#balance', '10.00');
        await page().click('#place-order');
        const placed = await shownOrder(page(), 'CONFIRMED');
        await expectFocusedInView(page(), 'main h1');
        assert.equal(await page().textContent('#pay-amount'), '¥30.00');
        await session.shot('retry-2-balance-corrected');

        expectNewKey(placements);
        assert.deepEqual(
          placements.map((p) => p.body.balance),
          ['20.00', '10.00'],
        );
        const refused = await expectOneLiveOrder(state, customer.userId, placed, 1, [elsewhere.body.orderId]);
        assert.match((await state.order(refused))?.cancel_reason ?? '', /balance/);
        assert.equal((await state.order(placed))?.status, 'CONFIRMED');
        assert.equal(await state.balance(customer.userId), '0.00');
        await stockIs(state, teapot.goodsId, 4);
        assert.deepEqual(await state.cart(customer.userId), []);
      });

      it('not enough stock: the goods are named, the message is at their quantity; lowered, the order is placed with the form as typed', async () => {
        const kettle = await namedGoods(admin, 'Kettle', '40.00', 2);
        const customer = await newCustomer(admin);
        await newAddress(customer.token);
        const office = await newAddress(customer.token, { recipient: 'Ada at work', line: '9 Office Road' });
        await putInCart(customer.token, kettle.goodsId, 3);
        await signedIn(session.context, customer.token);
        const placements = requestsTo(page(), 'POST', /^\/api\/v1\/orders$/);
        await openCheckout(page());
        await page().check(`#ship-${office.addressId}`);

        await page().click('#place-order');
        const quantity = `qty-${kettle.goodsId}`;
        await expectFieldError(page(), quantity, /Only 2 left/);
        const alert = await expectAlert(page(), '#checkout-form', /Not enough stock/, false);
        assert.ok(alert.includes(kettle.name), `the goods are named: ${alert}`);
        assert.ok(!alert.includes(kettle.goodsId), 'not by their id');
        await expectNoSidewaysScroll(page(), 'stock refused');
        await session.shot('retry-3-stock-refused');

        await page().fill(`#${quantity}`, '2');
        await page().press(`#${quantity}`, 'Enter');
        await page().waitForSelector('#checked-amount:text-is("¥80.00")');
        assert.ok(await page().isChecked(`#ship-${office.addressId}`), 'the form keeps the address chosen');
        assert.equal(await page().locator('.error-box, .field-error').count(), 0, 'the stale errors are gone');
        await page().click('#place-order');
        const placed = await shownOrder(page(), 'CONFIRMED');
        assert.match((await page().textContent('#shipping-address')) ?? '', /Ada at work.*9 Office Road/);

        expectNewKey(placements);
        assert.deepEqual(
          placements.map((p) => p.body.addressId),
          [office.addressId, office.addressId],
        );
        // Read as sold out, the first attempt was refused before any order was written.
        await expectOneLiveOrder(state, customer.userId, placed, 0);
        await stockIs(state, kettle.goodsId, 0);
        assert.deepEqual(await state.cart(customer.userId), []);
      });

      it('coupon already used (by another tab): the message is at the coupon, which leaves the list; without it the order is placed', async () => {
        const mug = await namedGoods(admin, 'Mug', '25.00', 10);
        const customer = await newCustomer(admin, { balance: '30.00', coupons: ['5.00'] });
        await newAddress(customer.token);
        const couponId = customer.couponIds[0]!;
        await putInCart(customer.token, mug.goodsId, 1);
        await signedIn(session.context, customer.token);
        const placements = requestsTo(page(), 'POST', /^\/api\/v1\/orders$/);
        await openCheckout(page(), { couponId });
        // 25.00 + 10.00 shipping - 5.00 coupon, all from the balance: the other tab's order is PAID.
        const elsewhere = await placeOrder(customer.token, { items: [{ goodsId: mug.goodsId, quantity: 1 }], couponId, balance: '30.00' });
        assert.equal(elsewhere.body.status, 'PAID');

        await page().click('#place-order');
        await expectFieldError(page(), 'coupon', /can no longer be used/);
        assert.equal(await page().locator(`#coupon option[value="${couponId}"]`).count(), 0);
        await session.shot('retry-4-coupon-refused');
        await page().click('#place-order');
        const placed = await shownOrder(page(), 'CONFIRMED');
        assert.equal(await page().textContent('#pay-amount'), '¥35.00');

        expectNewKey(placements);
        assert.deepEqual(
          placements.map((p) => p.body.couponId),
          [couponId, undefined],
        );
        const refused = await expectOneLiveOrder(state, customer.userId, placed, 1, [elsewhere.body.orderId]);
        assert.match((await state.order(refused))?.cancel_reason ?? '', /coupon/);
        assert.deepEqual(await state.coupon(couponId), { used: 1, order_id: elsewhere.body.orderId });
        await stockIs(state, mug.goodsId, 8);
      });
    });

    it('without an answer: a page that cannot load offers a retry; a checkout answered 502, then lost, is repeated with the same key and places one order', async () => {
      const vase = await namedGoods(admin, 'Vase', '50.00', 5);
      const customer = await newCustomer(admin);
      await newAddress(customer.token);
      await putInCart(customer.token, vase.goodsId, 1);
      await signedIn(session.context, customer.token);

      // The cart cannot load: a message and a retry, no endless "Loading…".
      await page().route('**/api/v1/cart', (route) => route.abort('internetdisconnected'));
      await page().goto(`${BASE_URL}/#/cart`);
      await expectAlert(page(), '#page-error', /cannot be reached/);
      assert.doesNotMatch((await page().textContent('main')) ?? '', /Loading/);
      assert.equal(await page().title(), 'Something went wrong · Shop');
      await session.shot('network-1-page-retry');
      await page().unroute('**/api/v1/cart');
      await page().click('#page-error button.retry');
      await page().waitForSelector('#checkout-form');
      assert.equal(await page().locator('.error-box').count(), 0);

      const placements = requestsTo(page(), 'POST', /^\/api\/v1\/orders$/);
      let tries = 0;
      await page().route('**/api/v1/orders', async (route) => {
        tries += 1;
        // First a proxy's 502 (the order service never saw it), then an answer lost on the way back.
        if (tries === 1) return route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body>502 Bad Gateway</body></html>' });
        if (tries === 2) {
          await route.fetch();
          return route.abort('connectionreset');
        }
        return route.continue();
      });
      await page().click('#place-order');
      await expectAlert(page(), '#checkout-form', /could not do this just now/);
      await page().click('#checkout-form .error-box button.retry');
      await expectAlert(page(), '#checkout-form', /cannot be reached/);
      await session.shot('network-2-checkout-lost');
      const [lost] = await state.ordersOf(customer.userId);
      assert.equal(lost?.status, 'CONFIRMED', 'the lost answer placed the order');
      // Place order again, the form unchanged: the same attempt, so the same key finds that order.
      await page().click('#place-order');
      assert.equal(await shownOrder(page(), 'CONFIRMED'), lost?.id);

      assert.equal(placements.length, 3);
      assert.equal(new Set(placements.map((p) => p.key)).size, 1, 'one Idempotency-Key for the repeated attempt');
      assert.deepEqual(await state.ordersOf(customer.userId), [lost]);
      await stockIs(state, vase.goodsId, 4);
    });

    it('the guest cart takes whole quantities 1 to 999, is cleaned before the merge, and sign-up shows its rules before sending', async () => {
      const pen = await namedGoods(admin, 'Pen', '2.50', 20);
      const cheap = (label: string) => namedGoods(admin, label, '1.00', 1000);
      const [none, negative, many, half] = [await cheap('Ink'), await cheap('Nib'), await cheap('Pad'), await cheap('Clip')];
      await page().goto(`${BASE_URL}/`);
      await addToCart(page(), pen.goodsId, pen.name);
      await page().click('#nav-cart');
      const quantity = `qty-${pen.goodsId}`;
      await page().waitForSelector(`#${quantity}`);
      const stored = guestCartOf(page());
      for (const typed of ['0', '-3', '1000', '2.5']) {
        await page().fill(`#${quantity}`, typed);
        await page().press(`#${quantity}`, 'Enter');
        await expectFieldError(page(), quantity, /whole number from 1 to 999/);
        assert.equal(await page().inputValue(`#${quantity}`), '1');
        assert.equal(await page().textContent('#checked-amount'), '¥2.50');
        assert.equal((await stored())?.[0]?.quantity, 1, `${typed} is not kept`);
      }
      await session.shot('guest-1-quantity-refused');
      await page().fill(`#${quantity}`, '4');
      await page().press(`#${quantity}`, 'Enter');
      await page().waitForSelector('#checked-amount:text-is("¥10.00")');
      assert.equal(await page().locator('.field-error').count(), 0);

      // A guest cart an older page left behind: quantities 0, -3, 1000 and 2.5, and a line with no goods id.
      const line = (goods: { goodsId: string; name: string }, q: number) => ({
        goodsId: goods.goodsId,
        name: goods.name,
        price: '1.00',
        quantity: q,
        checked: true,
      });
      const dirty = [
        ...((await stored()) ?? []),
        line(none, 0),
        line(negative, -3),
        line(many, 1000),
        line(half, 2.5),
        { goodsId: 'x', name: 'junk', price: '1.00', quantity: 1 },
      ];
      await writeStorage(page(), { 'shop.guestCart': JSON.stringify(dirty) });
      await page().reload();
      await page().waitForSelector(`#qty-${many.goodsId}`);
      assert.deepEqual(
        await page()
          .locator('tbody tr')
          .evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { goods: string } }).dataset.goods)),
        [pen.goodsId, many.goodsId, half.goodsId],
      );
      assert.equal(await page().inputValue(`#qty-${many.goodsId}`), '999');
      assert.equal(await page().inputValue(`#qty-${half.goodsId}`), '2');
      assert.equal(await page().textContent('#checked-amount'), '¥1011.00');
      await expectNoSidewaysScroll(page(), 'guest cart');

      // Sign-up: the rules are on the page, and checked before anything is sent.
      const registrations = requestsTo(page(), 'POST', /^\/api\/v1\/auth\/register$/);
      const merges = requestsTo(page(), 'POST', /^\/api\/v1\/cart\/merge$/);
      await page().click('#nav-signin');
      assert.match((await page().textContent('#signup-username-hint')) ?? '', /3 to 32 letters, digits/);
      assert.match((await page().textContent('#signup-password-hint')) ?? '', /8 to 128 characters/);
      await page().fill('#signup-username', 'ab');
      await page().fill('#signup-password', 'short');
      await page().click('#signup-submit');
      await expectFieldError(page(), 'signup-username', /3 to 32 letters/);
      assert.match((await page().textContent('#signup-password-error')) ?? '', /8 to 128 characters/);
      assert.equal(registrations.length, 0, 'nothing sent');
      await session.shot('guest-2-signup-rules');

      const username = uniqueName('guest');
      await page().fill('#signup-username', username);
      await page().fill('#signup-password', PASSWORD);
      await page().click('#signup-submit');
      await page().waitForURL(/#\/cart$/);
      await page().waitForSelector(`#qty-${many.goodsId}`);
      await page().waitForSelector(`#account:has-text("${username}")`);

      assert.deepEqual(merges[0]?.body, {
        items: [
          { goodsId: pen.goodsId, quantity: 4, checked: true },
          { goodsId: many.goodsId, quantity: 999, checked: true },
          { goodsId: half.goodsId, quantity: 2, checked: true },
        ],
      });
      const { userId } = await login(username, PASSWORD);
      const expected = [
        { goods_id: pen.goodsId, quantity: 4, checked: 1 },
        { goods_id: many.goodsId, quantity: 999, checked: 1 },
        { goods_id: half.goodsId, quantity: 2, checked: 1 },
      ].sort((a, b) => (BigInt(a.goods_id) < BigInt(b.goods_id) ? -1 : 1));
      assert.deepEqual(await state.cart(userId), expected);
      assert.equal(await stored(), null, 'the browser forgot the guest cart once merged');
    });

    it('a merge that fails after sign-up keeps the guest cart in the browser, says so, and is retried', async () => {
      const brush = await namedGoods(admin, 'Brush', '8.00', 10);
      await page().goto(`${BASE_URL}/`);
      await addToCart(page(), brush.goodsId, brush.name);
      await page().route('**/api/v1/cart/merge', (route) =>
        route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'UNAVAILABLE', message: 'no provider of order' }) }),
      );
      const username = uniqueName('merge');
      await page().click('#nav-signin');
      await page().fill('#signup-username', username);
      await page().fill('#signup-password', PASSWORD);
      await page().click('#signup-submit');
      await page().waitForURL(/#\/cart$/);
      await expectAlert(page(), '#alert-host', /signed in, but the goods you chose before could not be added.*kept in this browser/);
      await page().waitForSelector('#guest-waiting');
      await session.shot('merge-1-failed');
      const stored = guestCartOf(page());
      assert.deepEqual(
        (await stored())?.map((l) => [l.goodsId, l.quantity]),
        [[brush.goodsId, 1]],
      );
      const { userId } = await login(username, PASSWORD);
      assert.deepEqual(await state.cart(userId), [], 'the account exists, its cart untouched');

      await page().unroute('**/api/v1/cart/merge');
      await page().click('#alert-host .error-box button.retry');
      await page().waitForSelector(`tr[data-goods="${brush.goodsId}"]`);
      await page().waitForSelector(`#message:has-text("are in your cart now")`);
      assert.equal(await page().locator('#guest-waiting, .error-box').count(), 0);
      assert.equal(await stored(), null);
      assert.deepEqual(await state.cart(userId), [{ goods_id: brush.goodsId, quantity: 1, checked: 1 }]);
    });

    it('an access token refused by the shop is renewed from the refresh token, once; signing out ends the session at the shop', async () => {
      const goodsId = (await namedGoods(admin, 'Kettle lid', '12.00', 3)).goodsId;
      const customer = await newCustomer(admin);
      const orderId = (await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] })).body.orderId;
      const { refreshToken } = await login(await state.usernameOf(customer.userId), 'password-123');
      // What an expired access token meets: a 401 from the bearer guard.
      await session.context.addInitScript({
        content: `if (!sessionStorage.getItem('seeded')) { sessionStorage.setItem('seeded', '1'); localStorage.setItem('shop.token', 'expired.access.token'); localStorage.setItem('shop.refresh', ${JSON.stringify(refreshToken)}); }`,
      });
      const refreshes = requestsTo(page(), 'POST', /^\/api\/v1\/auth\/refresh$/);
      await page().goto(`${BASE_URL}/#/orders`);
      await page().waitForSelector(`tr[data-order="${orderId}"]`);
      assert.equal(refreshes.length, 1, 'one refresh for the page');
      const renewed = await readStorage(page(), 'shop.token');
      assert.ok(renewed && renewed !== 'expired.access.token');
      assert.equal((await call('GET', '/api/v1/me', { token: renewed })).status, 200, 'the renewed token works');
      assert.equal((await call('POST', '/api/v1/auth/refresh', { json: { refreshToken } })).status, 401, 'the refresh token it used is spent');

      await page().click('#sign-out');
      await eventually('the page forgetting its tokens', 10_000, async () => ((await readStorage(page(), 'shop.token')) === null ? true : undefined));
      await eventually('the signed-out token refused', 60_000, async () =>
        (await call('GET', '/api/v1/me', { token: renewed })).status === 401 ? true : undefined,
      );
    });

    it('cancelling asks first: "keep" changes nothing, "cancel" cancels and gives the stock back', async () => {
      const goodsId = (await namedGoods(admin, 'Chair', '45.00', 3)).goodsId;
      const customer = await newCustomer(admin);
      const unpaid = (await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] })).body.orderId;
      await signedIn(session.context, customer.token);
      await page().goto(`${BASE_URL}/#/orders`);
      const cancel = `tr[data-order="${unpaid}"] button.cancel`;
      await page().click(cancel);
      await session.shot('cancel-1-dialog');
      assert.match(await answerDialog(page(), 'no'), /cannot be paid afterwards/);
      assert.ok(await hasFocus(page(), cancel), 'the focus is back on the button');
      assert.equal((await state.order(unpaid))?.status, 'CONFIRMED');

      await page().click(cancel);
      await answerDialog(page(), 'yes');
      await page().waitForSelector(`tr[data-order="${unpaid}"] .status[data-status="CANCELLED"]`);
      await expectFocusedInView(page(), 'main h1');
      assert.equal((await state.order(unpaid))?.status, 'CANCELLED');
      await stockIs(state, goodsId, 3);
    });

    it('a partial refund: the amount is checked (above 0, at most what is left), confirmed, then the rest with an empty amount', async () => {
      const goodsId = (await namedGoods(admin, 'Desk', '80.00', 4)).goodsId;
      const customer = await newCustomer(admin, { balance: '200.00' });
      // 80.00 + 10.00 shipping, all from the balance: PAID at once.
      const orderId = (await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '90.00' })).body.orderId;
      assert.equal(await state.balance(customer.userId), '110.00');
      const refunds = requestsTo(page(), 'POST', /^\/api\/v1\/orders\/[0-9]+\/refund$/);
      await signedIn(session.context, customer.token);
      await page().goto(`${BASE_URL}/#/orders/${orderId}`);
      await page().waitForSelector('#order-status[data-status="PAID"]');
      assert.match((await page().textContent('#refund-amount-hint')) ?? '', /everything left: ¥90\.00/);
      assert.equal(await page().getAttribute('label[for="refund-reason"]', 'for'), 'refund-reason');

      for (const [typed, words] of [
        ['0', /above 0/],
        ['abc', /above 0/],
        ['95', /At most ¥90\.00/],
      ] as const) {
        await page().fill('#refund-amount', typed);
        await page().click('#refund-button');
        await expectFieldError(page(), 'refund-amount', words);
        assert.equal(await page().locator('dialog#confirm[open]').count(), 0, 'nothing to confirm');
      }
      await page().fill('#refund-amount', '20');
      await page().fill('#refund-reason', 'one leg is short');
      await page().click('#refund-button');
      assert.match(await answerDialog(page(), 'yes'), /¥20\.00 of the ¥90\.00 left/);
      await page().waitForSelector('#refunded-amount:has-text("¥20.00")', { timeout: 30_000 });
      await session.shot('refund-1-partial');
      assert.equal((await state.order(orderId))?.status, 'PAID');
      assert.equal((await state.order(orderId))?.refunded_amount, '20.00');
      await balanceIs(state, customer.userId, '130.00');

      await page().click('#refund-button');
      assert.match(await answerDialog(page(), 'yes'), /Everything left, ¥70\.00/);
      await page().waitForSelector('#order-status[data-status="REFUNDED"]', { timeout: 30_000 });
      assert.deepEqual(
        refunds.map((r) => r.body),
        [{ reason: 'one leg is short', amount: '20.00' }, { reason: 'refund asked in the storefront' }],
      );
      assert.equal(new Set(refunds.map((r) => r.key)).size, 2, 'a key per refund');
      assert.equal((await state.order(orderId))?.refunded_amount, '90.00');
      await balanceIs(state, customer.userId, '200.00');
      assert.deepEqual(
        (await state.refunds(orderId)).map((r) => [r.status, r.amount]),
        [
          ['SUCCEEDED', '20.00'],
          ['SUCCEEDED', '70.00'],
        ],
      );
    });

    it('refunding an order paid by coupon and balance (nothing through Alipay) sends no amount, and everything comes back', async () => {
      const goodsId = (await namedGoods(admin, 'Lamp', '120.00', 5)).goodsId;
      const customer = await newCustomer(admin, { balance: '200.00', coupons: ['20.00', '120.00'] });
      const [small, large] = customer.couponIds as [string, string];
      const mixed = (await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], couponId: small, balance: '100.00' })).body;
      assert.deepEqual([mixed.status, mixed.payAmount], ['PAID', '0.00']);
      const refunds = requestsTo(page(), 'POST', /^\/api\/v1\/orders\/[0-9]+\/refund$/);
      await signedIn(session.context, customer.token);
      await page().goto(`${BASE_URL}/#/orders/${mixed.orderId}`);
      await page().waitForSelector('#order-status[data-status="PAID"]');
      assert.equal(await page().textContent('#pay-amount'), '¥0.00');
      assert.match((await page().textContent('#refund-amount-hint')) ?? '', /¥100\.00/);
      await page().click('#refund-button');
      await answerDialog(page(), 'yes');
      await page().waitForSelector('#order-status[data-status="REFUNDED"]', { timeout: 30_000 });
      await session.shot('refund-2-coupon-and-balance');
      assert.deepEqual(
        refunds.map((r) => r.body),
        [{ reason: 'refund asked in the storefront' }],
        'no amount, never the Alipay part 0.00',
      );
      assert.equal((await state.order(mixed.orderId))?.status, 'REFUNDED');
      await balanceIs(state, customer.userId, '200.00');
      assert.deepEqual(await state.coupon(small), { used: 0, order_id: null });
      await stockIs(state, goodsId, 5);

      // Paid by the coupon alone: nothing to choose, the refund gives the coupon and the stock back.
      const couponOnly = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], couponId: large });
      assert.deepEqual([couponOnly.body.status, couponOnly.body.payAmount, couponOnly.body.balancePaid], ['PAID', '0.00', '0.00']);
      await page().goto(`${BASE_URL}/#/orders/${couponOnly.body.orderId}`);
      await page().waitForSelector('#refund-nothing-left');
      assert.equal(await page().locator('#refund-amount').count(), 0);
      await page().click('#refund-button');
      await answerDialog(page(), 'yes');
      await page().waitForSelector('#order-status[data-status="REFUNDED"]', { timeout: 30_000 });
      assert.deepEqual(refunds[1]?.body, { reason: 'refund asked in the storefront' });
      assert.deepEqual(await state.coupon(large), { used: 0, order_id: null });
      await stockIs(state, goodsId, 5);
    });

    it('a page past the end shows the last page; a guest opening an order link comes back to it after signing in', async () => {
      const prefix = uniqueName('Stool');
      for (let i = 0; i < 25; i++) await namedGoods(admin, `${prefix} ${String(i).padStart(2, '0')}`, '12.00', 3);
      await page().goto(`${BASE_URL}/#/?q=${prefix}&page=9999`);
      await page().waitForSelector('#page-of:text-is("page 2 of 2")');
      assert.match(page().url(), /page=2$/);
      assert.equal(await page().locator('.card').count(), 1);
      assert.equal(await page().locator('#next-page').count(), 0);
      assert.equal((await call('GET', `/api/v1/goods?q=${prefix}&size=1`)).body.total, 25);

      const account = await newAccount();
      const goodsId = (await namedGoods(admin, 'Rug', '30.00', 2)).goodsId;
      const orderId = (await placeOrder(account.token, { items: [{ goodsId, quantity: 1 }] })).body.orderId;
      await page().goto(`${BASE_URL}/#/orders/${orderId}`);
      await page().waitForURL(new RegExp(`#/signin\\?next=%2Forders%2F${orderId}$`));
      await page().fill('#signin-username', account.username);
      await page().fill('#signin-password', 'wrong password');
      await page().click('#signin-submit');
      await expectAlert(page(), '#signin-form', /Wrong username or password/);
      await page().fill('#signin-password', PASSWORD);
      await page().click('#signin-submit');
      await page().waitForURL(new RegExp(`#/orders/${orderId}$`));
      await page().waitForSelector(`#order-status[data-status="${(await state.order(orderId))?.status}"]`);
      await expectFocusedInView(page(), 'main h1');
      assert.equal(await page().title(), `Order ${orderId} · Shop`);
    });
  });
}
