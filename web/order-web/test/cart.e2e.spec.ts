/**
 * The cart end to end (order-web -> order service -> MySQL, goods over RPC): every change is
 * checked in the cart_item rows, and checkout from the cart in stock, coupon and balance.
 */
import assert from 'node:assert/strict';
import { call, newCustomer, newGoods, placeOrder } from './support/shop-api';
import { withSystem } from './support/end-to-end';
import type { SystemState } from './support/system-state';

describe('cart end to end', function () {
  this.timeout(60_000);
  let admin: string;
  let state: SystemState;

  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  const put = (token: string, goodsId: string, body: unknown) => call('PUT', `/api/v1/cart/items/${goodsId}`, { token, json: body });

  it('adds, changes, checks, unchecks, removes and clears lines, priced from the goods service', async () => {
    const pen = await newGoods(admin, '2.50', 100);
    const book = await newGoods(admin, '30.00', 100);
    const { token, userId } = await newCustomer(admin);

    const empty = await call('GET', '/api/v1/cart', { token });
    assert.deepEqual(empty.body, { items: [], checkedAmount: '0.00' });

    assert.equal((await put(token, pen, { quantity: 4 })).status, 200);
    const two = await put(token, book, { quantity: 1, checked: true });
    assert.equal(two.status, 200, JSON.stringify(two.body));
    assert.deepEqual(
      two.body.items.map((i: { goodsId: string; quantity: number; checked: boolean; price: string }) => [i.goodsId, i.quantity, i.checked, i.price]),
      [
        [pen, 4, true, '2.50'],
        [book, 1, true, '30.00'],
      ],
    );
    assert.equal(two.body.checkedAmount, '40.00');

    const changed = await put(token, pen, { quantity: 10, checked: false });
    assert.equal(changed.body.checkedAmount, '30.00');
    assert.deepEqual(
      await state.cart(userId),
      [
        { goods_id: pen, quantity: 10, checked: 0 },
        { goods_id: book, quantity: 1, checked: 1 },
      ].sort((a, b) => (BigInt(a.goods_id) < BigInt(b.goods_id) ? -1 : 1)),
    );

    const removed = await call('DELETE', `/api/v1/cart/items/${book}`, { token });
    assert.deepEqual(
      removed.body.items.map((i: { goodsId: string }) => i.goodsId),
      [pen],
    );
    assert.deepEqual(await state.cart(userId), [{ goods_id: pen, quantity: 10, checked: 0 }]);

    const cleared = await call('DELETE', '/api/v1/cart', { token });
    assert.deepEqual(cleared.body, { items: [], checkedAmount: '0.00' });
    assert.deepEqual(await state.cart(userId), []);
  });

  it('merges a guest cart: quantities summed up to the maximum, goods that do not exist left out', async () => {
    const pen = await newGoods(admin, '2.50', 100);
    const book = await newGoods(admin, '30.00', 100);
    const { token, userId } = await newCustomer(admin);
    await put(token, pen, { quantity: 990, checked: false });

    const merged = await call('POST', '/api/v1/cart/merge', {
      token,
      json: {
        items: [
          { goodsId: pen, quantity: 20 },
          { goodsId: book, quantity: 2, checked: false },
          { goodsId: '999999999999999', quantity: 1 },
        ],
      },
    });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    const rows = new Map((await state.cart(userId)).map((row) => [row.goods_id, row]));
    assert.equal(rows.size, 2);
    assert.deepEqual(rows.get(pen), { goods_id: pen, quantity: 999, checked: 1 });
    assert.deepEqual(rows.get(book), { goods_id: book, quantity: 2, checked: 0 });
  });

  it('refuses bad cart input with a 4xx and changes nothing', async () => {
    const pen = await newGoods(admin, '2.50', 100);
    const { token, userId } = await newCustomer(admin);
    await put(token, pen, { quantity: 3 });
    const before = await state.cart(userId);

    const cases: [string, Promise<{ status: number; body: { code: string } }>, number, string][] = [
      ['quantity 0', put(token, pen, { quantity: 0 }), 400, 'INVALID_ARGUMENT'],
      ['quantity 1000', put(token, pen, { quantity: 1000 }), 400, 'INVALID_ARGUMENT'],
      ['quantity as a string', put(token, pen, { quantity: '2' }), 400, 'INVALID_ARGUMENT'],
      ['extra field', put(token, pen, { quantity: 2, price: '0.01' }), 400, 'INVALID_ARGUMENT'],
      ['bad goods id', put(token, 'abc', { quantity: 1 }), 400, 'INVALID_ARGUMENT'],
      ['unknown goods', put(token, '999999999999999', { quantity: 1 }), 404, 'NOT_FOUND'],
      ['no token', call('PUT', `/api/v1/cart/items/${pen}`, { json: { quantity: 1 } }), 401, 'UNAUTHENTICATED'],
      [
        'merge of 51 lines',
        call('POST', '/api/v1/cart/merge', { token, json: { items: Array.from({ length: 51 }, (_, i) => ({ goodsId: String(1000 + i), quantity: 1 })) } }),
        400,
        'INVALID_ARGUMENT',
      ],
      ['merge without items', call('POST', '/api/v1/cart/merge', { token, json: {} }), 400, 'INVALID_ARGUMENT'],
    ];
    for (const [name, reply, status, code] of cases) {
      const { status: got, body } = await reply;
      assert.equal(got, status, `${name}: ${JSON.stringify(body)}`);
      assert.equal(body.code, code, name);
    }
    assert.deepEqual(await state.cart(userId), before);
  });

  it('holds at most 50 different goods', async () => {
    const { token, userId } = await newCustomer(admin);
    const goods = await Promise.all(Array.from({ length: 51 }, () => newGoods(admin, '1.00', 5)));
    for (const goodsId of goods.slice(0, 50)) assert.equal((await put(token, goodsId, { quantity: 1 })).status, 200);
    const refused = await put(token, goods[50]!, { quantity: 1 });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'INVALID_ARGUMENT');
    assert.equal((await state.cart(userId)).length, 50);
    // Changing a line already there is still allowed.
    assert.equal((await put(token, goods[0]!, { quantity: 2 })).status, 200);
  });

  it('checkout orders the checked lines as one order; they leave the cart only once it is CONFIRMED', async () => {
    const pen = await newGoods(admin, '2.50', 100);
    const book = await newGoods(admin, '30.00', 100);
    const lamp = await newGoods(admin, '45.00', 100);
    const { token, userId, couponIds } = await newCustomer(admin, { balance: '10.00', coupons: ['5.00'] });
    await put(token, pen, { quantity: 4 });
    await put(token, book, { quantity: 2 });
    await put(token, lamp, { quantity: 1, checked: false });

    const placed = await placeOrder(token, { fromCart: true, couponId: couponIds[0], balance: '10.00' });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.equal(placed.body.status, 'CONFIRMED');
    assert.deepEqual(
      placed.body.items.map((i: { goodsId: string; quantity: number }) => [i.goodsId, i.quantity]).sort(),
      [
        [pen, 4],
        [book, 2],
      ].sort(),
    );
    // 10.00 + 60.00 = 70.00 goods, under the free-shipping threshold: + 10.00 shipping.
    assert.deepEqual(
      [placed.body.goodsAmount, placed.body.shippingFee, placed.body.couponPaid, placed.body.balancePaid, placed.body.payAmount],
      ['70.00', '10.00', '5.00', '10.00', '65.00'],
    );
    assert.equal(await state.stock(pen), 96);
    assert.equal(await state.stock(book), 98);
    assert.equal(await state.stock(lamp), 100);
    assert.equal(await state.balance(userId), '0.00');
    assert.equal((await state.coupon(couponIds[0]!)).order_id, placed.body.orderId);
    // Only the unchecked lamp stays.
    assert.deepEqual(await state.cart(userId), [{ goods_id: lamp, quantity: 1, checked: 0 }]);
  });

  it('a refused checkout leaves the cart, stock, coupon and balance as they were', async () => {
    const scarce = await newGoods(admin, '20.00', 1);
    const plenty = await newGoods(admin, '20.00', 100);
    const { token, userId, couponIds } = await newCustomer(admin, { balance: '10.00', coupons: ['5.00'] });
    await put(token, scarce, { quantity: 2 });
    await put(token, plenty, { quantity: 1 });
    const before = await state.cart(userId);

    const refused = await placeOrder(token, { fromCart: true, couponId: couponIds[0], balance: '10.00' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'INSUFFICIENT_STOCK');
    assert.deepEqual(await state.cart(userId), before);
    // The stock read short: refused before any order was written or anything reserved.
    assert.deepEqual(await state.ordersOf(userId), []);
    assert.equal(await state.stock(scarce), 1);
    assert.equal(await state.stock(plenty), 100);
    assert.equal(await state.balance(userId), '10.00');
    assert.equal((await state.coupon(couponIds[0]!)).used, 0);
  });

  it('checkout with nothing checked, or with both lines and fromCart, is refused and places nothing', async () => {
    const pen = await newGoods(admin, '2.50', 100);
    const { token, userId } = await newCustomer(admin);
    const nothing = await placeOrder(token, { fromCart: true });
    assert.equal(nothing.status, 409);
    assert.equal(nothing.body.code, 'CART_EMPTY');

    await put(token, pen, { quantity: 1, checked: false });
    assert.equal((await placeOrder(token, { fromCart: true })).body.code, 'CART_EMPTY');
    const both = await placeOrder(token, { fromCart: true, items: [{ goodsId: pen, quantity: 1 }] });
    assert.equal(both.status, 400);
    assert.equal(both.body.code, 'INVALID_ARGUMENT');
    const falseFlag = await placeOrder(token, { fromCart: false });
    assert.equal(falseFlag.status, 400);
    assert.deepEqual(await state.ordersOf(userId), []);
    assert.equal(await state.stock(pen), 100);
  });
});
