/**
 * Refunds, the rules and their records, end to end, through each channel: the customer's refund
 * before shipment, with the gateway's own ledger as the money's truth. Alipay answers a refund at
 * once; WeChat Pay answers PROCESSING and finishes it by its refund notification, so the specs
 * wait for a refund to finish rather than read it off the first answer. (Interrupted refunds:
 * refund-recovery.e2e.spec.ts; after shipment: order-web's after-sales.e2e.spec.ts.)
 */
import assert from 'node:assert/strict';
import { sleep } from '../../../common/test/support/infra';
import { call, type Reply } from '../../order-web/test/support/shop-api';
import { withSystem } from '../../order-web/test/support/end-to-end';
import type { SystemState } from '../../order-web/test/support/system-state';
import { CHANNELS } from './support/channels';
import { paidOrder, until } from './support/fixtures';
import { refund, refundsOf } from './support/pay-api';

for (const channel of CHANNELS) {
  describe(`refunds through ${channel.title}: one per key, the order REFUNDED only when all succeeded, stock and coupon back before shipment`, function () {
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

    const paid = (options: { coupon?: boolean } = {}) => paidOrder(admin, state, { ...options, channel: channel.channel });
    /** The refunds the gateway made of the trade: refund id -> amount (finished ones). */
    const atGateway = async (paymentId: string) => (await channel.trade(paymentId))?.refunds ?? {};

    /** The refund as it ended (SUCCEEDED or FAILED), as the customer's list shows it. */
    async function ended(token: string, orderId: string, answer: Reply) {
      assert.ok([201, 202].includes(answer.status), JSON.stringify(answer.body));
      const refundId = answer.body.refundId as string;
      await until(`refund ${refundId} to end`, async () => (await state.refunds(orderId)).some((row) => row.id === refundId && row.status !== 'PENDING'));
      return (await refundsOf(token, orderId)).find((view: { refundId: string }) => view.refundId === refundId);
    }
    const refundEnded = async (token: string, orderId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      ended(token, orderId, await refund(token, orderId, body, headers));

    it('20 parallel refunds with one Idempotency-Key refund once at the gateway, and once everywhere else', async () => {
      const { customer, orderId, paymentId } = await paid();
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => refund(customer.token, orderId, { amount: '10.00', reason: 'one of two damaged' }, { 'idempotency-key': 'same-key' })),
      );
      assert.ok(
        answers.every((answer) => answer.status === 201 || answer.status === 202),
        JSON.stringify(answers.map((answer) => [answer.status, answer.body])),
      );
      const refundIds = new Set(answers.map((answer) => answer.body.refundId));
      assert.equal(refundIds.size, 1, 'every answer names the same refund');
      await until('the refund to succeed', async () => (await state.refunds(orderId))[0]?.status === 'SUCCEEDED');
      assert.deepEqual(Object.values(await atGateway(paymentId)), ['10.00'], `${channel.title} gave back 10.00 once`);
      assert.equal((await state.refunds(orderId)).length, 1);
      assert.equal(await state.balance(customer.userId), '30.00', 'the balance part is untouched (the channel first)');
      assert.equal(await state.points(customer.userId), '60');
      assert.equal((await state.order(orderId))?.status, 'PAID');
      await until('the hold to close', async () => (await state.holds(orderId)).every((hold) => hold.status === 'SUCCEEDED'));
      assert.equal((await state.order(orderId))?.refunded_amount, '10.00');
    });

    it('the same key with another body answers 409 IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
      const { customer, orderId, paymentId } = await paid();
      const first = await refundEnded(customer.token, orderId, { amount: '5.00', reason: 'late' }, { 'idempotency-key': 'k1' });
      assert.equal(first.status, 'SUCCEEDED', JSON.stringify(first));
      const again = await refund(customer.token, orderId, { amount: '5.00', reason: 'late' }, { 'idempotency-key': 'k1' });
      assert.deepEqual([again.status, again.body.refundId, again.body.status], [201, first.refundId, 'SUCCEEDED']);
      const other = await refund(customer.token, orderId, { amount: '6.00', reason: 'late' }, { 'idempotency-key': 'k1' });
      assert.deepEqual([other.status, other.body.code], [409, 'IDEMPOTENCY_KEY_REUSED']);
      assert.deepEqual(Object.values(await atGateway(paymentId)), ['5.00']);
      assert.equal((await state.refunds(orderId)).length, 1);
    });

    it('without a key every request is a new refund (never the answer of an earlier one)', async () => {
      const { customer, orderId, paymentId } = await paid();
      const first = await refundEnded(customer.token, orderId, { amount: '7.00', reason: 'first' });
      const second = await refundEnded(customer.token, orderId, { amount: '7.00', reason: 'second' });
      assert.deepEqual([first.status, second.status], ['SUCCEEDED', 'SUCCEEDED'], JSON.stringify([first, second]));
      assert.notEqual(first.refundId, second.refundId);
      assert.deepEqual(Object.values(await atGateway(paymentId)).sort(), ['7.00', '7.00']);
      assert.equal(await state.points(customer.userId), '56');
    });

    it('the order is REFUNDED only when every refund of it succeeded; a second refund waits for the first', async () => {
      const { customer, orderId, paymentId } = await paid();
      await channel.fail('refund', 3);
      const pending = await refund(customer.token, orderId, { amount: '20.00', reason: 'part' }, { 'idempotency-key': 'p' });
      assert.deepEqual([pending.status, pending.body.status], [202, 'PENDING'], JSON.stringify(pending.body));
      const rest = await refund(customer.token, orderId, { reason: 'the rest' }, { 'idempotency-key': 'rest' });
      assert.deepEqual([rest.status, rest.body.code], [409, 'REFUND_IN_PROGRESS']);
      assert.equal((await state.order(orderId))?.status, 'PAID', 'not REFUNDED while a refund is PENDING');
      assert.deepEqual(await atGateway(paymentId), {});

      await until('the first refund to succeed by itself', async () => (await state.refunds(orderId))[0]?.status === 'SUCCEEDED', 60_000);
      await until('its hold to close', async () => (await state.holds(orderId)).every((hold) => hold.status !== 'OPEN'));
      assert.equal((await state.order(orderId))?.status, 'PAID');
      const full = await refundEnded(customer.token, orderId, { reason: 'the rest' }, { 'idempotency-key': 'rest' });
      assert.deepEqual([full.status, full.amount], ['SUCCEEDED', '50.00'], JSON.stringify(full));
      await until('the order to be REFUNDED', async () => (await state.order(orderId))?.status === 'REFUNDED');
      assert.deepEqual(Object.values(await atGateway(paymentId)).sort(), ['20.00', '30.00']);
      assert.equal(await state.balance(customer.userId), '50.00');
      assert.equal(await state.points(customer.userId), '0');
    });

    it('a customer cannot refund a shipped or completed order herself: 409 ORDER_STATE, nothing moves', async () => {
      const { customer, orderId, paymentId } = await paid();
      assert.equal((await call('POST', `/api/v1/admin/orders/${orderId}/ship`, { token: admin })).status, 200);
      const shipped = await refund(customer.token, orderId, { reason: 'free goods please' });
      assert.deepEqual([shipped.status, shipped.body.code], [409, 'ORDER_STATE']);
      assert.match(shipped.body.message, /after-sales/);
      assert.equal((await call('POST', `/api/v1/orders/${orderId}/receipt`, { token: customer.token })).status, 200);
      const completed = await refund(customer.token, orderId, { reason: 'free goods please' });
      assert.deepEqual([completed.status, completed.body.code], [409, 'ORDER_STATE']);
      assert.deepEqual(await atGateway(paymentId), {});
      assert.deepEqual(await state.refunds(orderId), []);
      assert.equal(await state.balance(customer.userId), '30.00');
      assert.equal((await state.order(orderId))?.status, 'COMPLETED');
    });

    it('a full refund before shipment gives back the stock of every line and the coupon', async () => {
      const { goodsId, customer, orderId } = await paid({ coupon: true });
      assert.equal(await state.stock(goodsId), 8);
      assert.equal((await state.coupon(customer.couponIds[0]!)).used, 1);
      const full = await refundEnded(customer.token, orderId, { reason: 'changed my mind' });
      assert.deepEqual([full.status, full.amount, full.items], ['SUCCEEDED', '65.00', [{ goodsId, quantity: 2 }]], JSON.stringify(full));
      assert.equal(await state.stock(goodsId), 10);
      assert.deepEqual(await state.coupon(customer.couponIds[0]!), { used: 0, order_id: null });
      assert.equal(await state.balance(customer.userId), '50.00');
      await until('the order to be REFUNDED', async () => (await state.order(orderId))?.status === 'REFUNDED');
      // A repeat gives back nothing more.
      const again = await refund(customer.token, orderId, { reason: 'again' });
      assert.deepEqual([again.status, again.body.code], [409, 'ORDER_STATE']);
      assert.equal(await state.stock(goodsId), 10);
    });

    it('a partial refund gives back the stock of the lines it names, and only those', async () => {
      const { goodsId, customer, orderId } = await paid();
      const none = await refundEnded(customer.token, orderId, { amount: '3.00', reason: 'scratched box' });
      assert.equal(none.status, 'SUCCEEDED', JSON.stringify(none));
      assert.equal(await state.stock(goodsId), 8, 'no items named: no stock back');
      const one = await refundEnded(customer.token, orderId, { amount: '30.00', reason: 'one sent back', items: [{ goodsId, quantity: 1 }] });
      assert.deepEqual([one.status, one.items], ['SUCCEEDED', [{ goodsId, quantity: 1 }]], JSON.stringify(one));
      assert.equal(await state.stock(goodsId), 9);
      const tooMany = await refund(customer.token, orderId, { amount: '1.00', reason: 'more', items: [{ goodsId, quantity: 2 }] });
      assert.deepEqual([tooMany.status, tooMany.body.code], [400, 'INVALID_ARGUMENT']);
      assert.equal(await state.stock(goodsId), 9);
      assert.deepEqual(await state.unitsReturned(orderId), { [goodsId]: 1 });
      await sleep(500);
      assert.equal((await state.refunds(orderId)).length, 2, 'the refused request left no refund behind');
    });

    it(`a refund ${channel.title} refuses for good ends FAILED with the reason, moves nothing, and frees the order for another`, async () => {
      const { customer, orderId, paymentId } = await paid();
      const code = await channel.refuseRefund();
      const failed = await refund(customer.token, orderId, { amount: '10.00', reason: 'broken' });
      assert.deepEqual([failed.status, failed.body.status], [201, 'FAILED'], JSON.stringify(failed.body));
      assert.match(failed.body.failureReason, new RegExp(code.replace(/\./g, '\\.')));
      const listed = await refundsOf(customer.token, orderId);
      assert.deepEqual(
        listed.map((r: { status: string }) => r.status),
        ['FAILED'],
      );
      assert.deepEqual(await atGateway(paymentId), {});
      assert.equal(await state.balance(customer.userId), '30.00');
      assert.equal(await state.points(customer.userId), '70');
      await until('the hold to end FAILED', async () => (await state.holds(orderId))[0]?.status === 'FAILED');
      const next = await refundEnded(customer.token, orderId, { amount: '10.00', reason: 'broken' });
      assert.equal(next.status, 'SUCCEEDED', JSON.stringify(next));
      assert.deepEqual(Object.values(await atGateway(paymentId)), ['10.00']);
    });
  });
}
