/**
 * Pay deadlines enforced on time by the broker's timers, for every confirmed order whether or not
 * a payment was ever created, and every move to CANCELLED announced through the outbox.
 * Needs the test profile (20 s to pay, a 2 s expiry margin).
 */
import assert from 'node:assert/strict';
import { withSystem } from './support/end-to-end';
import { call, newCustomer, newGoods, placeOrder } from './support/shop-api';
import type { SystemState } from './support/system-state';
import { eventually } from '../../../common/test/support/infra';

describe('pay deadlines and cancellations', function () {
  this.timeout(240_000);
  let admin: string;
  let state: SystemState;

  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  it('a burst of 300 unpaid orders (no payment ever created): all CANCELLED within their deadline + 30 s, every unit back', async () => {
    const goodsId = await newGoods(admin, '10.00', 1_000);
    const customers = await Promise.all(Array.from({ length: 10 }, () => newCustomer(admin)));
    const orderIds: string[] = [];
    let next = 0;
    await Promise.all(
      customers.map(async (customer) => {
        while (next < 300) {
          next++;
          const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] });
          assert.equal(placed.body.status, 'CONFIRMED', JSON.stringify(placed.body));
          orderIds.push(placed.body.orderId);
        }
      }),
    );
    assert.equal(await state.stock(goodsId), 1_000 - orderIds.length);
    const deadlines = new Map<string, number>();
    for (const id of orderIds) deadlines.set(id, (await state.order(id))!.pay_deadline!.getTime());
    const last = Math.max(...deadlines.values());
    await eventually('every order CANCELLED', last + 30_000 - Date.now() + 5_000, async () => {
      for (const id of orderIds) if ((await state.order(id))?.status !== 'CANCELLED') return undefined;
      return true;
    });
    for (const id of orderIds) {
      const order = (await state.order(id))!;
      assert.ok(
        order.updated_at.getTime() <= deadlines.get(id)! + 30_000,
        `order ${id} cancelled ${order.updated_at.getTime() - deadlines.get(id)!} ms after its deadline`,
      );
      assert.ok(order.updated_at.getTime() >= deadlines.get(id)!, `order ${id} cancelled before its deadline`);
    }
    await eventually('every unit back', 60_000, async () => ((await state.stock(goodsId)) === 1_000 ? true : undefined));
  });

  it('every move to CANCELLED writes order.cancelled in its transaction: refused placement, cancel, deadline', async () => {
    const goodsId = await newGoods(admin, '10.00', 10);
    const customer = await newCustomer(admin, { balance: '1.00' });
    const refused = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '5.00' });
    assert.deepEqual([refused.status, refused.body.code], [409, 'INSUFFICIENT_BALANCE']);
    const [refusedOrder] = await state.ordersOf(customer.userId);
    assert.equal(refusedOrder?.status, 'CANCELLED');
    assert.ok((await state.outboxTags('order', refusedOrder!.id)).includes('order.cancelled'), 'a failed placement announces its cancellation');

    const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] });
    assert.equal((await call('POST', `/api/v1/orders/${placed.body.orderId}/cancel`, { token: customer.token })).status, 200);
    assert.deepEqual(await state.outboxTags('order', placed.body.orderId), ['order.pay-deadline', 'order.cancelled']);
    await eventually('the releases', 30_000, async () => (Object.values(await state.released(placed.body.orderId)).every(Boolean) ? true : undefined));
    assert.equal(await state.stock(goodsId), 10);
    assert.equal(await state.balance(customer.userId), '1.00');
  });
});
