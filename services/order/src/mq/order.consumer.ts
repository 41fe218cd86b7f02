/**
 * The order service's consumer group, each message effectively once:
 * - pay.succeeded: the order becomes PAID, or rejects a payment it can no longer take (refunded);
 * - pay.timeout (the committed half message of a payment closed at its deadline) and pay.closed
 *   (the pay sweeper): the unpaid order is cancelled and everything released;
 * - order.pay-deadline (the order's own timer): asks the pay service, then PAID or CANCELLED;
 * - pay.refund-finished: the refund's hold ends; the refund completing the order makes it REFUNDED.
 */
import { startServiceConsumer, Tags, Topics, withPreparation, type Logger, type MqConnection, type MqConsumer, type OrderPayDeadlineEvent, type PayClosedEvent, type PayRefundFinishedEvent, type PaySucceededEvent, type SnowflakeGenerator } from '@shop/common';
import type { Transaction } from 'sequelize';
import { acceptPaymentWithin, cancelWithin } from '../domain/order-moves';
import { applySettlementWithin, askAboutOverdueOrder, type PaySettlement, type Settlement } from '../domain/pay-deadline';
import { finishRefundWithin } from '../domain/refund-holds';
import type { OrderStore } from '../store/order-store';
import type { RefundStore } from '../store/refund-store';

export const ORDER_CONSUMER_GROUP = 'shop-order';

export interface OrderConsumerDeps {
  store: OrderStore;
  refunds: RefundStore;
  ids: SnowflakeGenerator;
  pay: PaySettlement;
  logger: Logger;
}

export function startOrderConsumer(connection: MqConnection, deps: OrderConsumerDeps, group = ORDER_CONSUMER_GROUP): Promise<MqConsumer> {
  const { store, ids, logger } = deps;
  const cancelUnpaid = async (tx: Transaction, orderId: string) => {
    const cancelled = await cancelWithin(store, ids, tx, orderId, ['CONFIRMED'], { actor: 'system:pay.timeout', reason: 'not paid before the pay deadline' });
    logger.info({ orderId, cancelled }, 'pay deadline passed; the payment was closed');
  };
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
          const outcome = await acceptPaymentWithin(store, ids, tx, paid);
          if (outcome === 'NOT_YET') throw new Error(`order ${paid.orderId} is not confirmed yet; payment ${paid.paymentId} waits`);
          const log = outcome === 'REJECTED' ? logger.warn.bind(logger) : logger.info.bind(logger);
          log({ orderId: paid.orderId, paymentId: paid.paymentId, outcome }, outcome === 'REJECTED' ? 'payment for an order that cannot take it; the pay service refunds it' : 'payment accepted');
        },
      },
      { topic: Topics.PAY_TIMEOUT, tag: Tags.PAY_TIMEOUT, handle: (tx, message) => cancelUnpaid(tx, message.json<PayClosedEvent>().orderId) },
      { topic: Topics.PAY_EVENTS, tag: Tags.PAY_CLOSED, handle: (tx, message) => cancelUnpaid(tx, message.json<PayClosedEvent>().orderId) },
      withPreparation<Settlement | undefined>({
        topic: Topics.ORDER_TIMERS,
        tag: Tags.ORDER_PAY_DEADLINE,
        // The question to the pay service (and Alipay) runs before the consume-log transaction.
        before: (message) => askAboutOverdueOrder(deps, message.json<OrderPayDeadlineEvent>().orderId),
        async handle(tx, message, settlement) {
          const { orderId } = message.json<OrderPayDeadlineEvent>();
          if (settlement === undefined) return;
          const status = await applySettlementWithin(deps, tx, orderId, settlement, 'system:pay-deadline');
          // Thrown: the consume log rolls back and the broker asks again after its back-off.
          if (status === 'OPEN') throw new Error(`the payment of order ${orderId} is not settled yet`);
          logger.info({ orderId, settlement, status }, 'pay deadline reached');
        },
      }),
      {
        topic: Topics.PAY_EVENTS,
        tag: Tags.PAY_REFUND_FINISHED,
        async handle(tx, message) {
          const finished = message.json<PayRefundFinishedEvent>();
          const outcome = await finishRefundWithin(deps, tx, finished);
          logger.info({ orderId: finished.orderId, refundId: finished.refundId, status: finished.status, outcome }, 'refund finished');
        },
      },
    ],
  });
}
