/**
 * Refunds the pay service starts on the order service's word (src/domain/refunds.ts): a payment
 * the order could not take (order.payment-rejected) goes back in full, once; an approved
 * after-sales request is refunded once, however often its message is delivered.
 */
import assert from 'node:assert/strict';
import { Tags } from '@shop/contracts';
import { settleUnpaid } from '../../src/domain/payments';
import { refundAfterSales, refundRejectedPayment } from '../../src/domain/refunds';
import { alipayReply, openPayment, paidOrder, payWorld, tags } from './fakes/pay-world';

describe('refunds the order service asks for (unit, in memory)', () => {
  it('a payment made after its order was cancelled is applied, then refunded in full through Alipay when the order rejects it', async () => {
    const world = payWorld();
    const { deps, store, alipay, orders } = world;
    const { order, paymentId } = await openPayment(world);
    orders.orders.get(order.orderId)!.status = 'CANCELLED';
    // order.cancelled: the open trade is settled at once; nobody scanned it yet, so it stays open.
    assert.equal(await settleUnpaid(deps, paymentId, { force: true }), 'OPEN');
    alipay.pay(paymentId); // the buyer still had the QR code on screen
    assert.equal(await alipayReply(deps, alipay.notification(paymentId)), 'success');
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED], 'the order service decides: it rejects it');

    const rejected = { paymentId, orderId: order.orderId, orderStatus: 'CANCELLED' };
    const refund = (await refundRejectedPayment(deps, rejected))!;
    assert.deepEqual([refund.kind, refund.status, refund.alipay_amount], ['PAYMENT_REJECTED', 'SUCCEEDED', '48.00']);
    assert.equal(refund.reason, 'paid after the order was cancelled');
    assert.equal(alipay.refundedOf(paymentId), '48.00');
    const payment = (await store.findPayment(paymentId))!;
    assert.deepEqual([payment.status, payment.refunded_amount], ['REFUNDED', '48.00']);
    assert.deepEqual(orders.calls, [], 'no hold: the order took nothing');
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED], 'and no pay.refund-finished: no hold to end');

    const again = (await refundRejectedPayment(deps, rejected))!;
    assert.equal(again.id, refund.id, 'the message delivered again finds the same refund');
    assert.equal(alipay.callsOf('refund').length, 1);
  });

  it('an approved after-sales request of a shipped order is refunded once, however often its message comes', async () => {
    const world = payWorld();
    const { deps, store, alipay, orders, refunds, ids, userId } = world;
    const { order, paymentId } = await paidOrder(world);
    orders.orders.get(order.orderId)!.status = 'SHIPPED';
    const approved = { afterSalesId: ids.next(), orderId: order.orderId, userId, amount: '10.00', reason: 'scratched' };

    const refund = await refundAfterSales(deps, approved);
    assert.deepEqual([refund.kind, refund.status, refund.amount, refund.restock], ['AFTER_SALES', 'SUCCEEDED', '10.00', '[]']);
    assert.equal(alipay.refundedOf(paymentId), '10.00');
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED, Tags.PAY_REFUND_FINISHED]);

    assert.equal((await refundAfterSales(deps, approved)).id, refund.id);
    assert.equal(refunds.all().length, 1);
    assert.deepEqual([alipay.callsOf('refund').length, orders.callsTo('hold').length], [1, 1]);
    assert.equal(orders.orders.get(order.orderId)!.refundedAmount, '10.00');
  });

  it('an after-sales refund the order service refuses ends FAILED with its reason; the order marks the request itself', async () => {
    const world = payWorld();
    const { deps, store, alipay, orders, ids, userId } = world;
    const { order } = await paidOrder(world);
    // Not shipped: after-sales refunds are for shipped orders.
    const refund = await refundAfterSales(deps, { afterSalesId: ids.next(), orderId: order.orderId, userId, amount: '', reason: 'broken' });
    assert.deepEqual([refund.status, refund.failure_reason], ['FAILED', 'order is PAID']);
    assert.deepEqual(alipay.callsOf('refund'), []);
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED], 'no pay.refund-finished: there is no hold to end');
    assert.deepEqual(orders.finished, []);
  });

  it('an after-sales refund waits (PENDING) while another refund of the order runs, instead of failing', async () => {
    const world = payWorld();
    const { deps, orders, ids, userId } = world;
    const { order } = await paidOrder(world);
    orders.orders.get(order.orderId)!.status = 'COMPLETED';
    orders.holds.set(ids.next(), { orderId: order.orderId, plan: {} as never, status: 'OPEN' });
    const refund = await refundAfterSales(deps, { afterSalesId: ids.next(), orderId: order.orderId, userId, amount: '', reason: 'broken' });
    assert.equal(refund.status, 'PENDING');
    assert.match(refund.last_error ?? '', /in progress/);
  });
});
