/**
 * The user service's one consumer group: gives back the balance of cancelled orders
 * (order.cancel, order.cancelled) and adds the points of paid orders (order.paid), each once.
 */
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import type { MqConnection, MqConsumer } from '@shop/common/mq';
import { eventsOf, startOrderCancelConsumer, Tags } from '@shop/contracts';
import { releaseBalanceWithin } from '../domain/balance';
import { addPointsWithin } from '../domain/points';
import type { UserStore } from '../store/user-store';

export const USER_CONSUMER_GROUP = 'shop-user';

const events = eventsOf('user');

export function startUserConsumer(
  connection: MqConnection,
  store: UserStore,
  ids: SnowflakeGenerator,
  logger: Logger,
  group = USER_CONSUMER_GROUP,
): Promise<MqConsumer> {
  return startOrderCancelConsumer(connection, {
    service: 'user',
    group,
    sequelize: store.sequelize,
    logger,
    release: (tx, orderId) => releaseBalanceWithin(store, ids, tx, orderId),
    more: [
      events.on(Tags.ORDER_PAID, {
        async handle(tx, paid) {
          // floor(balance paid + amount paid) may be 0 for a tiny order: nothing to add then.
          if (paid.points === '0') return;
          logger.info({ orderId: paid.orderId, ...(await addPointsWithin(store, ids, tx, paid)) }, 'points added');
        },
      }),
    ],
  });
}
