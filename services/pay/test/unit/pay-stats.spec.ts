/** The pay side of the admin console: every refund, newest first, and payments and refunds per day. */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { payStats } from '../../src/domain/pay-stats';
import { listRefunds, requestRefund, type RefundView } from '../../src/domain/refunds';
import { openPayment, paidOrder, payWorld } from './fakes/pay-world';

const today = () => new Date().toISOString().slice(0, 10);

async function refundOf(world: ReturnType<typeof payWorld>, orderId: string, amount: string): Promise<RefundView> {
  const refund = await requestRefund(world.deps, { requestId: `r-${orderId}`, orderId, userId: world.userId, amount, reason: 'too big', items: [] });
  assert.ok(!(refund instanceof DomainError), String(refund));
  return refund;
}

describe('the admin views of payments and refunds (unit)', () => {
  it("lists every order's refunds newest first, by status and a page at a time", async () => {
    const world = payWorld();
    const first = await refundOf(world, (await paidOrder(world, '30.00')).order.orderId, '10.00');
    const second = await refundOf(world, (await paidOrder(world, '40.00')).order.orderId, '40.00');
    const all = await listRefunds(world.deps, { orderId: '', userId: '', page: 1, size: 1 });
    assert.ok(!(all instanceof DomainError));
    assert.deepEqual([all.total, all.refunds.map((refund) => refund.refundId)], [2, [second.refundId]]);
    const next = await listRefunds(world.deps, { orderId: '', userId: '', page: 2, size: 1 });
    assert.ok(!(next instanceof DomainError));
    assert.deepEqual(
      next.refunds.map((refund) => refund.refundId),
      [first.refundId],
    );
    const failed = await listRefunds(world.deps, { orderId: '', userId: '', status: 'FAILED' });
    assert.ok(!(failed instanceof DomainError));
    assert.equal(failed.total, 0);
    const tooBig = await listRefunds(world.deps, { orderId: '', userId: '', size: 101 });
    assert.ok(tooBig instanceof DomainError && tooBig.code === ErrorCode.INVALID_ARGUMENT);
  });

  it('counts payments (created, paid, closed) and refunds (succeeded, with their amount) per day, zeros for quiet days', async () => {
    const world = payWorld();
    const paid = await paidOrder(world, '30.00');
    await openPayment(world, '12.00');
    await refundOf(world, paid.order.orderId, '10.00');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const days = await payStats(world.deps, { from: yesterday, to: today() });
    assert.ok(!(days instanceof DomainError));
    assert.deepEqual(days, [
      { day: yesterday, payments: 0, paid: 0, closed: 0, refundsSucceeded: 0, refundsFailed: 0, refundsPending: 0, refunded: '0.00' },
      { day: today(), payments: 2, paid: 1, closed: 0, refundsSucceeded: 1, refundsFailed: 0, refundsPending: 0, refunded: '10.00' },
    ]);
    const reversed = await payStats(world.deps, { from: today(), to: yesterday });
    assert.ok(reversed instanceof DomainError && reversed.code === ErrorCode.INVALID_ARGUMENT);
  });
});
