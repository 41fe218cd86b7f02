/**
 * The fallback for pay deadlines no check-back settled (a lost half message, a broker that gave
 * up): UNPAID payments well past their deadline are settled with Alipay; a closed one announces
 * pay.closed through the outbox, which the order service handles like a committed pay.timeout.
 */
import { enqueueEvent, startPeriodic, Tags, Topics, type Stoppable } from '@shop/common';
import { settleUnpaid, type PaymentDeps } from '../domain/payments';

export function startOverduePaymentSweeper(deps: Pick<PaymentDeps, 'store' | 'ids' | 'alipay' | 'logger'>, options: { graceMs: number; intervalMs: number }): Stoppable {
  const sweep = async () => {
    for (const id of await deps.store.overdueIds(options.graceMs, 50)) {
      await settleUnpaid(deps, id, {
        onClosed: (tx, payment) =>
          enqueueEvent(deps.store.sequelize, tx, deps.ids.next(), { topic: Topics.PAY_EVENTS, tag: Tags.PAY_CLOSED, keys: [payment.id], body: { paymentId: payment.id, orderId: payment.order_id } }),
      });
    }
  };
  return startPeriodic('payment sweep', options.intervalMs, deps.logger, sweep);
}
