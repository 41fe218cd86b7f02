/**
 * The pay service's consumer group: logs applied payments (pay.succeeded), and reacts to
 * cancelled orders (order.cancelled): an open trade is closed at Alipay; money Alipay took for a
 * cancelled order (the buyer paid as the order was being cancelled) is refunded automatically.
 */
import { AppError, ErrorCode, startServiceConsumer, Tags, Topics, type MqConnection, type MqConsumer } from '@shop/common';
import { AlipayRefusal } from '../alipay/alipay-client';
import { settleUnpaid, type PaymentDeps } from '../domain/payments';
import type { PaymentRow } from '../store/pay-store';

export const PAY_CONSUMER_GROUP = 'shop-pay';

type Deps = Pick<PaymentDeps, 'store' | 'ids' | 'alipay' | 'logger'>;

export function startPayConsumer(connection: MqConnection, deps: Deps, group = PAY_CONSUMER_GROUP): Promise<MqConsumer> {
  const { store, ids, logger } = deps;
  return startServiceConsumer(connection, {
    group,
    sequelize: store.sequelize,
    logger,
    handlers: [
      {
        topic: Topics.PAY_EVENTS,
        tag: Tags.PAY_SUCCEEDED,
        async handle(tx, message) {
          const paid = message.json<{ paymentId: string; orderId: string; amount: string; tradeNo: string }>();
          await store.log(tx, { id: ids.next(), paymentId: paid.paymentId, orderId: paid.orderId, event: 'PAID', amount: paid.amount, detail: `alipay trade ${paid.tradeNo}` });
        },
      },
      {
        topic: Topics.ORDER_EVENTS,
        tag: Tags.ORDER_CANCELLED,
        // Closing and refunding at Alipay are idempotent and open their own transactions.
        async before(message) {
          const payment = await store.findByOrder(message.keys[0]!);
          if (!payment) return;
          const settled = payment.status === 'UNPAID' ? await settleUnpaid(deps, payment.id, { force: true }) : payment.status;
          if (settled === 'PAID') await refundCancelledOrder(deps, (await store.findPayment(payment.id))!);
        },
        handle: async () => undefined,
      },
    ],
  });
}

/** Gives back through Alipay what a cancelled order's buyer paid (out_request_no = payment id: once). */
async function refundCancelledOrder(deps: Deps, payment: PaymentRow): Promise<void> {
  if (payment.status !== 'PAID') return;
  const result = await deps.alipay.refund({ outTradeNo: payment.id, refundId: payment.id, amount: payment.amount, reason: 'order cancelled' });
  if (result instanceof AlipayRefusal) throw new AppError(ErrorCode.UNAVAILABLE, `Alipay refused the refund: ${result.subCode}`);
  await deps.store.transaction(async (tx) => {
    if (!(await deps.store.transition(tx, payment.id, ['PAID'], 'REFUNDED'))) return;
    await deps.store.addRefunded(tx, payment.id, payment.amount);
    await deps.store.log(tx, { id: deps.ids.next(), paymentId: payment.id, orderId: payment.order_id, event: 'AUTO_REFUND', amount: payment.amount, detail: 'paid after the order was cancelled' });
  });
  deps.logger.warn({ paymentId: payment.id, orderId: payment.order_id }, 'payment for a cancelled order refunded');
}
