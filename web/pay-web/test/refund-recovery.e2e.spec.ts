/**
 * Refunds interrupted at each step end SUCCEEDED exactly once, through either channel: the pay
 * service killed after the channel gave the money back (Alipay), while the channel was still
 * processing it (WeChat Pay: its notification finds nobody), or after the balance step; the user
 * service down during the balance step; the channel silent, or losing its answer after refunding
 * (one failing outright: refunds.e2e.spec.ts). The refund sweeper (and the pay service's
 * start-up) carry every one on; the gateway's ledger shows one refund each. Needs the test
 * profile (refund lease 5 s, sweeps every 5 s).
 */
import assert from 'node:assert/strict';
import { FAULT_HEADER, Faults } from '@shop/contracts';
import { eventually } from '../../../common/test/support/infra';
import { withSystem } from '../../order-web/test/support/end-to-end';
import { kill, start } from '../../order-web/test/support/processes';
import type { SystemState } from '../../order-web/test/support/system-state';
import { paidOrder, until } from './support/fixtures';
import { CHANNELS } from './support/channels';
import { refund } from './support/pay-api';

for (const channel of CHANNELS) {
  describe(`refunds through ${channel.title} interrupted at any step finish exactly once`, function () {
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

    afterEach(async () => {
      await channel.clearFaults();
      for (const name of ['pay', 'user'] as const) start(name);
    });

    const paid = () => paidOrder(admin, state, { channel: channel.channel });
    /** The refunds the gateway finished: refund id -> amount. */
    const atGateway = async (paymentId: string) => (await channel.trade(paymentId))?.refunds ?? {};

    /** A full refund of a paid order: 50.00 through the channel, 20.00 to the balance, 70 points back. */
    async function expectRefundedOnce(fixture: { customer: { userId: string }; orderId: string; paymentId: string }) {
      await until('the refund to succeed', async () => (await state.refunds(fixture.orderId))[0]?.status === 'SUCCEEDED', 120_000);
      await until('the order to be REFUNDED', async () => (await state.order(fixture.orderId))?.status === 'REFUNDED');
      assert.deepEqual(Object.values(await atGateway(fixture.paymentId)), ['50.00'], `one refund at ${channel.title}`);
      assert.equal((await state.refunds(fixture.orderId)).length, 1);
      assert.equal(await state.balance(fixture.customer.userId), '50.00', 'the balance part back once');
      assert.equal(await state.points(fixture.customer.userId), '0');
      assert.equal((await state.payment(fixture.paymentId))?.status, 'REFUNDED');
      assert.equal((await state.payment(fixture.paymentId))?.refunded_amount, '50.00');
    }

    if (channel.channel === 'ALIPAY_QR') {
      for (const [fault, step] of [
        [Faults.REFUND_HANG_AFTER_ALIPAY, 'Alipay gave the money back'],
        [Faults.REFUND_HANG_AFTER_BALANCE, 'the balance step'],
      ] as const) {
        it(`the pay service SIGKILLed after ${step}: carried on after the restart`, async () => {
          const fixture = await paid();
          const pending = refund(fixture.customer.token, fixture.orderId, { reason: 'broken' }, { [FAULT_HEADER]: fault, 'idempotency-key': `kill-${fault}` });
          await eventually('the Alipay refund', 15_000, async () => (Object.keys(await atGateway(fixture.paymentId)).length > 0 ? true : undefined));
          if (fault === Faults.REFUND_HANG_AFTER_BALANCE)
            await until('the balance step', async () => (await state.balance(fixture.customer.userId)) === '50.00', 15_000);
          assert.equal((await state.refunds(fixture.orderId))[0]?.status, 'PENDING');
          kill('pay');
          const reply = await pending;
          assert.ok(reply.status >= 500, `the caller learns the outcome is unknown (${reply.status})`);
          start('pay');
          await expectRefundedOnce(fixture);
        });
      }
    } else {
      it('the pay service SIGKILLed while WeChat Pay processes the refund (its notifications find nobody): carried on after the restart', async () => {
        const fixture = await paid();
        const answer = await refund(fixture.customer.token, fixture.orderId, { reason: 'broken' }, { 'idempotency-key': 'kill-processing' });
        assert.deepEqual([answer.status, answer.body.status], [202, 'PENDING'], JSON.stringify(answer.body));
        kill('pay');
        // WeChat finishes it (1.5 s in the test profile) and notifies: pay-web cannot reach the pay service.
        await eventually('WeChat to finish the refund', 30_000, async () => (Object.keys(await atGateway(fixture.paymentId)).length > 0 ? true : undefined));
        assert.equal((await state.refunds(fixture.orderId))[0]?.status, 'PENDING');
        start('pay');
        await expectRefundedOnce(fixture);
      });
    }

    it('the user service down at the balance step: PENDING, then SUCCEEDED once it is back', async () => {
      const fixture = await paid();
      kill('user');
      const answer = await refund(fixture.customer.token, fixture.orderId, { reason: 'broken' });
      assert.deepEqual([answer.status, answer.body.status], [202, 'PENDING'], JSON.stringify(answer.body));
      await until(`${channel.title} first`, async () => Object.values(await atGateway(fixture.paymentId)).join() === '50.00', 30_000);
      assert.equal((await state.order(fixture.orderId))?.status, 'PAID', 'not REFUNDED while the balance part is missing');
      start('user');
      await expectRefundedOnce(fixture);
    });

    // A channel answering a system error (nothing done) postpones the refund until it answers:
    // refunds.e2e's "the order is REFUNDED only when every refund of it succeeded" (three errors).
    for (const [mode, what] of [
      ['timeout', 'not answering (the call times out, nothing done)'],
      ['lose-answer', 'refunding and losing its answer'],
    ] as const) {
      it(`${channel.title} ${what}: the refund is made once`, async () => {
        const fixture = await paid();
        // alipay-sdk sends a request again once by itself when its connection is reset: losing
        // the answer twice is what makes the pay service see it lost.
        const count = mode === 'timeout' ? 1 : 2;
        await channel.fail('refund', count, mode, mode === 'timeout' ? 8_000 : undefined);
        const answer = await refund(fixture.customer.token, fixture.orderId, { reason: 'broken' });
        assert.deepEqual([answer.status, answer.body.status], [202, 'PENDING'], JSON.stringify(answer.body));
        await expectRefundedOnce(fixture);
      });
    }
  });
}
