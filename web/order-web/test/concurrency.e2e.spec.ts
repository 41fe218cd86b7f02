/** Many orders at once through order-web: no oversell, no negative balance, nothing leaked. */
import assert from 'node:assert/strict';
import { eventually } from '../../../common/test/support/infra';
import { adminLogin, newCustomer, newGoods, placeOrder } from './support/shop-api';
import { SystemState } from './support/system-state';

describe('concurrent orders end to end', function () {
  this.timeout(120_000);
  let admin: string;
  let state: SystemState;

  before(async () => {
    admin = (await adminLogin()).token;
    state = await SystemState.open();
  });

  after(async () => {
    await state?.close();
  });

  it('200 concurrent orders for goods with stock 50: exactly 50 confirmed, stock never negative', async () => {
    const goodsId = await newGoods(admin, '9.90', 50);
    const customers = await Promise.all(Array.from({ length: 20 }, () => newCustomer(admin)));
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => placeOrder(customers[i % customers.length]!.token, { items: [{ goodsId, quantity: 1 }] })),
    );
    const byOutcome = new Map<string, number>();
    for (const reply of replies) {
      const outcome = reply.status === 201 ? reply.body.status : `${reply.status} ${reply.body.code}`;
      byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(byOutcome), { CONFIRMED: 50, '409 INSUFFICIENT_STOCK': 150 });
    assert.equal(await state.stock(goodsId), 0);

    const orders = (await Promise.all(customers.map((customer) => state.ordersOf(customer.userId)))).flat();
    assert.equal(orders.filter((order) => order.status === 'CONFIRMED').length, 50);
    assert.equal(orders.filter((order) => order.status === 'CANCELLED').length, 150);
    // The releases of the 150 cancelled orders give back nothing (they took nothing).
    await eventually('the releases of the cancelled orders', 60_000, async () => {
      const ledgers = await Promise.all(orders.filter((order) => order.status === 'CANCELLED').map((order) => state.released(order.id)));
      return ledgers.every((ledger) => ledger.goods) ? true : undefined;
    });
    assert.equal(await state.stock(goodsId), 0);
    const held = await Promise.all(orders.map((order) => state.unitsTaken(order.id)));
    assert.equal(held.reduce((sum, units) => sum + units, 0), 50);
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
