/** Many orders at once through order-web: no oversell, no negative balance, nothing leaked. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, sleep } from '../../../common/test/support/infra';
import { call, newCustomer, newGoods, placeOrder, type Reply } from './support/shop-api';
import { withSystem } from './support/end-to-end';
import type { SystemState } from './support/system-state';

/**
 * How a correct client places an order under overload: with an Idempotency-Key, and when the
 * answer is 503 (a deadline passed: the outcome is unknown) it asks again with the same key,
 * then follows an order still in flight until it settles. Returns the settled outcome:
 * "CONFIRMED", "CANCELLED: <reason>" or the refusal's "<status> <code>". The specs assert
 * outcomes, not speed: on a small machine 200 orders at once can outlast order-web's deadline.
 */
async function settledOrder(token: string, body: Record<string, unknown>): Promise<string> {
  const key = randomUUID();
  let reply: Reply = await placeOrder(token, body, { 'idempotency-key': key });
  for (let attempt = 0; reply.status === 503 && attempt < 20; attempt++) {
    await sleep(1_000);
    reply = await placeOrder(token, body, { 'idempotency-key': key });
  }
  if (reply.status !== 201) return `${reply.status} ${reply.body.code}`;
  const orderId = reply.body.orderId as string;
  const settled = await eventually(`order ${orderId} settled`, 60_000, async () => {
    const now = await call('GET', `/api/v1/orders/${orderId}`, { token });
    // A read that timed out under the load is asked again, like an order still in flight.
    return now.status !== 200 || now.body.status === 'PENDING' ? undefined : now.body;
  });
  return settled.status === 'CANCELLED' ? `CANCELLED: ${settled.cancelReason}` : settled.status;
}

describe('concurrent orders end to end', function () {
  this.timeout(120_000);
  let admin: string;
  let state: SystemState;

  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  it('200 concurrent orders for goods with stock 50: never more than 50 confirmed, stock never negative, nothing leaked', async () => {
    const goodsId = await newGoods(admin, '9.90', 50);
    const customers = await Promise.all(Array.from({ length: 20 }, () => newCustomer(admin)));
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => settledOrder(customers[i % customers.length]!.token, { items: [{ goodsId, quantity: 1 }] })),
    );
    const byOutcome = new Map<string, number>();
    for (const outcome of outcomes) {
      // Refused before any order was written (the stock read short), or by the reservation (a
      // CANCELLED order, which is what a retry with the idempotency key then answers).
      const refusal = outcome === `CANCELLED: not enough stock for goods ${goodsId}` ? '409 INSUFFICIENT_STOCK' : outcome;
      byOutcome.set(refusal, (byOutcome.get(refusal) ?? 0) + 1);
    }
    // On an overloaded machine a placement can outlast its deadline (10 s): the check-back then
    // cancels it and gives back what it held, and an order confirmed too late for its 20 s pay
    // deadline (test profile) is cancelled unpaid. Both free units that others were refused while
    // they were held, so fewer than 50 may be confirmed; on a machine that keeps up, exactly 50.
    const OVERLOAD = ['CANCELLED: placement abandoned (no confirmation before the deadline)', 'CANCELLED: not paid before the pay deadline'];
    const unexpected = [...byOutcome.keys()].filter((outcome) => !['CONFIRMED', '409 INSUFFICIENT_STOCK', ...OVERLOAD].includes(outcome));
    assert.deepEqual(unexpected, [], JSON.stringify(Object.fromEntries(byOutcome)));
    const confirmed = byOutcome.get('CONFIRMED') ?? 0;
    const overloaded = OVERLOAD.reduce((sum, outcome) => sum + (byOutcome.get(outcome) ?? 0), 0);
    assert.ok(confirmed <= 50, `never more than the stock confirmed (${confirmed})`);
    if (overloaded === 0) assert.equal(confirmed, 50, JSON.stringify(Object.fromEntries(byOutcome)));

    const orders = (await Promise.all(customers.map((customer) => state.ordersOf(customer.userId)))).flat();
    const live = orders.filter((order) => order.status !== 'CANCELLED');
    assert.ok(live.length <= 50, `${live.length} live orders`);
    assert.deepEqual(
      live.filter((order) => order.status !== 'CONFIRMED'),
      [],
      'nothing but CONFIRMED and CANCELLED',
    );
    const cancelled = orders.filter((order) => order.status === 'CANCELLED');
    // Every cancelled order's release applied, then the stock is what the live orders do not hold.
    await eventually('the releases of the cancelled orders', 60_000, async () => {
      const ledgers = await Promise.all(cancelled.map((order) => state.released(order.id)));
      return ledgers.every((ledger) => ledger.goods) ? true : undefined;
    });
    // Read again: a CONFIRMED order may meanwhile pass its 20 s pay deadline (test profile) and
    // be cancelled, its unit given back (a clean-clone CI run saw 18 so).
    await eventually('one unit held per live order, and stock plus units held = 50', 60_000, async () => {
      const now = (await Promise.all(customers.map((customer) => state.ordersOf(customer.userId)))).flat();
      const heldUnits = (await Promise.all(now.map((order) => state.unitsTaken(order.id)))).reduce((sum, units) => sum + units, 0);
      const liveNow = now.filter((order) => order.status !== 'CANCELLED').length;
      return heldUnits === liveNow && (await state.stock(goodsId)) === 50 - heldUnits ? true : undefined;
    });
  });

  it('concurrent orders of one user never drive the balance negative', async () => {
    const goodsId = await newGoods(admin, '10.00', 1000);
    const customer = await newCustomer(admin, { balance: '100.00' });
    // Each order asks for 15.00 of balance (goods 10.00 + shipping 10.00): only 6 fit in 100.00.
    const replies = await Promise.all(Array.from({ length: 20 }, () => placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '15.00' })));
    const confirmed = replies.filter((reply) => reply.status === 201 && reply.body.status === 'CONFIRMED');
    const refused = replies.filter((reply) => reply.status === 409 && reply.body.code === 'INSUFFICIENT_BALANCE');
    assert.equal(confirmed.length, 6);
    assert.equal(refused.length, 14);
    assert.equal(await state.balance(customer.userId), '10.00');
    const orders = await state.ordersOf(customer.userId);
    await eventually('the releases of the cancelled orders', 60_000, async () => {
      const ledgers = await Promise.all(orders.filter((order) => order.status === 'CANCELLED').map((order) => state.released(order.id)));
      return ledgers.every((ledger) => ledger.goods && ledger.user) ? true : undefined;
    });
    assert.equal(await state.balance(customer.userId), '10.00');
    assert.equal(await state.stock(goodsId), 1000 - 6);
  });
});
