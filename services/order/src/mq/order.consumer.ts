/**
 * The order service's consumer group: the outcomes of payments. pay.succeeded -> PAID;
 * pay.timeout (the committed half message of a payment past its deadline) or pay.closed (the pay
 * sweeper) -> CANCELLED with everything released; pay.refunded -> REFUNDED. Each effectively once.
 */
import { startServiceConsumer, Tags, Topics, type Logger, type MqConnection, type MqConsumer, type SnowflakeGenerator } from '@shop/common';
import type { Transaction } from 'sequelize';
import { cancelUnpaidWithin, markPaidWithin, markRefundedWithin } from '../domain/orders';
import type { OrderStore } from '../store/order-store';

export const ORDER_CONSUMER_GROUP = 'shop-order';

export function startOrderConsumer(connection: MqConnection, store: OrderStore, ids: SnowflakeGenerator, logger: Logger, group = ORDER_CONSUMER_GROUP): Promise<MqConsumer> {
  const orderOf = (message: { json<T>(): T }) => message.json<{ orderId: string }>().orderId;
  const cancelUnpaid = async (tx: Transaction, orderId: string) => {
    const status = await cancelUnpaidWithin(store, ids, tx, orderId, { actor: 'system:pay.timeout', reason: 'not paid before the pay deadline' });
    logger.info({ orderId, status }, 'pay deadline passed');
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
          const orderId = orderOf(message);
          const status = await markPaidWithin(store, ids, tx, orderId);
          if (status === 'PAID') logger.info({ orderId }, 'order paid');
          else logger.warn({ orderId, status }, 'payment for an order that is not awaiting one; the pay service refunds it if cancelled');
        },
      },
      { topic: Topics.PAY_TIMEOUT, tag: Tags.PAY_TIMEOUT, handle: (tx, message) => cancelUnpaid(tx, orderOf(message)) },
      { topic: Topics.PAY_EVENTS, tag: Tags.PAY_CLOSED, handle: (tx, message) => cancelUnpaid(tx, orderOf(message)) },
      {
        topic: Topics.PAY_EVENTS,
        tag: Tags.PAY_REFUNDED,
        async handle(tx, message) {
          const orderId = orderOf(message);
          logger.info({ orderId, status: await markRefundedWithin(store, tx, orderId) }, 'order refunded');
        },
      },
    ],
  });
}
