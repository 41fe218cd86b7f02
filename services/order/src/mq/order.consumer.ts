/**
 * The order service's consumer group, each message effectively once:
 * - pay.succeeded: the order becomes PAID, or rejects a payment it can no longer take (refunded);
 * - pay.timeout (the committed half message of a payment closed at its deadline) and pay.closed
 *   (the pay sweeper): the unpaid order is cancelled and everything released;
 * - order.pay-deadline (the order's own timer): asks the pay service, then PAID or CANCELLED;
 * - pay.refund-finished: the refund's hold ends; the refund completing the order makes it REFUNDED.
 */
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import { startServiceConsumer, type MqConnection, type MqConsumer } from '@shop/common/mq';
import { eventsOf, Tags } from '@shop/contracts';
import type { Transaction } from 'sequelize';
import { acceptPaymentWithin, cancelWithin } from '../domain/order-moves';
import { applySettlementWithin, askAboutOverdueOrder, UNPAID_AT_DEADLINE, type PaySettlement, type SettlementAnswer } from '../domain/pay-deadline';
import { finishRefundWithin } from '../domain/refund-holds';
import type { OrderStore } from '../store/order-store';
import type { RefundStore } from '../store/refund-store';

export const ORDER_CONSUMER_GROUP = 'shop-order';

const events = eventsOf('order');

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
    const cancelled = await cancelWithin(store, ids, tx, orderId, 'expire', { actor: 'system:pay.timeout', reason: UNPAID_AT_DEADLINE });
    logger.info({ orderId, cancelled }, 'pay deadline passed; the payment was closed');
  };
  return startServiceConsumer(connection, {
    group,
    sequelize: store.sequelize,
    logger,
    handlers: [
      events.on(Tags.PAY_SUCCEEDED, {
        async handle(tx, paid) {
          const outcome = await acceptPaymentWithin(store, ids, tx, paid);
          if (outcome === 'NOT_YET') throw new Error(`order ${paid.orderId} is not confirmed yet; payment ${paid.paymentId} waits`);
          const log = outcome === 'REJECTED' ? logger.warn.bind(logger) : logger.info.bind(logger);
          log(
            { orderId: paid.orderId, paymentId: paid.paymentId, outcome },
            outcome === 'REJECTED' ? 'payment for an order that cannot take it; the pay service refunds it' : 'payment accepted',
          );
        },
      }),
      events.on(Tags.PAY_TIMEOUT, { handle: (tx, closed) => cancelUnpaid(tx, closed.orderId) }),
      events.on(Tags.PAY_CLOSED, { handle: (tx, closed) => cancelUnpaid(tx, closed.orderId) }),
      events.on<typeof Tags.ORDER_PAY_DEADLINE, SettlementAnswer | undefined>(Tags.ORDER_PAY_DEADLINE, {
        // The question to the pay service (and Alipay) runs before the consume-log transaction.
        before: (timer) => askAboutOverdueOrder(deps, timer.orderId),
        async handle(tx, { orderId }, _message, answer) {
          if (answer === undefined) return;
          const status = await applySettlementWithin(deps, tx, orderId, answer, 'system:pay-deadline');
          // Thrown: the consume log rolls back and the broker asks again after its back-off.
          if (status === 'OPEN') throw new Error(`the payment of order ${orderId} is not settled yet`);
          logger.info({ orderId, ...answer, status }, 'pay deadline reached');
        },
      }),
      events.on(Tags.PAY_REFUND_FINISHED, {
        async handle(tx, finished) {
          const outcome = await finishRefundWithin(deps, tx, finished);
          logger.info({ orderId: finished.orderId, refundId: finished.refundId, status: finished.status, outcome }, 'refund finished');
        },
      }),
    ],
  });
}
