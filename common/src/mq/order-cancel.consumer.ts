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
import type { MqConsumer } from './mq-consumer';
import type { MqConnection } from './mq-lifecycle';
import { startServiceConsumer, type EventHandler } from './service-consumer';

/** Releases the order inside the given transaction; what it returns is logged. */
export type Release = (transaction: Transaction, orderId: string) => Promise<Record<string, unknown>>;

/** The two handlers that release an order: order.cancel (placement) and order.cancelled (later). */
export function orderReleaseHandlers(release: Release, logger: Logger): EventHandler[] {
  const handle = async (tx: Transaction, orderId: string) => {
    if (!isSnowflakeId(orderId)) {
      logger.error({ orderId }, 'order cancellation without a valid order id; dropped');
      return;
    }
    logger.info({ orderId, ...(await release(tx, orderId)) }, 'order released');
  };
  return [
    { topic: Topics.ORDER_PLACEMENT, tag: Tags.ORDER_CANCEL, handle: (tx, message) => handle(tx, message.keys[0]!) },
    { topic: Topics.ORDER_EVENTS, tag: Tags.ORDER_CANCELLED, handle: (tx, message) => handle(tx, message.keys[0]!) },
  ];
}

export interface OrderCancelConsumerOptions {
  /** The service's consumer group (clustering: one instance handles each message). */
  group: string;
  sequelize: Sequelize;
  logger: Logger;
  release: Release;
  /** The service's other handlers, on the same consumer group. */
  more?: EventHandler[];
}

export function startOrderCancelConsumer(connection: MqConnection, options: OrderCancelConsumerOptions): Promise<MqConsumer> {
  const { group, sequelize, logger } = options;
  return startServiceConsumer(connection, { group, sequelize, logger, handlers: [...orderReleaseHandlers(options.release, logger), ...(options.more ?? [])] });
}
