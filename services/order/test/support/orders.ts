/** Orders as a test's starting point, through any OrderRepository (the SQL store or the in-memory fake). */
import assert from 'node:assert/strict';
import { SnowflakeGenerator } from '@shop/common/ids';
import type { OrderMove } from '../../src/domain/order-status';
import type { NewOrder, OrderRepository, StatusChange } from '../../src/domain/ports';

const ids = new SnowflakeGenerator(906);

/**
 * Inserts a PENDING order of 10.00 (2.00 by balance, 8.00 to pay) for one goods, then applies
 * `moves` in turn with `change` (a pay deadline, say); each move must apply. Returns the order id.
 */
export async function orderIn(orders: OrderRepository, moves: OrderMove[], change: Partial<StatusChange> = {}, order: Partial<NewOrder> = {}): Promise<string> {
  const id = ids.next();
  const inserted = await orders.insertPending({
    id,
    userId: ids.next(),
    goodsAmount: '10.00',
    shippingFee: '0.00',
    couponId: null,
    couponPaid: '0.00',
    balancePaid: '2.00',
    payAmount: '8.00',
    address: 'a',
    consignee: 'c',
    idempotencyKey: null,
    requestHash: null,
    items: [{ goodsId: ids.next(), name: 'g', price: '10.00', quantity: 1 }],
    traceParent: null,
    ...order,
  });
  assert.ok(inserted, 'the order was inserted');
  for (const move of moves) assert.ok(await orders.transition(undefined, id, move, { actor: 'test', reason: 'test', ...change }), move);
  return id;
}
