/**
 * The pay service's consumer group:
 * - pay.succeeded: the payment log;
 * - order.cancelled: the order's open trades are closed at their channels right away, so the buyer
 *   can no longer pay (an Alipay QR code nobody scanned cannot be closed: it dies at its deadline);
 * - order.payment-rejected: a payment the order could not take is refunded in full;
 * - order.after-sales-approved: the approved refund is carried out.
 * Channel calls and refunds open transactions of their own and are idempotent: they run before
 * the consume-log transaction. A refund that must wait is finished by the refund sweeper.
 */
import { startServiceConsumer, type MqConnection, type MqConsumer } from '@shop/common/mq';
import { Tags } from '@shop/contracts';
import { payEvents } from '../domain/pay-events';
import { settleUnpaid } from '../domain/payments';
import type { RefundRunnerDeps } from '../domain/refund-runner';
import { refundAfterSales, refundRejectedPayment } from '../domain/refunds';
import type { SettleDeps } from '../domain/payments';
import type { PayStore } from '../store/pay-store';

export const PAY_CONSUMER_GROUP = 'shop-pay';

/** The consume log lives in the pay store's database: the consumer needs the SQL store itself. */
export function startPayConsumer(
  connection: MqConnection,
  deps: SettleDeps & RefundRunnerDeps & { store: PayStore },
  group = PAY_CONSUMER_GROUP,
): Promise<MqConsumer> {
  const { store, ids, logger } = deps;
  return startServiceConsumer(connection, {
    group,
    sequelize: store.sequelize,
    logger,
    handlers: [
      payEvents.on(Tags.PAY_SUCCEEDED, {
        async handle(tx, paid) {
          await store.log(tx, {
            id: ids.next(),
            paymentId: paid.paymentId,
            orderId: paid.orderId,
            event: 'PAID',
            amount: paid.amount,
            detail: `channel trade ${paid.tradeNo}`,
          });
        },
      }),
      payEvents.on(Tags.ORDER_CANCELLED, {
        async before({ orderId }) {
          for (const payment of await store.listOfOrder(orderId)) {
            if (payment.status === 'UNPAID')
              logger.info(
                { orderId, paymentId: payment.id, settled: await settleUnpaid(deps, payment.id, { force: true }) },
                'order cancelled; its payment settled',
              );
          }
        },
        handle: async () => undefined,
      }),
      payEvents.on(Tags.ORDER_PAYMENT_REJECTED, {
        async before(rejected) {
          const refund = await refundRejectedPayment(deps, rejected);
          logger.warn({ paymentId: rejected.paymentId, refundId: refund?.id, status: refund?.status }, 'payment rejected by its order; refunded in full');
        },
        handle: async () => undefined,
      }),
      payEvents.on(Tags.ORDER_AFTER_SALES_APPROVED, {
        async before(approved) {
          const refund = await refundAfterSales(deps, approved);
          logger.info({ afterSalesId: approved.afterSalesId, refundId: refund.id, status: refund.status }, 'after-sales refund');
        },
        handle: async () => undefined,
      }),
    ],
  });
}
