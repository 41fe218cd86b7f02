import assert from 'node:assert/strict';
import { ORDER_STATUSES, orderMachine, PAID_STATUSES, type OrderStatus } from '../../src/domain/order-status';

describe('the order status machine', () => {
  it('ends only in CANCELLED and REFUNDED, and reaches every status from PENDING', () => {
    assert.deepEqual(orderMachine.final().sort(), ['CANCELLED', 'REFUNDED']);
    const reached = new Set<OrderStatus>(['PENDING']);
    for (let grew = true; grew;) {
      grew = false;
      for (const move of Object.values(orderMachine.moves)) {
        if (move.from.some((status) => reached.has(status)) && !reached.has(move.to)) grew = reached.add(move.to) !== undefined;
      }
    }
    assert.deepEqual([...reached].sort(), [...ORDER_STATUSES].sort());
  });

  it('lets an unpaid order be cancelled, a paid one never', () => {
    for (const status of ORDER_STATUSES) {
      const cancellable = orderMachine.movesFrom(status).some((move) => orderMachine.moves[move].to === 'CANCELLED');
      assert.equal(cancellable, status === 'PENDING' || status === 'CONFIRMED', status);
    }
  });

  it('takes a payment only into CONFIRMED (PENDING waits), and refunds in full only what was paid', () => {
    assert.deepEqual(orderMachine.moves.pay.from, ['CONFIRMED']);
    assert.equal(orderMachine.can('refundInFull', 'CONFIRMED'), false);
    for (const status of orderMachine.moves.refundInFull.from) assert.ok(PAID_STATUSES.includes(status), status);
  });

  it('ships only PAID orders and completes only SHIPPED ones', () => {
    assert.deepEqual(
      ORDER_STATUSES.filter((s) => orderMachine.can('ship', s)),
      ['PAID'],
    );
    assert.deepEqual(
      ORDER_STATUSES.filter((s) => orderMachine.can('receive', s)),
      ['SHIPPED'],
    );
  });
});
