/**
 * An admin changes goods: price, name, on/off sale and stock by a delta, each with a reason in
 * the goods' change log, once per Idempotency-Key; orders see the change at once.
 */
import assert from 'node:assert/strict';
import { withSystem } from './support/end-to-end';
import { call, newCustomer, newGoods, placeOrder, uniqueName } from './support/shop-api';
import type { SystemState } from './support/system-state';

describe('admin: goods changes', function () {
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

  const change = (goodsId: string, key: string, body: Record<string, unknown>, token = admin) =>
    call('PATCH', `/api/v1/admin/goods/${goodsId}`, { token, json: body, headers: { 'idempotency-key': key } });

  it('moves stock by a delta once per key, keeps orders taken meanwhile, and refuses to go below zero', async () => {
    const goodsId = await newGoods(admin, '9.00', 5);
    const customer = await newCustomer(admin, { balance: '100.00' });
    assert.equal((await placeOrder(customer.token, { items: [{ goodsId, quantity: 2 }] })).status, 201);
    assert.equal(await state.stock(goodsId), 3);

    const restocked = await change(goodsId, `restock-${goodsId}`, { stockDelta: 10, reason: 'delivery from the supplier' });
    assert.equal(restocked.status, 200, JSON.stringify(restocked.body));
    assert.equal(restocked.body.stock, 13, 'the 2 units the order took are kept');
    assert.equal(
      (await change(goodsId, `restock-${goodsId}`, { stockDelta: 10, reason: 'delivery from the supplier' })).body.stock,
      13,
      'a repeat changes nothing',
    );
    assert.equal(await state.stock(goodsId), 13);

    const short = await change(goodsId, `writeoff-${goodsId}`, { stockDelta: -14, reason: 'broken in the warehouse' });
    assert.deepEqual([short.status, short.body.code], [409, 'INSUFFICIENT_STOCK']);
    assert.equal(await state.stock(goodsId), 13);
    assert.equal(
      (await change(goodsId, `writeoff-${goodsId}`, { stockDelta: -13, reason: 'broken in the warehouse' })).body.stock,
      0,
      'a refused key is free again',
    );
    const log = await state.goodsChanges(goodsId);
    assert.deepEqual(
      log.map((entry) => [entry.reason, entry.changes]),
      [
        ['delivery from the supplier', { stock: [3, 13] }],
        ['broken in the warehouse', { stock: [13, 0] }],
      ],
    );
    assert.match(log[0]!.operator, /^admin:[0-9]+$/);
  });

  it('changes price and name, takes goods off sale (orders refused, hidden from shoppers, listed for the admin) and back', async () => {
    const goodsId = await newGoods(admin, '20.00', 5);
    const customer = await newCustomer(admin, { balance: '100.00' });
    const repriced = await change(goodsId, `price-${goodsId}`, { price: '18.50', name: 'Green tea 250 g', reason: 'autumn offer' });
    assert.deepEqual([repriced.body.price, repriced.body.name, repriced.body.onSale], ['18.50', 'Green tea 250 g', true]);
    const order = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] });
    assert.equal(order.body.goodsAmount, '18.50');

    assert.equal((await change(goodsId, `off-${goodsId}`, { onSale: false, reason: 'recalled by the maker' })).body.onSale, false);
    assert.equal((await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] })).status, 400);
    const shopper = await call('GET', `/api/v1/goods?q=${encodeURIComponent('Green tea 250 g')}&size=100`);
    assert.ok(!shopper.body.items.some((g: { goodsId: string }) => g.goodsId === goodsId), 'hidden from shoppers');
    const listed = await call('GET', `/api/v1/admin/goods?q=${encodeURIComponent('Green tea 250 g')}&size=100&sort=newest`, { token: admin });
    assert.equal(listed.body.items.find((g: { goodsId: string }) => g.goodsId === goodsId)?.onSale, false);

    assert.equal((await change(goodsId, `on-${goodsId}`, { onSale: true, reason: 'cleared' })).body.onSale, true);
    assert.equal((await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] })).status, 201);
  });

  it('never confirms an order at a price changed a moment before (placement prices from a recent read; the reservation checks the price)', async () => {
    const goodsId = await newGoods(admin, '10.00', 100);
    const customer = await newCustomer(admin, { balance: '100.00' });
    const stockNow = async () => (await call('GET', `/api/v1/goods/${goodsId}`)).body.stock as number;
    // The first order reads the goods, which placement then keeps for CATALOGUE_RECENT_MS (1 s).
    assert.equal((await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] })).body.goodsAmount, '10.00');
    assert.equal((await change(goodsId, `reprice-${goodsId}`, { price: '12.00', reason: 'new season' })).status, 200);
    // At once: priced from the kept read at 10.00, the reservation refuses it whole (PRICE_CHANGED);
    // on a machine slow enough for the read to have expired, it is priced at 12.00. Never 10.00.
    const next = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] });
    if (next.status === 409) {
      assert.equal(next.body.code, 'PRICE_CHANGED');
      assert.equal(await stockNow(), 99, 'no unit taken at the old price');
    } else {
      assert.deepEqual([next.status, next.body.goodsAmount], [201, '12.00']);
    }
    const after = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] });
    assert.deepEqual([after.status, after.body.status, after.body.goodsAmount], [201, 'CONFIRMED', '12.00'], 'the next order reads the new price');
  });

  it('sorts the shop by price, newness or stock, and refuses changes without a reason or a key, from customers, or of unknown goods', async () => {
    // Goods of a name of their own, so that the list holds only them whatever else the shop sells.
    const family = uniqueName('Sorted ');
    const ids: Record<string, string> = {};
    for (const [price, stock] of [
      ['7.00', 3],
      ['0.01', 9],
      ['12.00', 1],
    ] as const) {
      const created = await call('POST', '/api/v1/admin/goods', { token: admin, json: { name: `${family} ${price}`, price, stock } });
      ids[price] = created.body.goodsId;
    }
    const order = async (sort: string, token?: string) =>
      (await call('GET', `/api/v1/${token ? 'admin/' : ''}goods?q=${encodeURIComponent(family)}&sort=${sort}`, { token })).body.items.map(
        (g: { price: string }) => g.price,
      );
    assert.deepEqual(await order('price-asc'), ['0.01', '7.00', '12.00']);
    assert.deepEqual(await order('price-desc'), ['12.00', '7.00', '0.01']);
    assert.deepEqual(await order('newest'), ['12.00', '0.01', '7.00']);
    assert.deepEqual(await order('stock-asc', admin), ['12.00', '7.00', '0.01']);
    assert.equal((await call('GET', '/api/v1/goods?sort=cheapest')).status, 400);
    const cheap = ids['0.01']!;

    const customer = await newCustomer(admin);
    assert.equal((await change(cheap, 'k1', { price: '0.02' })).status, 400, 'no reason');
    assert.equal((await call('PATCH', `/api/v1/admin/goods/${cheap}`, { token: admin, json: { price: '0.02', reason: 'x' } })).status, 400, 'no key');
    assert.equal((await change(cheap, 'k2', { price: '0.02', reason: 'x' }, customer.token)).status, 403);
    assert.equal((await change('123456789012345678', 'k3', { price: '0.02', reason: 'x' })).status, 404);
    assert.equal((await change(cheap, 'k4', { price: '-1', reason: 'x' })).status, 400);
    assert.equal((await call('GET', `/api/v1/goods/${cheap}`)).body.price, '0.01', 'nothing changed');
  });
});
