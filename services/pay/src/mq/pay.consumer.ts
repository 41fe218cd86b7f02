/**
 * The pay service's consumer group:
 * - pay.succeeded: the payment log;
 * - order.cancelled: the order's open trade is closed at Alipay right away, so the buyer can no
 *   longer pay (a QR code nobody scanned cannot be closed: it dies at its deadline);
 * - order.payment-rejected: a payment the order could not take is refunded in full;
 * - order.after-sales-approved: the approved refund is carried out.
 * Alipay calls and refunds open transactions of their own and are idempotent: they run before
 * the consume-log transaction. A refund that must wait is finished by the refund sweeper.
 */
import { startServiceConsumer, Tags, Topics, type MqConnection, type MqConsumer, type OrderAfterSalesApprovedEvent, type OrderPaymentRejectedEvent, type PaySucceededEvent } from '@shop/common';
import { settleUnpaid } from '../domain/payments';
import type { RefundRunnerDeps } from '../domain/refund-runner';
import { refundAfterSales, refundRejectedPayment } from '../domain/refunds';
import type { SettleDeps } from '../domain/payments';

export const PAY_CONSUMER_GROUP = 'shop-pay';

export function startPayConsumer(connection: MqConnection, deps: SettleDeps & RefundRunnerDeps, group = PAY_CONSUMER_GROUP): Promise<MqConsumer> {
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
          const paid = message.json<PaySucceededEvent>();
          await store.log(tx, { id: ids.next(), paymentId: paid.paymentId, orderId: paid.orderId, event: 'PAID', amount: paid.amount, detail: `alipay trade ${paid.tradeNo}` });
        },
      },
      {
        topic: Topics.ORDER_EVENTS,
        tag: Tags.ORDER_CANCELLED,
        async before(message) {
          const payment = await store.findByOrder(message.keys[0]!);
          if (payment?.status === 'UNPAID') logger.info({ orderId: payment.order_id, settled: await settleUnpaid(deps, payment.id, { force: true }) }, 'order cancelled; its payment settled');
        },
        handle: async () => undefined,
      },
      {
        topic: Topics.ORDER_EVENTS,
        tag: Tags.ORDER_PAYMENT_REJECTED,
        async before(message) {
          const refund = await refundRejectedPayment(deps, message.json<OrderPaymentRejectedEvent>());
          logger.warn({ paymentId: message.keys[0], refundId: refund?.id, status: refund?.status }, 'payment rejected by its order; refunded in full');
        },
        handle: async () => undefined,
      },
      {
        topic: Topics.ORDER_EVENTS,
        tag: Tags.ORDER_AFTER_SALES_APPROVED,
        async before(message) {
          const refund = await refundAfterSales(deps, message.json<OrderAfterSalesApprovedEvent>());
          logger.info({ afterSalesId: message.keys[0], refundId: refund.id, status: refund.status }, 'after-sales refund');
        },
        handle: async () => undefined,
      },
    ],
  });
}
