/**
 * Pricing before placing (POST /api/v1/orders/quote: nothing reserved or written) and the order
 * lists: a customer's without the attempts refused at placement, the admin's with them.
 */
import assert from 'node:assert/strict';
import { eventually } from '../../../common/test/support/infra';
import { withSystem } from './support/end-to-end';
import { call, newCustomer, newGoods, placeOrder } from './support/shop-api';
import type { SystemState } from './support/system-state';

describe('quotes and the admin order list', function () {
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

  const quote = (token: string, body: Record<string, unknown>) => call('POST', '/api/v1/orders/quote', { token, json: body });

  it('prices goods, shipping, coupon and balance on the server and takes nothing', async () => {
    const goodsId = await newGoods(admin, '45.60', 5);
    const customer = await newCustomer(admin, { balance: '20.00', coupons: ['500.00'] });
    const reply = await quote(customer.token, { items: [{ goodsId, quantity: 2 }], couponId: customer.couponIds[0], balance: '0.00' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(
      [reply.body.goodsAmount, reply.body.shippingFee, reply.body.couponAmount, reply.body.couponPaid, reply.body.payAmount, reply.body.balanceAvailable],
      ['91.20', '10.00', '500.00', '101.20', '0.00', '20.00'],
    );
    assert.equal(reply.body.items[0].price, '45.60');
    assert.equal(await state.stock(goodsId), 5);
    assert.equal((await state.coupon(customer.couponIds[0]!)).used, 0);
    assert.equal(await state.balance(customer.userId), '20.00');
    assert.deepEqual(await state.ordersOf(customer.userId), []);
  });

  it('refuses with the codes placement would use, and 400 for a malformed body', async () => {
    const goodsId = await newGoods(admin, '10.00', 1);
    const customer = await newCustomer(admin, { balance: '5.00' });
    const codes = async (body: Record<string, unknown>) => {
      const reply = await quote(customer.token, body);
      return [reply.status, reply.body.code];
    };
    assert.deepEqual(await codes({ items: [{ goodsId, quantity: 1 }], balance: '6.00' }), [409, 'INSUFFICIENT_BALANCE']);
    assert.deepEqual(await codes({ items: [{ goodsId, quantity: 0 }] }), [400, 'INVALID_ARGUMENT']);
    assert.deepEqual(await codes({ items: [{ goodsId, quantity: 1 }], fromCart: true }), [400, 'INVALID_ARGUMENT']);
    assert.equal((await call('POST', '/api/v1/orders/quote', { json: { items: [{ goodsId, quantity: 1 }] } })).status, 401);
    assert.equal(await state.balance(customer.userId), '5.00');
  });

  it("keeps a refused attempt out of the customer's list and shows it, flagged, to the admin", async () => {
    const goodsId = await newGoods(admin, '30.00', 5);
    const customer = await newCustomer(admin, { balance: '10.00' });
    const refused = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '20.00' });
    assert.equal(refused.body.code, 'INSUFFICIENT_BALANCE');
    const live = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '10.00' });
    assert.equal(live.status, 201, JSON.stringify(live.body));

    const mine = await call('GET', '/api/v1/orders', { token: customer.token });
    assert.deepEqual(
      mine.body.items.map((order: { orderId: string }) => order.orderId),
      [live.body.orderId],
    );
    assert.equal(mine.body.total, 1);
    const rows = await state.ordersOf(customer.userId);
    assert.deepEqual(rows.map((row) => row.status).sort(), ['CANCELLED', 'CONFIRMED'], 'the refused attempt is kept');

    const listed = await call('GET', `/api/v1/admin/orders?userId=${customer.userId}`, { token: admin });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.items.map((order: { status: string; refusedAtPlacement: boolean }) => [order.status, order.refusedAtPlacement]),
      [
        ['CONFIRMED', false],
        ['CANCELLED', true],
      ],
    );
    const detail = await call('GET', `/api/v1/admin/orders/${listed.body.items[1].orderId}`, { token: admin });
    assert.equal(detail.body.cancelReason, refused.body.message);
    assert.equal((await call('GET', '/api/v1/admin/orders', { token: customer.token })).status, 403);
    assert.equal((await call('GET', '/api/v1/admin/orders?from=yesterday', { token: admin })).status, 400);
  });

  it("counts today's placed and refused orders and their revenue for the dashboard", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const stats = async () => {
      const reply = await call('GET', `/api/v1/admin/stats/orders?from=${today}&to=${today}`, { token: admin });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.days.length, 1);
      return reply.body.days[0] as { day: string; placed: number; refused: number; revenue: string };
    };
    const goodsId = await newGoods(admin, '120.00', 5);
    const customer = await newCustomer(admin, { balance: '120.00' });
    const before = await stats();
    assert.equal((await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '130.00' })).body.code, 'INVALID_ARGUMENT');
    assert.equal((await placeOrder(customer.token, { items: [{ goodsId, quantity: 6 }] })).body.code, 'INSUFFICIENT_STOCK');
    const paid = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '120.00' });
    assert.equal(paid.body.status, 'PAID');
    // Refused by the balance reservation: a CANCELLED order, refused at placement.
    assert.equal((await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '10.00' })).body.code, 'INSUFFICIENT_BALANCE');
    const after = await stats();
    assert.equal(after.day, today);
    assert.equal(after.placed - before.placed, 1);
    assert.equal(after.refused - before.refused, 1, 'the balance refusal; the bad balance and the stock were refused before any order was written');
    assert.ok(Number(after.revenue) - Number(before.revenue) >= 120, `revenue ${before.revenue} -> ${after.revenue}`);
    assert.equal((await call('GET', '/api/v1/admin/stats/orders?from=2026-12-05&to=2025-12-05', { token: admin })).status, 400);
  });

  it("lets an admin cancel a customer's unpaid order, giving everything back, but not a paid one", async () => {
    const goodsId = await newGoods(admin, '25.00', 4);
    const customer = await newCustomer(admin, { balance: '200.00' });
    const unpaid = await placeOrder(customer.token, { items: [{ goodsId, quantity: 2 }], balance: '5.00' });
    assert.equal(unpaid.body.status, 'CONFIRMED');
    assert.equal(await state.stock(goodsId), 2);

    const cancelled = await call('POST', `/api/v1/admin/orders/${unpaid.body.orderId}/cancel`, {
      token: admin,
      json: { reason: 'address outside delivery area' },
    });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.status, 'CANCELLED');
    assert.equal(cancelled.body.cancelReason, 'address outside delivery area');
    assert.match(cancelled.body.history.at(-1).actor, /^admin:[0-9]+$/);
    await eventually('the release', 30_000, async () => (await state.stock(goodsId)) === 4 || undefined);
    await eventually('the balance back', 30_000, async () => (await state.balance(customer.userId)) === '200.00' || undefined);

    const paid = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '35.00' });
    assert.equal(paid.body.status, 'PAID');
    const refused = await call('POST', `/api/v1/admin/orders/${paid.body.orderId}/cancel`, { token: admin });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal((await state.order(paid.body.orderId))?.status, 'PAID');
    assert.equal((await call('POST', `/api/v1/admin/orders/${paid.body.orderId}/cancel`, { token: customer.token })).status, 403);
  });
});
