/**
 * Releases the stock of cancelled orders: the committed `order.cancel` half message of a failed
 * or timed-out placement. Effectively once: the consume log row and the release commit together.
 */
import { consumeOnce, isSnowflakeId, MqConsumer, type Logger, type MqConnection } from '@shop/common';
import type { GoodsStore } from '../store/goods-store';
import { releaseStockWithin } from '../domain/stock';

export const ORDER_PLACEMENT_TOPIC = 'shop-order-placement-tx';
export const ORDER_CANCEL_TAG = 'order.cancel';
export const GOODS_CONSUMER_GROUP = 'shop-goods';

export function startReleaseStockConsumer(
  connection: MqConnection,
  store: GoodsStore,
  logger: Logger,
  group = GOODS_CONSUMER_GROUP,
): Promise<MqConsumer> {
  return MqConsumer.start(connection, {
    group,
    subscriptions: { [ORDER_PLACEMENT_TOPIC]: ORDER_CANCEL_TAG },
    handle: async (message) => {
      const orderId = message.keys[0];
      if (!orderId || !isSnowflakeId(orderId)) {
        // Redelivering a malformed message cannot fix it: log it loudly and let it go.
        logger.error({ keys: message.keys, messageId: message.messageId }, 'order.cancel without a valid order id; dropped');
        return;
      }
      const outcome = await consumeOnce(store.sequelize, group, message, async (tx) => {
        const { releasedUnits } = await releaseStockWithin(store, tx, orderId);
        logger.info({ orderId, releasedUnits }, 'stock released');
      });
      if (outcome === 'duplicate') logger.debug({ orderId }, 'order.cancel already handled');
    },
  });
}
