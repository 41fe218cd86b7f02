/**
 * No payment is kept for a cancelled order, whatever the timing, through either channel: money
 * the gateway takes after (or while) the order is cancelled is refunded automatically, and a
 * trade is CLOSED only once its channel says so. Each race is produced on purpose with the
 * gateways' fault modes.
 */
import assert from 'node:assert/strict';
import { sleep } from '../../../common/test/support/infra';
import { call } from '../../order-web/test/support/shop-api';
import { withSystem } from '../../order-web/test/support/end-to-end';
import type { SystemState } from '../../order-web/test/support/system-state';
import { CHANNELS, payThrough } from './support/channels';
import { confirmedOrder, until } from './support/fixtures';
import { createPayment, GATEWAY, http, trade } from './support/pay-api';

for (const channel of CHANNELS) {
  describe(`a payment through ${channel.title} for a cancelled order is refunded, whatever the timing`, function () {
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

    afterEach(() => channel.clearFaults());

    const cancel = (token: string, orderId: string) => call('POST', `/api/v1/orders/${orderId}/cancel`, { token, json: { reason: 'changed my mind' } });
    const pay = (token: string, orderId: string) => payThrough(token, orderId, channel.channel);
    async function paymentOf(token: string, orderId: string): Promise<string> {
      const created = await pay(token, orderId);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.paymentId as string;
    }

    /** The money the gateway took came back in full, automatically, and the order stays CANCELLED with everything released. */
    async function expectRefundedInFull(fixture: { customer: { userId: string }; orderId: string; goodsId: string }, paymentId: string) {
      // One sweep interval (5 s in the test profile) plus the messages' way: generous, not tight.
      await until(
        'the automatic refund',
        async () => (await state.refunds(fixture.orderId)).some((r) => r.kind === 'PAYMENT_REJECTED' && r.status === 'SUCCEEDED'),
        45_000,
      );
      const atGateway = (await channel.trade(paymentId))!;
      assert.deepEqual([Object.values(atGateway.refunds), atGateway.refunded], [['50.00'], '50.00']);
      assert.equal((await state.payment(paymentId))?.status, 'REFUNDED');
      assert.equal((await state.order(fixture.orderId))?.status, 'CANCELLED');
      await until('the releases', async () => (await state.balance(fixture.customer.userId)) === '50.00' && (await state.stock(fixture.goodsId)) === 10);
      assert.equal(await state.points(fixture.customer.userId), '0', 'a rejected payment earns nothing');
    }

    it(`cancelled while ${channel.title} was creating the trade: no QR code handed out; a trade still payable is refunded when paid`, async () => {
      const fixture = await confirmedOrder(admin);
      await channel.fail('create', 1, 'delay', 2_000);
      const creating = pay(fixture.customer.token, fixture.orderId);
      await sleep(500);
      assert.equal((await cancel(fixture.customer.token, fixture.orderId)).status, 200);
      const created = await creating;
      assert.deepEqual([created.status, created.body.code], [409, 'ORDER_STATE'], JSON.stringify(created.body));
      const payment = (await state.paymentOfOrder(fixture.orderId))!;
      assert.equal(payment.status, 'UNPAID', 'the row was written before the trade');
      // The pay service closed the trade it had just made. An Alipay QR code nobody scanned cannot be
      // closed (Alipay knows no trade yet): a buyer holding it anyway pays it, and is refunded.
      const paid = await channel.pay(payment.id);
      if (channel.channel === 'WECHAT_NATIVE') {
        assert.deepEqual([paid.status, paid.body.code], [409, 'ORDER_CLOSED'], 'WeChat closed the order: nobody can pay it');
        await until('the payment CLOSED', async () => (await state.payment(payment.id))?.status === 'CLOSED');
        assert.equal((await channel.trade(payment.id))?.state, 'CLOSED');
      } else {
        assert.equal(paid.status, 200);
        await expectRefundedInFull(fixture, payment.id);
      }
    });

    it(`a close ${channel.title} refused leaves the payment open (never CLOSED); paid afterwards, refunded`, async () => {
      const fixture = await confirmedOrder(admin);
      const paymentId = await paymentOf(fixture.customer.token, fixture.orderId);
      await channel.scan(paymentId);
      await channel.fail('close', 20);
      assert.equal((await cancel(fixture.customer.token, fixture.orderId)).status, 200);
      await until('the channel to be asked to close the trade', async () => (await channel.pendingFaults('close')) < 20, 20_000);
      assert.equal((await channel.trade(paymentId))?.state, 'WAITING');
      assert.equal((await state.payment(paymentId))?.status, 'UNPAID', 'not CLOSED while the channel can still take money');
      assert.equal((await channel.pay(paymentId)).status, 200);
      await expectRefundedInFull(fixture, paymentId);
    });

    it(`a notification arriving after the cancel (${channel.title} could not be asked meanwhile): refunded`, async () => {
      const fixture = await confirmedOrder(admin);
      const paymentId = await paymentOf(fixture.customer.token, fixture.orderId);
      await channel.fail('query', 50);
      await channel.fail('close', 50);
      assert.equal((await channel.pay(paymentId, 'delayed', 6_000)).status, 200);
      assert.equal((await cancel(fixture.customer.token, fixture.orderId)).status, 200, 'the order does not know yet that it was paid');
      await until('the late notification', async () => (await channel.notificationsOf(paymentId)).length > 0, 30_000);
      await channel.clearFaults();
      await expectRefundedInFull(fixture, paymentId);
    });
  });
}

describe('a QR code nobody scanned (Alipay)', function () {
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
    const late = await http('POST', `${GATEWAY}/sandbox/trades/${paymentId}/pay`, { json: { notify: 'normal' } });
    assert.deepEqual([late.status, late.body.code], [409, 'QR_CODE_EXPIRED'], 'the QR code died with the deadline');
  });
});
