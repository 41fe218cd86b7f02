/**
 * The user service's one consumer group: gives back the balance of cancelled orders
 * (order.cancel, order.cancelled) and adds the points of paid orders (order.paid), each once.
 */
import { startOrderCancelConsumer, Tags, Topics, type Logger, type MqConnection, type MqConsumer, type SnowflakeGenerator } from '@shop/common';
import { releaseBalanceWithin } from '../domain/balance';
import { addPointsWithin } from '../domain/points';
import type { UserStore } from '../store/user-store';

export const USER_CONSUMER_GROUP = 'shop-user';

interface OrderPaid {
  orderId: string;
  userId: string;
  points: string;
}

export function startUserConsumer(connection: MqConnection, store: UserStore, ids: SnowflakeGenerator, logger: Logger, group = USER_CONSUMER_GROUP): Promise<MqConsumer> {
  return startOrderCancelConsumer(connection, {
    group,
    sequelize: store.sequelize,
    logger,
    release: (tx, orderId) => releaseBalanceWithin(store, ids, tx, orderId),
    more: [
      {
        topic: Topics.ORDER_EVENTS,
        tag: Tags.ORDER_PAID,
        async handle(tx, message) {
          const paid = message.json<OrderPaid>();
          // floor(balance paid + amount paid) may be 0 for a tiny order: nothing to add then.
          if (paid.points === '0') return;
          logger.info({ orderId: paid.orderId, ...(await addPointsWithin(store, ids, tx, paid)) }, 'points added');
        },
      },
    ],
  });
}
