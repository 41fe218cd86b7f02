/** Releases the stock of cancelled orders (the committed order.cancel of a failed placement). */
import type { Logger } from '@shop/common/log';
import type { MqConnection, MqConsumer } from '@shop/common/mq';
import { startOrderCancelConsumer } from '@shop/contracts';
import { releaseStockWithin } from '../domain/stock';
import type { GoodsStore } from '../store/goods-store';

export const GOODS_CONSUMER_GROUP = 'shop-goods';

export function startReleaseStockConsumer(connection: MqConnection, store: GoodsStore, logger: Logger, group = GOODS_CONSUMER_GROUP): Promise<MqConsumer> {
  return startOrderCancelConsumer(connection, {
    service: 'goods',
    group,
    sequelize: store.sequelize,
    logger,
    release: (tx, orderId) => releaseStockWithin(store, tx, orderId),
  });
}
