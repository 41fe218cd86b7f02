/** Gives back the balance of cancelled orders (the committed order.cancel, or order.cancelled). */
import { startOrderCancelConsumer, type Logger, type MqConnection, type MqConsumer, type SnowflakeGenerator } from '@shop/common';
import { releaseBalanceWithin } from '../domain/balance';
import type { UserStore } from '../store/user-store';

export const USER_CONSUMER_GROUP = 'shop-user';

export function startReleaseBalanceConsumer(connection: MqConnection, store: UserStore, ids: SnowflakeGenerator, logger: Logger, group = USER_CONSUMER_GROUP): Promise<MqConsumer> {
  return startOrderCancelConsumer(connection, { group, sequelize: store.sequelize, logger, release: (tx, orderId) => releaseBalanceWithin(store, ids, tx, orderId) });
}
