/**
 * No payment is kept for a cancelled order, whatever the timing: money the gateway takes after
 * (or while) the order is cancelled is refunded automatically, and a trade is CLOSED only once
 * Alipay says so. Each race is produced on purpose with the gateway's fault modes.
 */
import assert from 'node:assert/strict';
import { sleep } from '../../../common/test/support/infra';
import { call } from '../../order-web/test/support/shop-api';
import { withSystem } from '../../order-web/test/support/end-to-end';
import type { SystemState } from '../../order-web/test/support/system-state';
import { confirmedOrder, until } from './support/fixtures';
import { buyerPays, buyerScans, clearGatewayFaults, createPayment, gatewayFault, paymentOf, pendingFaults, refundsAtGateway, trade } from './support/pay-api';

describe('a payment for a cancelled order is refunded, whatever the timing', function () {
  this.timeout(180_000);
  let admin: string;
  let state: SystemState;

  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  afterEach(clearGatewayFaults);

  const cancel = (token: string, orderId: string) => call('POST', `/api/v1/orders/${orderId}/cancel`, { token, json: { reason: 'changed my mind' } });

  /** The money the gateway took came back in full, automatically, and the order stays CANCELLED with everything released. */
  async function expectRefundedInFull(fixture: { customer: { userId: string }; orderId: string; goodsId: string }, paymentId: string) {
    // One sweep interval (5 s in the test profile) plus the messages' way: generous, not tight.
    await until(
      'the automatic refund',
      async () => (await state.refunds(fixture.orderId)).some((r) => r.kind === 'PAYMENT_REJECTED' && r.status === 'SUCCEEDED'),
      45_000,
    );
    assert.deepEqual(Object.values(await refundsAtGateway(paymentId)), ['50.00']);
    assert.equal((await trade(paymentId)).status, 'TRADE_CLOSED');
    assert.equal((await state.payment(paymentId))?.status, 'REFUNDED');
    assert.equal((await state.order(fixture.orderId))?.status, 'CANCELLED');
    await until('the releases', async () => (await state.balance(fixture.customer.userId)) === '50.00' && (await state.stock(fixture.goodsId)) === 10);
    assert.equal(await state.points(fixture.customer.userId), '0', 'a rejected payment earns nothing');
  }

  it('cancelled while Alipay was creating the trade: no QR code handed out; paid anyway, refunded', async () => {
    const fixture = await confirmedOrder(admin);
    await gatewayFault('alipay.trade.precreate', 'delay', { delayMs: 2_000 });
    const creating = createPayment(fixture.customer.token, fixture.orderId);
    await sleep(500);
    assert.equal((await cancel(fixture.customer.token, fixture.orderId)).status, 200);
    const created = await creating;
    assert.deepEqual([created.status, created.body.code], [409, 'ORDER_STATE'], JSON.stringify(created.body));
    const payment = (await state.paymentOfOrder(fixture.orderId))!;
    assert.equal(payment.status, 'UNPAID', 'the row was written before the trade');
    // A buyer holding the trade anyway (a QR code seen before the cancel) pays it.
    assert.equal((await buyerPays(payment.id)).status, 200);
    await expectRefundedInFull(fixture, payment.id);
  });

  it('a close Alipay refused leaves the payment open (never CLOSED); paid afterwards, refunded', async () => {
    const fixture = await confirmedOrder(admin);
    const paymentId = await paymentOf(fixture.customer.token, fixture.orderId);
    assert.equal((await buyerScans(paymentId)).status, 200);
    await gatewayFault('alipay.trade.close', 'error', { count: 20 });
    assert.equal((await cancel(fixture.customer.token, fixture.orderId)).status, 200);
    await until('Alipay to be asked to close the trade', async () => (await pendingFaults('alipay.trade.close')) < 20, 20_000);
    assert.equal((await trade(paymentId)).status, 'WAIT_BUYER_PAY');
    assert.equal((await state.payment(paymentId))?.status, 'UNPAID', 'not CLOSED while Alipay can still take money');
    assert.equal((await buyerPays(paymentId)).status, 200);
    await expectRefundedInFull(fixture, paymentId);
  });

  it('a notification arriving after the cancel (Alipay could not be asked meanwhile): refunded', async () => {
    const fixture = await confirmedOrder(admin);
    const paymentId = await paymentOf(fixture.customer.token, fixture.orderId);
    await gatewayFault('alipay.trade.query', 'error', { count: 50 });
    await gatewayFault('alipay.trade.close', 'error', { count: 50 });
    assert.equal((await buyerPays(paymentId, 'delayed', 6_000)).status, 200);
    assert.equal((await cancel(fixture.customer.token, fixture.orderId)).status, 200, 'the order does not know yet that it was paid');
    await until('the late notification', async () => (await trade(paymentId)).notifications.length > 0, 30_000);
    await clearGatewayFaults();
    await expectRefundedInFull(fixture, paymentId);
  });

  it('never paid and never scanned: CLOSED only after the deadline (and its margin), the order CANCELLED, everything back', async () => {
    const fixture = await confirmedOrder(admin, { coupon: true });
    const created = await createPayment(fixture.customer.token, fixture.orderId);
    assert.equal(created.status, 201);
    const { paymentId, expiresAt } = created.body;
    assert.ok(new Date(expiresAt).getTime() - Date.now() < 30_000, `a short pay deadline (SHOP_PROFILE=test), not ${expiresAt}`);
    assert.equal((await trade(paymentId)).scanned, false);
    await until('the order to be CANCELLED', async () => (await state.order(fixture.orderId))?.status === 'CANCELLED');
    const closedAt = Date.now();
    assert.ok(closedAt >= new Date(expiresAt).getTime(), 'not before the deadline');
    assert.equal((await state.payment(paymentId))?.status, 'CLOSED');
    await until('the releases', async () => Object.values(await state.released(fixture.orderId)).every(Boolean));
    assert.equal(await state.stock(fixture.goodsId), 10);
    assert.equal(await state.balance(fixture.customer.userId), '50.00');
    assert.deepEqual(await state.coupon(fixture.customer.couponIds[0]!), { used: 0, order_id: null });
    const late = await buyerPays(paymentId);
    assert.deepEqual([late.status, late.body.code], [409, 'QR_CODE_EXPIRED'], 'the QR code died with the deadline');
  });
});
