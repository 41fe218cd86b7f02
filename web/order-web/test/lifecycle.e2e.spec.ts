/**
 * An order's life after placement: ship (admin), confirm receipt, automatic completion, and the
 * status history that records who moved it, from what, to what.
 */
import assert from 'node:assert/strict';
import { eventually } from '../../../common/test/support/infra';
import { call, newCustomer, newGoods, placeOrder } from './support/shop-api';
import { withSystem } from './support/end-to-end';
import type { SystemState } from './support/system-state';

describe('order lifecycle end to end', function () {
  this.timeout(90_000);
  let admin: { token: string; userId: string };
  let state: SystemState;

  withSystem((system) => ({ admin, state } = system));

  /** An order paid in full by balance: PAID as soon as it is placed. */
  async function paidOrder(): Promise<{ orderId: string; token: string; userId: string }> {
    const goodsId = await newGoods(admin.token, '120.00', 10);
    const { token, userId } = await newCustomer(admin.token, { balance: '120.00' });
    const placed = await placeOrder(token, { items: [{ goodsId, quantity: 1 }], balance: '120.00' });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.equal(placed.body.status, 'PAID');
    return { orderId: placed.body.orderId, token, userId };
  }

  const ship = (orderId: string, token = admin.token) => call('POST', `/api/v1/admin/orders/${orderId}/ship`, { token });

  it('PAID -> SHIPPED -> COMPLETED, each change in the history with who made it', async () => {
    const { orderId, token, userId } = await paidOrder();
    const early = await call('POST', `/api/v1/orders/${orderId}/receipt`, { token });
    assert.equal(early.status, 409);
    assert.equal(early.body.code, 'ORDER_STATE');

    const shipped = await ship(orderId);
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
    assert.equal(shipped.body.status, 'SHIPPED');
    assert.ok(shipped.body.shippedAt);
    assert.equal((await ship(orderId)).body.status, 'SHIPPED', 'shipping again answers the order as it is');

    const received = await call('POST', `/api/v1/orders/${orderId}/receipt`, { token });
    assert.equal(received.status, 200);
    assert.equal(received.body.status, 'COMPLETED');
    assert.equal((await state.order(orderId))?.status, 'COMPLETED');

    const expected = [
      { from_status: null, to_status: 'PENDING', actor: `user:${userId}` },
      { from_status: 'PENDING', to_status: 'PAID', actor: 'system:placement' },
      { from_status: 'PAID', to_status: 'SHIPPED', actor: `admin:${admin.userId}` },
      { from_status: 'SHIPPED', to_status: 'COMPLETED', actor: `user:${userId}` },
    ];
    assert.deepEqual(await state.statusHistory(orderId), expected);
    const detail = await call('GET', `/api/v1/orders/${orderId}`, { token });
    assert.deepEqual(
      detail.body.history.map((h: { from: string | null; to: string; actor: string }) => ({ from_status: h.from, to_status: h.to, actor: h.actor })),
      expected,
    );
    for (const change of detail.body.history) assert.ok(!Number.isNaN(Date.parse(change.at)));
  });

  it('a customer cannot ship, and nobody ships an unpaid order', async () => {
    const { orderId, token } = await paidOrder();
    const byCustomer = await ship(orderId, token);
    assert.equal(byCustomer.status, 403);
    assert.equal((await state.order(orderId))?.status, 'PAID');

    const goodsId = await newGoods(admin.token, '10.00', 10);
    const customer = await newCustomer(admin.token);
    const unpaid = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] });
    assert.equal(unpaid.body.status, 'CONFIRMED');
    const refused = await ship(unpaid.body.orderId);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'ORDER_STATE');
    assert.equal((await state.order(unpaid.body.orderId))?.status, 'CONFIRMED');
  });

  it('a shipped order nobody confirms completes by itself after the configured days (7)', async () => {
    const { orderId } = await paidOrder();
    assert.equal((await ship(orderId)).status, 200);
    // Six days on, it waits.
    await state.backdateShipment(orderId, 6);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    assert.equal((await state.order(orderId))?.status, 'SHIPPED');
    // Past seven days, the order service's sweeper (every 2 s under the test profile) completes it.
    await state.backdateShipment(orderId, 2);
    await eventually('automatic completion', 30_000, async () => ((await state.order(orderId))?.status === 'COMPLETED' ? true : undefined));
    const history = await state.statusHistory(orderId);
    assert.deepEqual(history.at(-1), { from_status: 'SHIPPED', to_status: 'COMPLETED', actor: 'system:auto-complete' });
    assert.equal(history.filter((h) => h.to_status === 'COMPLETED').length, 1);
  });

  it('a cancelled order records who cancelled it and why', async () => {
    const goodsId = await newGoods(admin.token, '10.00', 10);
    const { token, userId } = await newCustomer(admin.token);
    const placed = await placeOrder(token, { items: [{ goodsId, quantity: 1 }] });
    const cancelled = await call('POST', `/api/v1/orders/${placed.body.orderId}/cancel`, { token, json: { reason: 'changed my mind' } });
    assert.equal(cancelled.body.status, 'CANCELLED');
    assert.deepEqual(cancelled.body.history.at(-1), {
      from: 'CONFIRMED',
      to: 'CANCELLED',
      actor: `user:${userId}`,
      reason: 'changed my mind',
      at: cancelled.body.history.at(-1).at,
    });
  });
});
