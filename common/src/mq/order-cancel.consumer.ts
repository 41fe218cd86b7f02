/**
 * The release side of order placement, shared by every service that reserves something for an
 * order (stock, coupon, balance): on the committed `order.cancel` half message of a failed
 * placement, or the `order.cancelled` event of a confirmed order cancelled later, release what
 * this service's own records say the order took, effectively once (consume log in the same
 * transaction as the release; the release ledger makes the two messages release once in all).
 */
import type { Sequelize, Transaction } from 'sequelize';
import { Tags, Topics } from '../contracts/topics';
import { isSnowflakeId } from '../ids';
import type { Logger } from '../log';
import { consumeOnce } from './consume-log';
import { MqConsumer } from './mq-consumer';
import type { MqConnection } from './mq-lifecycle';

export interface OrderCancelConsumerOptions {
  /** The service's consumer group (clustering: one instance handles each message). */
  group: string;
  sequelize: Sequelize;
  logger: Logger;
  /** Releases the order inside the given transaction; what it returns is logged. */
  release(transaction: Transaction, orderId: string): Promise<Record<string, unknown>>;
}

export function startOrderCancelConsumer(connection: MqConnection, options: OrderCancelConsumerOptions): Promise<MqConsumer> {
  const { group, sequelize, logger } = options;
  return MqConsumer.start(connection, {
    group,
    subscriptions: { [Topics.ORDER_PLACEMENT]: Tags.ORDER_CANCEL, [Topics.ORDER_EVENTS]: Tags.ORDER_CANCELLED },
    handle: async (message) => {
      const orderId = message.keys[0];
      if (!orderId || !isSnowflakeId(orderId)) {
        // Redelivering a malformed message cannot fix it: log it loudly and let it go.
        logger.error({ keys: message.keys, messageId: message.messageId }, 'order cancellation without a valid order id; dropped');
        return;
      }
      const outcome = await consumeOnce(sequelize, group, message, async (tx) => {
        logger.info({ orderId, ...(await options.release(tx, orderId)) }, 'order released');
      });
      if (outcome === 'duplicate') logger.debug({ orderId }, 'order cancellation already handled');
    },
  });
}
